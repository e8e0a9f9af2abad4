import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { parseUses, workflowOf, type Step } from '../../formats/workflow.js';

const PRIVILEGED = ['pull_request_target', 'workflow_run'];
/** Refs that name the pull request's own code (rather than the base branch the trigger runs on). */
const PR_REF = /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch)|refs\/pull\/|github\.event\.pull_request\.merge_commit_sha|github\.event\.number|github\.event\.pull_request\.number/i;

export default defineRule({
  meta: {
    id: 'workflow/dangerous-trigger',
    description: 'A `pull_request_target` or `workflow_run` job checks out the pull request\'s code and then builds or runs it.',
    help: [
      '`pull_request_target` and `workflow_run` run in the context of the base repository: with its secrets and a',
      'token that can write, even for a pull request from a fork. Checking out the PR head in such a job and then',
      'running anything from it (`pip install .`, `npm install`, a test suite, a training script, a local action)',
      'hands those secrets to whoever opened the PR ("pwn request"). ML repositories are exposed twice: build',
      'steps run setup.py or conftest.py, and model files in the PR can run code when loaded.',
      '',
      '**Remediation**: build untrusted code under `pull_request` (no secrets, read-only token). If a privileged',
      'follow-up is needed, let the `pull_request` workflow upload results as an artifact and have a `workflow_run`',
      'job read them as data, never executing them; or check out the base ref only.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'pull_request_target checks out the PR head and runs its code, with a write token and secrets',
            lang: 'yaml',
            file: '.github/workflows/pr-build.yml',
            code: [
              'name: build PR',
              'on:',
              '  pull_request_target:',
              'permissions:',
              '  contents: read',
              'jobs:',
              '  build:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
              '        with:',
              '          ref: ${{ github.event.pull_request.head.sha }}',
              '          persist-credentials: false',
              '      - run: pip install -e . && pytest',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'pull_request runs the same build with a read-only token and no secrets for forks',
            lang: 'yaml',
            file: '.github/workflows/pr-build.yml',
            code: [
              'name: build PR',
              'on:',
              '  pull_request:',
              'permissions:',
              '  contents: read',
              'jobs:',
              '  build:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
              '        with:',
              '          persist-credentials: false',
              '      - run: pip install -e . && pytest',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Security Lab: preventing pwn requests', url: 'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/' },
        { title: 'zizmor: dangerous-triggers audit', url: 'https://docs.zizmor.sh/audits/#dangerous-triggers' },
      ],
    },
    kinds: ['workflow'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError || wf.kind !== 'workflow') return;
    const trigger = wf.triggers.find((t) => PRIVILEGED.includes(t));
    if (!trigger) return;
    for (const job of wf.jobs) {
      const at = job.steps.findIndex(checksOutPrCode);
      if (at < 0) continue;
      const runner = job.steps.slice(at + 1).find(runsCode);
      if (!runner) continue;
      const checkout = job.steps[at];
      const ref = checkout.with.ref ?? checkout.with.repository ?? checkout.run ?? checkout.uses!;
      const what = runner.run ? `runs \`${firstLine(runner.run.value)}\` (line ${runner.run.pos.line})` : `runs the local action \`${runner.uses!.value}\` (line ${runner.uses!.pos.line})`;
      ctx.report({
        message: `Job \`${job.id}\` runs on \`${trigger}\` with the base repository's secrets, checks out the pull request's code (\`${String(ref.value).trim().slice(0, 120)}\`) and then ${what}: build untrusted code under \`pull_request\` instead.`,
        line: ref.pos.line, column: ref.pos.column, keyPath: ref.pointer, fingerprintKey: `${job.id}\0${trigger}`,
      });
    }
  },
});

function checksOutPrCode(step: Step): boolean {
  if (step.uses) {
    const ref = parseUses(step.uses.value);
    if (ref.owner?.toLowerCase() !== 'actions' || ref.repo?.toLowerCase() !== 'checkout') return false;
    const text = [step.with.ref?.value, step.with.repository?.value].map(String).join(' ');
    return PR_REF.test(text) || /github\.event\.(pull_request\.head\.repo\.full_name|workflow_run\.head_repository\.full_name)/.test(text);
  }
  return Boolean(step.run && /\bgit\s+(fetch|checkout|pull|clone)\b/.test(step.run.value) && PR_REF.test(step.run.value)) || Boolean(step.run && /\bgh\s+pr\s+checkout\b/.test(step.run.value));
}

function runsCode(step: Step): boolean {
  if (step.run) return true;
  return Boolean(step.uses && parseUses(step.uses.value).kind === 'local');
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}
