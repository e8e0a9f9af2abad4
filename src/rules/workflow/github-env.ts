import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { workflowOf } from '../../formats/workflow.js';

/** Triggers whose runs carry data from people outside the repository, with a privileged token. */
const UNTRUSTED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment', 'pull_request_review', 'pull_request_review_comment'];
const WRITE = /(>>?|\btee\b(\s+-a)?|Out-File|Add-Content)\s*["']?(\$\{?|\$env:)GITHUB_(ENV|PATH)\b/i;
const UNTRUSTED_EXPR = /github\.event\.(issue|pull_request|comment|review|review_comment|discussion|head_commit|commits|workflow_run|pages)\b|github\.head_ref/i;

export default defineRule({
  meta: {
    id: 'workflow/github-env',
    description: 'A step writes to `GITHUB_ENV` or `GITHUB_PATH` in a workflow that handles untrusted input.',
    help: [
      'Lines written to `$GITHUB_ENV` become environment variables of every later step, and `$GITHUB_PATH` decides',
      'which programs they run. If the written text can come from a pull request, issue or comment, an attacker can',
      'set `LD_PRELOAD`, `BASH_ENV`, `NODE_OPTIONS` or `PYTHONPATH` (a favourite in ML jobs) and run code in the',
      'privileged steps that follow. In `pull_request_target` and `workflow_run` workflows even data from an',
      'artifact or the checked-out PR counts as untrusted.',
      '',
      '**Remediation**: pass values between steps with step outputs (`$GITHUB_OUTPUT`) and read them as',
      '`${{ steps.x.outputs.y }}` in `env:`; if an environment file is required, write only fixed names with',
      'validated values, never text derived from the event.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A pull request title is written to GITHUB_ENV in a pull_request_target workflow',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: pull_request_target',
              'permissions: {}',
              'jobs:',
              '  label:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - run: echo "TITLE=$TITLE" >> "$GITHUB_ENV"',
              '        env:',
              '          TITLE: ${{ github.event.pull_request.title }}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The value is passed on as a step output instead',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: pull_request_target',
              'permissions: {}',
              'jobs:',
              '  label:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - id: meta',
              '        run: echo "ready=1" >> "$GITHUB_OUTPUT"',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'zizmor: github-env audit', url: 'https://docs.zizmor.sh/audits/#github-env' },
      ],
    },
    kinds: ['workflow'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const wf = await workflowOf(ctx);
    if (wf instanceof FormatError) return;
    const trigger = wf.triggers.find((t) => UNTRUSTED_TRIGGERS.includes(t));
    for (const job of wf.jobs) {
      for (const step of job.steps) {
        if (!step.run) continue;
        const m = WRITE.exec(step.run.value);
        if (!m) continue;
        const file = `GITHUB_${m[4].toUpperCase()}`;
        const expr = wf.expressions(step.run).find((e) => UNTRUSTED_EXPR.test(e.text));
        const envExpr = Object.values(step.env).find((f) => typeof f.value === 'string' && UNTRUSTED_EXPR.test(f.value));
        if (!trigger && !expr && !envExpr) continue;
        const why = expr ? `\`\${{ ${expr.text} }}\` reaches the script`
          : envExpr ? `its environment carries \`${String(envExpr.value).trim()}\``
            : `the workflow runs on \`${trigger}\``;
        ctx.report({
          message: `This step writes to ${file} and ${why}, so untrusted text can set variables (or PATH) for later steps: pass values through step outputs instead.`,
          line: step.run.keyPos.line, column: step.run.keyPos.column, keyPath: step.run.pointer, fingerprintKey: `${job.id}\0${step.index}`,
        });
      }
    }
  },
});
