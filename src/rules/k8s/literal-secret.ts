import { defineRule } from '../../engine/rule.js';
import { redact } from '../../engine/redact.js';
import { literalSecret } from '../../detect/secret-names.js';
import { FormatError } from '../../formats/errors.js';
import { isObj, manifestsOf } from '../../formats/k8s.js';
import { joinPointer } from '../../formats/yaml-positions.js';

export default defineRule({
  meta: {
    id: 'k8s/literal-secret',
    description: 'A manifest holds a credential in clear: a literal env value under a credential name, or a Secret with data.',
    help: [
      'A value written into a manifest is in the repository\'s history for good, and readable by anyone who can read',
      'the Deployment. Model servers need Hugging Face, registry and cloud credentials; `env: [{ name: HF_TOKEN,',
      'value: hf_… }]` publishes them. A `Secret` manifest with `data`/`stringData` committed to git is the same',
      '(base64 is an encoding, not encryption).',
      '',
      '**Remediation**: remove the value and rotate the credential; reference a Secret (`valueFrom.secretKeyRef`)',
      'created outside git, or commit it encrypted (Sealed Secrets, SOPS, External Secrets).',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A database password written into the manifest',
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
              '          env:',
              '            - name: DB_PASSWORD',
              '              value: "…elided…"',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The password comes from a Secret created outside git',
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
              '          env:',
              '            - name: DB_PASSWORD',
              '              valueFrom:',
              '                secretKeyRef: { name: db, key: password }',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: Secrets', url: 'https://kubernetes.io/docs/concepts/configuration/secret/' },
        { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
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
        const env = Array.isArray(c.value.env) ? c.value.env : [];
        env.forEach((e, i) => {
          if (!isObj(e) || typeof e.value !== 'string') return;
          const hit = literalSecret(String(e.name ?? ''), e.value);
          if (!hit) return;
          ctx.report({
            message: `Container ${c.name} of ${pod.resource} sets env ${String(e.name)} to ${hit.why} (${redact(hit.value)}): rotate it and reference a Secret (valueFrom.secretKeyRef) instead.`,
            ...m.at(pod.doc, `${c.pointer}/env/${i}/value`), severity: hit.severity ?? ctx.severity, sensitive: [hit.value], fingerprintKey: `${pod.resource}\0${c.name}\0${String(e.name)}`,
          });
        });
      }
    }
    for (const r of m.resources) {
      if (r.kind !== 'Secret') continue;
      for (const field of ['data', 'stringData']) {
        const data = r.value[field];
        if (!isObj(data)) continue;
        for (const [key, value] of Object.entries(data)) {
          if (typeof value !== 'string' || value === '') continue;
          ctx.report({
            message: `Secret/${r.name} holds ${key} in ${field} (${redact(value)}) in the repository: rotate it and create the Secret outside git or commit it encrypted (Sealed Secrets, SOPS).`,
            ...m.at(r.doc, joinPointer(`${r.pointer}/${field}`, key), true), sensitive: [value], fingerprintKey: `Secret/${r.name}\0${key}`,
          });
        }
      }
    }
  },
});
