import { defineRule } from '../../engine/rule.js';

export default defineRule<Record<string, never>>({
  meta: {
    id: 'governance/symlink-escape',
    description: 'A symbolic link points outside the repository.',
    help: [
      'A symlink whose target lies outside the checkout makes every tool that follows it read (or write) files',
      'of the machine it runs on: a CI step that uploads `model/` as an artifact, or a loader that opens',
      '`config.json`, would reach `/etc/passwd`, the runner\'s credentials or another job\'s workspace. The gate',
      'never follows such a link; it reports it.',
      '',
      '**Remediation**: replace the link with the file it should contain, or point it at a path inside the',
      'repository.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A symlink in the PR points outside the checkout',
            lang: 'shell',
            code: [
              'ln -s /etc/passwd models/classifier/config.json',
              'git add models/classifier/config.json',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A symlink to a file inside the repository',
            lang: 'shell',
            code: [
              'ln -s ../shared/config.json models/classifier/config.json',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: [],
    defaultOptions: {},
  },
  checkRun(ctx) {
    for (const issue of ctx.discoveryIssues) {
      if (issue.kind !== 'symlink-escape') continue;
      ctx.report({
        path: issue.path,
        message: `Symbolic link leads outside the scanned tree (${issue.detail}); tools that follow it read files of the runner.`,
        fingerprintKey: issue.detail,
      });
    }
  },
});
