import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { isMap, workflowOf } from '../../formats/workflow.js';

/** Triggers through which people outside the repository start a run. */
const OUTSIDE = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment', 'issue_comment', 'workflow_run'];

export default defineRule({
  meta: {
    id: 'workflow/self-hosted-on-pr',
    description: 'A job runs on a self-hosted runner in a workflow that pull requests or comments can trigger.',
    help: [
      'A self-hosted runner is a machine you own that keeps its state between jobs. When a pull request (from a fork,',
      'in a public repository) can start a job on it, the PR\'s code runs on that machine: it can persist a backdoor',
      'for later jobs, read other jobs\' secrets and caches, and reach the internal network. GPU runners for training',
      'and evaluation are the usual self-hosted machines in ML repositories, and often sit next to data stores.',
      '',
      '**Remediation**: run pull-request jobs on GitHub-hosted runners, or on ephemeral, isolated self-hosted runners',
      '(one job per machine, e.g. actions-runner-controller with ephemeral pods); require approval for fork PRs.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'Pull requests run on a self-hosted GPU runner',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: pull_request',
              'jobs:',
              '  train:',
              '    runs-on: [self-hosted, gpu]',
              '    steps:',
              '      - run: python train.py',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The self-hosted runner is used only for pushes to the repository',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on:',
              '  push:',
              '    branches: [main]',
              'jobs:',
              '  train:',
              '    runs-on: [self-hosted, gpu]',
              '    steps:',
              '      - run: python train.py',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Docs: security hardening for GitHub Actions (self-hosted runners)', url: 'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions' },
        { title: 'zizmor: self-hosted-runner audit', url: 'https://docs.zizmor.sh/audits/#self-hosted-runner' },
      ],
    },
    kinds: ['workflow'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError || wf.kind !== 'workflow') return;
    const trigger = wf.triggers.find((t) => OUTSIDE.includes(t));
    if (!trigger) return;
    for (const job of wf.jobs) {
      if (!job.runsOn || !labels(job.runsOn.value).includes('self-hosted')) continue;
      ctx.report({
        message: `Job \`${job.id}\` runs on a self-hosted runner and the workflow runs on \`${trigger}\`, so outside contributors' code can run on that machine: use a GitHub-hosted or ephemeral runner for this trigger.`,
        line: job.runsOn.pos.line, column: job.runsOn.pos.column, keyPath: job.runsOn.pointer, fingerprintKey: job.id,
      });
    }
  },
});

function labels(runsOn: unknown): string[] {
  if (typeof runsOn === 'string') return [runsOn.toLowerCase()];
  if (Array.isArray(runsOn)) return runsOn.map((l) => String(l).toLowerCase());
  if (isMap(runsOn)) return labels(runsOn.labels);
  return [];
}
