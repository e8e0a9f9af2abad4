import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { manifestsOf } from '../../formats/k8s.js';

export default defineRule({
  meta: {
    id: 'k8s/host-namespace',
    description: 'A pod shares the node\'s network, process or IPC namespace (hostNetwork, hostPID, hostIPC).',
    help: [
      '`hostNetwork: true` puts the pod on the node\'s network: it can reach node-local services (the kubelet, cloud',
      'metadata endpoints that hand out credentials) and listen on the node\'s addresses, bypassing NetworkPolicy.',
      '`hostPID` shows and lets it signal every process on the node; `hostIPC` shares its shared memory. Inference',
      'servers sometimes use hostNetwork or hostIPC for NCCL/RDMA speed; that trade-off needs a deliberate exception.',
      '',
      '**Remediation**: remove these fields; for multi-GPU communication use the RDMA/SR-IOV device plugins and a',
      'sized `emptyDir: { medium: Memory }` for /dev/shm instead of hostIPC.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'The pod shares the node\'s network',
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
              '      hostNetwork: true',
              '      containers:',
              '        - name: server',
              '          image: vllm/vllm-openai:v0.6.3',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The pod keeps its own network namespace',
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
      },
      references: [
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
      for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (pod.spec[key] !== true) continue;
        ctx.report({
          message: `${pod.resource} sets ${key}: true, sharing the node's ${key === 'hostNetwork' ? 'network' : key === 'hostPID' ? 'processes' : 'IPC'} with the pod: remove it.`,
          ...m.at(pod.doc, `${pod.pointer}/${key}`, true), fingerprintKey: `${pod.resource}\0${key}`,
        });
      }
    }
  },
});
