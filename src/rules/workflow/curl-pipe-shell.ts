import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { CURL_PIPE_SHELL, locateInField, workflowOf } from '../../formats/workflow.js';

export default defineRule({
  meta: {
    id: 'workflow/curl-pipe-shell',
    description: 'A workflow step downloads a script and pipes it straight into a shell or interpreter.',
    help: [
      '`curl https://… | sh` runs whatever the server returns at that moment, with the job\'s token and secrets,',
      'and leaves no record of what ran. A compromised or hijacked download host (installers for CUDA tools, model',
      'CLIs and package managers are common in ML pipelines) becomes code execution in your CI.',
      '',
      '**Remediation**: download to a file, verify a pinned checksum or signature, then run it',
      '(`curl -fsSLo install.sh URL && echo "SHA256  install.sh" | sha256sum -c && sh install.sh`), or use a pinned',
      'action or package instead.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'An install script is piped straight into bash',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: push',
              'jobs:',
              '  setup:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - run: curl -fsSL https://get.example.com/install.sh | bash',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The script is downloaded, checked against a pinned checksum, then run',
            lang: 'yaml',
            file: '.github/workflows/ci.yml',
            code: [
              'on: push',
              'jobs:',
              '  setup:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - run: |',
              '          curl -fsSLo install.sh https://get.example.com/install.sh',
              '          sha256sum -c install.sh.sha256',
              '          sh install.sh',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Docs: security hardening for GitHub Actions', url: 'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions' },
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
      for (const step of job.steps) {
        if (!step.run) continue;
        const m = CURL_PIPE_SHELL.exec(step.run.value);
        if (!m) continue;
        const pos = locateInField(wf.source, step.run, m[0]);
        ctx.report({
          message: `This step pipes a download into an interpreter (\`${m[0].trim().slice(0, 100)}\`): download the script, verify its checksum, then run it.`,
          line: pos.line, column: pos.column, keyPath: step.run.pointer, fingerprintKey: `${job.id}\0${m[0]}`,
        });
      }
    }
  },
});
