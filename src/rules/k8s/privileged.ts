import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { isObj, manifestsOf, securitySetting } from '../../formats/k8s.js';

const DANGEROUS_CAPS = new Set(['ALL', 'SYS_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'NET_ADMIN', 'DAC_READ_SEARCH', 'BPF']);

export default defineRule({
  meta: {
    id: 'k8s/privileged',
    description: 'A container runs privileged or adds capabilities that amount to root on the node.',
    help: [
      '`privileged: true` gives the container every capability and all host devices: a process that escapes the',
      'model server (a malicious checkpoint, a deserialisation bug, a prompt-driven tool call) owns the node and',
      'every pod on it. GPU workloads sometimes get it as a shortcut to reach the devices; the NVIDIA device plugin',
      'makes that unnecessary. `SYS_ADMIN`, `ALL` and similar capabilities are nearly as strong.',
      '',
      '**Remediation**: remove `privileged: true` and the added capabilities; request GPUs through the device',
      'plugin (`resources.limits: { nvidia.com/gpu: 1 }`), and drop all capabilities (`capabilities: { drop: [ALL] }`).',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A GPU container run privileged to reach the devices',
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
              '            privileged: true',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The GPU is requested through the device plugin instead',
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
              '            limits: { nvidia.com/gpu: 1 }',
              '          securityContext:',
              '            privileged: false',
              '            capabilities: { drop: [ALL] }',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
        { title: 'Kubernetes: schedule GPUs', url: 'https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/' },
      ],
    },
    kinds: ['k8s'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const m = await manifestsOf(ctx);
    if (m instanceof FormatError) {
      const { text } = await ctx.reader.text();
      // A Helm or other Go template is not a manifest until rendered; it is not reported as broken YAML.
      if (!text.includes('{{')) ctx.report({ message: `This Kubernetes manifest could not be parsed (${m.message}); fix the YAML so that it can be checked.` });
      return;
    }
    for (const pod of m.pods) {
      for (const c of pod.containers) {
        const priv = securitySetting(pod, c, 'privileged');
        if (priv.value === true && priv.pointer) {
          ctx.report({ message: `Container ${c.name} of ${pod.resource} runs privileged (privileged: true), which is root on the node: remove it and request devices through the device plugin.`, ...m.at(pod.doc, priv.pointer, true), fingerprintKey: `${pod.resource}\0${c.name}\0privileged` });
        }
        const sc = isObj(c.value.securityContext) ? c.value.securityContext : {};
        const add = isObj(sc.capabilities) && Array.isArray(sc.capabilities.add) ? sc.capabilities.add.map(String) : [];
        const bad = add.filter((cap) => DANGEROUS_CAPS.has(cap.toUpperCase().replace(/^CAP_/, '')));
        if (bad.length) {
          ctx.report({ message: `Container ${c.name} of ${pod.resource} adds capabilities ${bad.join(', ')}, which are close to root on the node: drop them (capabilities: { drop: [ALL] }).`, ...m.at(pod.doc, `${c.pointer}/securityContext/capabilities/add`, true), fingerprintKey: `${pod.resource}\0${c.name}\0caps` });
        }
      }
    }
  },
});
