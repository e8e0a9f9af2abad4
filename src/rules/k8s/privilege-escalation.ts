import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { manifestsOf, securitySetting } from '../../formats/k8s.js';

export default defineRule({
  meta: {
    id: 'k8s/privilege-escalation',
    description: 'A container does not set `allowPrivilegeEscalation: false`.',
    help: [
      'Unless `allowPrivilegeEscalation: false` is set, a process in the container can gain more privileges than its',
      'parent (setuid binaries, file capabilities). Model-serving images are large and full of such binaries; the',
      'Kubernetes "restricted" Pod Security Standard requires the setting on every container.',
      '',
      '**Remediation**: add `securityContext: { allowPrivilegeEscalation: false }` to each container.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The container allows privilege escalation',
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
              '          securityContext:',
              '            allowPrivilegeEscalation: true',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'allowPrivilegeEscalation: false on the container',
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
              '          securityContext:',
              '            allowPrivilegeEscalation: false',
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
      for (const c of pod.containers) {
        const own = c.value.securityContext as Record<string, unknown> | undefined;
        const setting = own && 'allowPrivilegeEscalation' in own ? { value: own.allowPrivilegeEscalation, pointer: `${c.pointer}/securityContext/allowPrivilegeEscalation` } : undefined;
        if (setting?.value === false || (securitySetting(pod, c, 'privileged').value === true)) continue; // privileged: k8s/privileged
        const where = setting ? m.at(pod.doc, setting.pointer, true) : m.at(pod.doc, c.pointer, true);
        ctx.report({
          message: setting
            ? `Container ${c.name} of ${pod.resource} sets allowPrivilegeEscalation: ${String(setting.value)}: set it to false.`
            : `Container ${c.name} of ${pod.resource} does not set allowPrivilegeEscalation: false, so setuid binaries can raise its privileges: add it to the container's securityContext.`,
          ...where, fingerprintKey: `${pod.resource}\0${c.name}`,
        });
      }
    }
  },
});
