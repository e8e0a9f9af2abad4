import { defineRule } from '../../engine/rule.js';
import { redact } from '../../engine/redact.js';
import { literalSecret } from '../../detect/secret-names.js';
import { FormatError } from '../../formats/errors.js';
import { dockerfileOf, keyValues } from '../../formats/dockerfile.js';

export default defineRule({
  meta: {
    id: 'container/literal-secret',
    description: 'An ENV or ARG instruction sets a credential to a literal value.',
    help: [
      'ENV values are stored in the image configuration and ARG values in its build history: anyone who can pull',
      'the image (`docker history`, `docker inspect`) reads them, long after the Dockerfile changed. Model-serving',
      'images commonly need Hugging Face, registry or cloud credentials, and baking them in publishes them with',
      'the image.',
      '',
      '**Remediation**: remove the value, rotate the credential, and provide it at run time (an orchestrator',
      'secret or `docker run -e`) or at build time with a BuildKit secret mount',
      '(`RUN --mount=type=secret,id=hf_token …`).',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A password baked into the image configuration',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM python:3.12-slim',
              'ENV DB_PASSWORD=elided-example-value',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The secret is mounted for one RUN step with BuildKit',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM python:3.12-slim',
              'RUN --mount=type=secret,id=hf_token,env=HF_TOKEN python download_model.py',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Docker: build secrets', url: 'https://docs.docker.com/build/building/secrets/' },
      ],
    },
    kinds: ['dockerfile'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const df = await dockerfileOf(ctx);
    if (df instanceof FormatError) return;
    for (const ins of df.instructions) {
      if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
      for (const { key, value } of keyValues(ins.args)) {
        const hit = literalSecret(key, value);
        if (!hit) continue;
        ctx.report({
          message: `${ins.keyword} ${key} is set to ${hit.why} (${redact(hit.value)}), which stays in the image${ins.keyword === 'ARG' ? ' history' : ' configuration'}: remove it, rotate it, and pass it at run time or with a BuildKit secret mount.`,
          line: ins.line, column: ins.column, severity: hit.severity ?? ctx.severity, sensitive: [hit.value], fingerprintKey: `${ins.keyword}\0${key}`,
        });
      }
    }
  },
});
