import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { FULL_SHA, parseUses, workflowOf, type Field } from '../../formats/workflow.js';

interface Options { allowOwners: string[] }

export default defineRule<Options>({
  meta: {
    id: 'workflow/unpinned-action',
    description: 'An action, reusable workflow or docker:// image is referenced by a tag or branch rather than a full commit SHA or digest.',
    help: [
      'A tag or branch is a moving pointer: whoever controls the action repository (or steals its maintainer\'s',
      'token, as in the tj-actions/changed-files compromise of March 2025) can point `v4` at new code, and every',
      'workflow using it runs that code with its secrets on the next run. Workflows in ML repositories hold',
      'model-registry, cloud and Hugging Face tokens, which makes them a worthwhile target. Only a full 40-character',
      'commit SHA (or an image digest for `docker://`) is immutable.',
      '',
      '**Remediation**: pin to the commit SHA and keep the tag as a comment, e.g.',
      '`uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`; let Dependabot or Renovate',
      'update the pins. Owners you trust to keep tags immutable (e.g. your own organisation) can be listed in',
      '`allowOwners` (`my-org` or `my-org/repo`).',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'An action pinned by a tag its owner can move',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'name: ci',
              'on: push',
              'permissions:',
              '  contents: read',
              'jobs:',
              '  test:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@v4',
              '      - run: make test',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Pinned by commit SHA, the tag kept as a comment',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'name: ci',
              'on: push',
              'permissions:',
              '  contents: read',
              'jobs:',
              '  test:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
              '      - run: make test',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Docs: using third-party actions', url: 'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions' },
        { title: 'zizmor: unpinned-uses audit', url: 'https://docs.zizmor.sh/audits/#unpinned-uses' },
      ],
    },
    kinds: ['workflow'],
    options: {
      type: 'object',
      properties: {
        allowOwners: {
          type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$' }, uniqueItems: true,
          description: 'Owners (`actions`) or repositories (`actions/checkout`) whose actions may be pinned by tag.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowOwners: [] },
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError) return;
    const allowed = new Set(ctx.options.allowOwners.map((o) => o.toLowerCase()));
    const uses: Field<string>[] = [];
    for (const job of wf.jobs) {
      if (job.uses) uses.push(job.uses);
      for (const step of job.steps) if (step.uses) uses.push(step.uses);
    }
    for (const field of uses) {
      const message = problem(field.value, allowed);
      if (message) ctx.report({ message, line: field.pos.line, column: field.pos.column, keyPath: field.pointer, fingerprintKey: field.value });
    }
  },
});

function problem(uses: string, allowed: Set<string>): string | undefined {
  const ref = parseUses(uses);
  if (ref.kind === 'local') return undefined;
  if (ref.kind === 'docker') {
    if (/@sha256:[0-9a-f]{64}$/i.test(ref.image ?? '')) return undefined;
    return `\`${uses}\` runs a container image by tag, which can change under you: pin it by digest (\`docker://image@sha256:…\`).`;
  }
  if (ref.ref && FULL_SHA.test(ref.ref)) return undefined;
  const owner = (ref.owner ?? '').toLowerCase();
  if (allowed.has(owner) || allowed.has(`${owner}/${(ref.repo ?? '').toLowerCase()}`)) return undefined;
  if (!ref.ref) return `\`${uses}\` names no version at all: pin it to a full commit SHA.`;
  return `\`${uses}\` is pinned to \`${ref.ref}\`, a ref its owner can move: pin it to the full commit SHA (and keep \`# ${ref.ref}\` as a comment).`;
}
