import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { splitImage } from '../../formats/dockerfile.js';
import { manifestsOf } from '../../formats/k8s.js';

export default defineRule({
  meta: {
    id: 'k8s/unpinned-image',
    description: 'A container image has no tag, or the `:latest` tag, and no digest.',
    help: [
      'An untagged or `:latest` image is resolved when a node pulls it: two replicas of the same model server can',
      'run different code, a rollback does not roll back, and a compromised upstream tag is deployed on the next',
      'restart. Serving images such as vLLM, TGI or Triton move fast, so `latest` changes often.',
      '',
      '**Remediation**: deploy a version tag with its digest (`image: vllm/vllm-openai:v0.6.3@sha256:…`) and set',
      '`imagePullPolicy: IfNotPresent`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The model server image follows :latest',
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
              '          image: ollama/ollama:latest',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A version tag and a digest',
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
              '          image: vllm/vllm-openai:v0.6.3@sha256:0000000000000000000000000000000000000000000000000000000000000000',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: images (image names, tags and digests)', url: 'https://kubernetes.io/docs/concepts/containers/images/' },
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
        const image = c.value.image;
        if (typeof image !== 'string' || image.includes('{{') || image.includes('$(')) continue;
        const { tag, digest } = splitImage(image.trim());
        if (digest || (tag !== undefined && tag !== 'latest')) continue;
        ctx.report({
          message: `Container ${c.name} of ${pod.resource} uses image ${image} ${tag ? 'with the moving :latest tag' : 'without a tag'}: pin a version tag and a digest (@sha256:…).`,
          ...m.at(pod.doc, `${c.pointer}/image`), fingerprintKey: `${pod.resource}\0${c.name}\0${image}`,
        });
      }
    }
  },
});
