import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { isObj, manifestsOf } from '../../formats/k8s.js';

const GPU = /(^|\/)gpu$|^nvidia\.com\/|^amd\.com\/gpu$|^gpu\.intel\.com\//;

export default defineRule({
  meta: {
    id: 'k8s/resource-limits',
    description: 'A container has no memory or CPU limit, or requests GPUs without a GPU limit.',
    help: [
      'A container without limits can take the node\'s memory and CPU: one large prompt batch, a model that is',
      'bigger than expected or a leak in a data loader starves or evicts every other pod on the node. GPUs are',
      'extended resources: they are allocated only through `limits`, so a GPU in `requests` alone is ignored or',
      'rejected.',
      '',
      '**Remediation**: set `resources.limits.memory` and `resources.limits.cpu` (and `requests`) on every',
      'container; request GPUs in limits (`nvidia.com/gpu: 1`).',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A model server with no limits',
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
            title: 'CPU, memory and GPU limits are set',
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
              '          resources:',
              '            limits: { cpu: "4", memory: 16Gi, nvidia.com/gpu: 1 }',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: resource management for pods and containers', url: 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/' },
        { title: 'Kubernetes: schedule GPUs', url: 'https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/' },
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
        if (c.kind === 'ephemeralContainer') continue; // ephemeral containers take no resources field
        const res = isObj(c.value.resources) ? c.value.resources : {};
        const limits = isObj(res.limits) ? res.limits : {};
        const requests = isObj(res.requests) ? res.requests : {};
        const missing = ['memory', 'cpu'].filter((k) => limits[k] === undefined);
        const gpus = Object.keys(requests).filter((k) => GPU.test(k) && limits[k] === undefined);
        const where = 'resources' in c.value ? m.at(pod.doc, `${c.pointer}/resources`, true) : m.at(pod.doc, c.pointer, true);
        if (missing.length) {
          ctx.report({ message: `Container ${c.name} of ${pod.resource} has no ${missing.join(' or ')} limit, so it can starve the node: set resources.limits.${missing.join(' and resources.limits.')}.`, ...where, fingerprintKey: `${pod.resource}\0${c.name}\0limits` });
        }
        if (gpus.length) {
          ctx.report({ message: `Container ${c.name} of ${pod.resource} requests ${gpus.join(', ')} without a matching limit; GPUs are allocated through limits only: move them to resources.limits.`, ...where, fingerprintKey: `${pod.resource}\0${c.name}\0gpu` });
        }
      }
    }
  },
});
