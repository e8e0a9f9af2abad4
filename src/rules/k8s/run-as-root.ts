import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { manifestsOf, securitySetting, KFP_KIND } from '../../formats/k8s.js';

export default defineRule({
  meta: {
    id: 'k8s/run-as-root',
    description: 'A container may run as root: neither it nor its pod sets `runAsNonRoot: true`, or it sets `runAsUser: 0`.',
    help: [
      'Most model-serving images (and every image without a `USER`) run as root unless the manifest says otherwise.',
      'A root process that is compromised through the model or its inputs can write the container\'s files, read',
      'mounted credentials and, with any other weakness (a hostPath, a capability), reach the node.',
      '',
      '**Remediation**: set `securityContext: { runAsNonRoot: true, runAsUser: 10001 }` on the pod (or each',
      'container), and give the image a non-root `USER`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'Nothing stops the container from running as root',
            lang: 'yaml',
            file: 'k8s/deploy.yaml',
            code: [
              'apiVersion: apps/v1',
              'kind: Deployment',
              'metadata:',
              '  name: llm-server',
              'spec:',
              '  template:',
              '    metadata:',
              '      labels: { app: llm }',
              '    spec:',
              '      containers:',
              '        - name: server',
              '          image: vllm/vllm-openai:v0.6.3',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'runAsNonRoot and an unprivileged UID on the pod',
            lang: 'yaml',
            file: 'k8s/deploy.yaml',
            code: [
              'apiVersion: apps/v1',
              'kind: Deployment',
              'metadata:',
              '  name: llm-server',
              'spec:',
              '  template:',
              '    metadata:',
              '      labels: { app: llm }',
              '    spec:',
              '      securityContext: { runAsNonRoot: true, runAsUser: 1000 }',
              '      containers:',
              '        - name: server',
              '          image: vllm/vllm-openai:v0.6.3',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: configure a security context for a pod or container', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/' },
        { title: 'Kubernetes Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
      ],
    },
    kinds: ['k8s'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const m = await manifestsOf(ctx);
    if (m instanceof FormatError) return;
    for (const pod of m.pods) {
      // A compiled Kubeflow pipeline cannot set this per executor (the KFP platform config does): not actionable here.
      if (pod.kind === KFP_KIND) continue;
      for (const c of pod.containers) {
        const user = securitySetting(pod, c, 'runAsUser');
        if ((user.value === 0 || user.value === '0') && user.pointer) {
          ctx.report({ message: `Container ${c.name} of ${pod.resource} sets runAsUser: 0 (root): run it as an unprivileged UID and set runAsNonRoot: true.`, ...m.at(pod.doc, user.pointer, true), fingerprintKey: `${pod.resource}\0${c.name}\0uid0` });
          continue;
        }
        const nonRoot = securitySetting(pod, c, 'runAsNonRoot');
        if (nonRoot.value === true || (typeof user.value === 'number' && user.value > 0)) continue;
        ctx.report({
          message: `Container ${c.name} of ${pod.resource} may run as root (no runAsNonRoot: true or non-zero runAsUser on it or its pod): set securityContext.runAsNonRoot: true.`,
          ...(nonRoot.pointer ? m.at(pod.doc, nonRoot.pointer, true) : m.at(pod.doc, c.pointer, true)), fingerprintKey: `${pod.resource}\0${c.name}`,
        });
      }
    }
  },
});
