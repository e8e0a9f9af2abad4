import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { workflowOf } from '../../formats/workflow.js';

export default defineRule({
  meta: {
    id: 'workflow/secrets-inherit',
    description: 'A reusable workflow is called with `secrets: inherit`, handing it every secret of the caller.',
    help: [
      '`secrets: inherit` passes all of the calling workflow\'s secrets to the called workflow, whatever it needs.',
      'If the called workflow lives in another repository, or is changed later, or runs third-party code, every',
      'secret is exposed: in ML repositories typically cloud credentials, model-registry and Hugging Face tokens.',
      '',
      '**Remediation**: pass only the secrets the called workflow declares, by name:',
      '`secrets: { HF_TOKEN: ${{ secrets.HF_TOKEN }} }`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A reusable workflow receives every secret of the repository',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: push',
              'jobs:',
              '  train:',
              '    uses: acme/ml-workflows/.github/workflows/train.yml@v1',
              '    secrets: inherit',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Only the secret it needs is passed, by name',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: push',
              'jobs:',
              '  train:',
              '    uses: acme/ml-workflows/.github/workflows/train.yml@v1',
              '    secrets:',
              '      HF_TOKEN: ${{ secrets.HF_TOKEN }}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'zizmor: secrets-inherit audit', url: 'https://docs.zizmor.sh/audits/#secrets-inherit' },
      ],
    },
    kinds: ['workflow'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError) return;
    for (const job of wf.jobs) {
      if (job.secrets?.value !== 'inherit') continue;
      ctx.report({
        message: `Job \`${job.id}\` calls \`${job.uses?.value ?? 'a reusable workflow'}\` with \`secrets: inherit\`, so it receives every secret: pass only the secrets it needs, by name.`,
        line: job.secrets.keyPos.line, column: job.secrets.keyPos.column, keyPath: job.secrets.pointer, fingerprintKey: job.id,
      });
    }
  },
});
