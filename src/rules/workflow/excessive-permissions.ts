import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { isMap, workflowOf, type Field } from '../../formats/workflow.js';
import { joinPointer } from '../../formats/yaml-positions.js';

interface Options { allowWorkflowLevel: string[] }

const DEFAULTS = 'the repository default (often read-write on every scope)';

export default defineRule<Options>({
  meta: {
    id: 'workflow/excessive-permissions',
    description: 'A workflow or job gets more GITHUB_TOKEN permissions than it states it needs: write-all, write scopes for every job, or the default.',
    help: [
      "Every job gets a GITHUB_TOKEN. Without a `permissions:` block it has the repository's default, which in",
      'many organisations is write access to contents, packages, pull requests and more; `write-all` grants every',
      'scope, and write scopes at the workflow level reach every job, including ones that only run third-party',
      'actions or build untrusted code. In ML repositories a token that can push can replace a model file, a',
      'training config or the gate policy itself.',
      '',
      '**Remediation**: set `permissions: {}` (or `contents: read`) at the top of the workflow and grant each job',
      'only the write scopes it uses, e.g. `permissions: { id-token: write }` on the one job that publishes.',
      'Scopes listed in `allowWorkflowLevel` may be granted at the workflow level.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'Every job of the workflow gets a token that can write everything',
            lang: 'yaml',
            file: '.github/workflows/release.yml',
            code: [
              'name: release',
              'on:',
              '  push:',
              '    tags: ["v*"]',
              'permissions: write-all',
              'jobs:',
              '  test:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - run: make test',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Nothing by default; each job asks for what it needs',
            lang: 'yaml',
            file: '.github/workflows/release.yml',
            code: [
              'name: release',
              'on:',
              '  push:',
              '    tags: ["v*"]',
              'permissions: {}',
              'jobs:',
              '  test:',
              '    runs-on: ubuntu-latest',
              '    permissions:',
              '      contents: read',
              '    steps:',
              '      - run: make test',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Docs: controlling permissions for GITHUB_TOKEN', url: 'https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token' },
        { title: 'zizmor: excessive-permissions audit', url: 'https://docs.zizmor.sh/audits/#excessive-permissions' },
      ],
    },
    kinds: ['workflow'],
    options: {
      type: 'object',
      properties: {
        allowWorkflowLevel: {
          type: 'array', items: { type: 'string' }, uniqueItems: true,
          description: 'Permission scopes that may be granted `write` at the workflow level (e.g. for single-job workflows).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowWorkflowLevel: [] },
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError || wf.kind !== 'workflow') return;
    const at = (f: Field, key = false) => ({ line: (key ? f.keyPos : f.pos).line, column: (key ? f.keyPos : f.pos).column, keyPath: f.pointer });
    const bare = wf.jobs.filter((j) => !j.permissions);
    // With one job lacking a block, the job's own finding says it all; with several, one top-level block fixes them.
    if (!wf.permissions && bare.length > 1) {
      ctx.report({
        message: `The workflow has no top-level \`permissions:\` block, so its jobs get ${DEFAULTS}: add \`permissions: {}\` (or \`contents: read\`) here and grant write scopes per job.`,
        line: wf.rootPos.line, column: wf.rootPos.column, fingerprintKey: 'workflow-default',
      });
    } else if (wf.permissions?.value === 'write-all') {
      ctx.report({ message: 'The workflow grants `permissions: write-all` to every job: list only the scopes each job needs.', ...at(wf.permissions, true), fingerprintKey: 'workflow-write-all' });
    } else if (wf.permissions && isMap(wf.permissions.value)) {
      const allowed = new Set(ctx.options.allowWorkflowLevel);
      for (const [scope, level] of Object.entries(wf.permissions.value)) {
        if (level !== 'write' || allowed.has(scope)) continue;
        const pointer = joinPointer(wf.permissions.pointer, scope);
        const pos = wf.doc.positionOf(pointer, 'key')!;
        ctx.report({
          message: `\`${scope}: write\` is granted at the workflow level, so every job gets it: move it to the job that needs it.`,
          line: pos.line, column: pos.column, keyPath: pointer, fingerprintKey: `workflow-scope\0${scope}`,
        });
      }
    }
    for (const job of wf.jobs) {
      if (job.permissions?.value === 'write-all') {
        ctx.report({ message: `Job \`${job.id}\` grants \`permissions: write-all\`: list only the scopes this job needs.`, ...at(job.permissions, true), fingerprintKey: `job-write-all\0${job.id}` });
      } else if (!job.permissions && !wf.permissions) {
        ctx.report({
          message: `Job \`${job.id}\` has no \`permissions:\` block and neither does the workflow, so it runs with ${DEFAULTS}: give it an explicit \`permissions:\`.`,
          line: job.keyPos.line, column: job.keyPos.column, keyPath: job.pointer, fingerprintKey: `job-default\0${job.id}`,
        });
      }
    }
  },
});
