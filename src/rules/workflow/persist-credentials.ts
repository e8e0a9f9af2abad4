import { defineRule } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { parseUses, workflowOf, type Step } from '../../formats/workflow.js';

const isAction = (step: Step, repo: string) => {
  const ref = step.uses ? parseUses(step.uses.value) : undefined;
  return ref?.owner?.toLowerCase() === 'actions' && ref.repo?.toLowerCase() === repo;
};
/** Uploading the whole workspace is one level worse than the configured severity. */
const RAISE: Record<Severity, Severity> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };
/** Upload paths that take the whole checkout, `.git/config` (with the persisted token) included. */
const WHOLE_WORKSPACE = /^\s*(\.\/?|\$\{\{\s*github\.workspace\s*\}\}\/?|\$GITHUB_WORKSPACE\/?|\*\*?)\s*$/m;

export default defineRule({
  meta: {
    id: 'workflow/persist-credentials',
    description: 'A job checks out with persisted credentials (the default) and later uploads an artifact, which can carry the token.',
    help: [
      '`actions/checkout` writes the job\'s GITHUB_TOKEN into `.git/config` unless told `persist-credentials: false`.',
      'When the job then uploads the workspace, or an archive made from it, as an artifact, anyone who can download',
      'the artifact (everyone, for a public repository) gets a working token while the job runs ("ArtiPACKED",',
      'Palo Alto Unit 42, 2024). ML jobs often upload whole output folders: checkpoints, evaluation reports, logs. Uploading the',
      'whole workspace is reported one level above the configured severity.',
      '',
      '**Remediation**: add `with: { persist-credentials: false }` to every checkout that does not need to push,',
      'and upload only the files you mean to publish (`path: dist/`), never `.` or `${{ github.workspace }}`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The checkout keeps the token in .git/config and the workspace is uploaded',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: push',
              'jobs:',
              '  build:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@v4',
              '      - uses: actions/upload-artifact@v4',
              '        with:',
              '          path: .',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The checkout does not persist the token',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: push',
              'jobs:',
              '  build:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@v4',
              '        with:',
              '          persist-credentials: false',
              '      - uses: actions/upload-artifact@v4',
              '        with:',
              '          path: dist/',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'zizmor: artipacked audit', url: 'https://docs.zizmor.sh/audits/#artipacked' },
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
      job.steps.forEach((step, i) => {
        if (!isAction(step, 'checkout') || String(step.with['persist-credentials']?.value) === 'false') return;
        const upload = job.steps.slice(i + 1).find((s) => isAction(s, 'upload-artifact'));
        if (!upload) return;
        const path = String(upload.with.path?.value ?? '');
        const whole = WHOLE_WORKSPACE.test(path);
        ctx.report({
          message: `This checkout keeps the GITHUB_TOKEN in .git/config and the job later uploads ${whole ? `the whole workspace (\`path: ${path.trim()}\`)` : `an artifact (\`path: ${path.trim() || '(none)'}\`, line ${upload.uses!.pos.line})`}: set \`persist-credentials: false\` on the checkout${whole ? ' and upload only the files you mean to publish' : ''}.`,
          severity: whole ? RAISE[ctx.severity] : ctx.severity,
          line: step.pos.line, column: step.pos.column, keyPath: step.pointer, fingerprintKey: `${job.id}\0${step.index}`,
        });
      });
    }
  },
});
