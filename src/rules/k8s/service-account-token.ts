import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { manifestsOf, KFP_KIND } from '../../formats/k8s.js';

export default defineRule({
  meta: {
    id: 'k8s/service-account-token',
    description: 'A pod mounts a Kubernetes API token it probably does not need (automountServiceAccountToken is not false).',
    help: [
      'By default every pod gets its service account\'s API token at `/var/run/secrets/kubernetes.io/serviceaccount`.',
      'A model server or training job rarely talks to the Kubernetes API; if it is compromised, the token lets the',
      'attacker query or change the cluster as far as that account\'s RBAC allows.',
      '',
      '**Remediation**: set `automountServiceAccountToken: false` in the pod spec (or on the ServiceAccount) unless',
      'the workload calls the API; when it does, give it a dedicated ServiceAccount with minimal RBAC.',
    ].join('\n'),
    defaultSeverity: 'low',
    docs: {
      examples: {
        bad: [
          {
            title: 'The pod mounts the default service account\'s API token',
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
            title: 'A workload that never calls the Kubernetes API does not mount the token',
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
              '      automountServiceAccountToken: false',
              '      containers:',
              '        - name: server',
              '          image: vllm/vllm-openai:v0.6.3',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: configure service accounts for pods (opt out of API credential automounting)', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/' },
      ],
    },
    kinds: ['k8s'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const m = await manifestsOf(ctx);
    if (m instanceof FormatError) return;
    // A ServiceAccount in the same file that disables automounting covers the pods that use it.
    const quiet = new Set(m.resources.filter((r) => r.kind === 'ServiceAccount' && r.value.automountServiceAccountToken === false).map((r) => r.name));
    for (const pod of m.pods) {
      // A compiled Kubeflow pipeline cannot set this per executor (the KFP platform config does): not actionable here.
      if (pod.kind === KFP_KIND) continue;
      const setting = pod.spec.automountServiceAccountToken;
      if (setting === false) continue;
      const account = String(pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default');
      if (setting === undefined && quiet.has(account)) continue;
      const explicit = setting !== undefined;
      ctx.report({
        message: explicit
          ? `${pod.resource} sets automountServiceAccountToken: ${String(setting)}, mounting the ${account} service account's API token: set it to false unless the workload calls the Kubernetes API.`
          : `${pod.resource} mounts the ${account} service account's API token by default: set automountServiceAccountToken: false unless the workload calls the Kubernetes API.`,
        ...(explicit ? m.at(pod.doc, `${pod.pointer}/automountServiceAccountToken`, true) : m.at(pod.doc, pod.pointer, true)), fingerprintKey: pod.resource,
      });
    }
  },
});
