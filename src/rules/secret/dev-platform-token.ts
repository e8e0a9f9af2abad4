import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

export default defineRule<FamilyOptions>({
  meta: {
    id: 'secret/dev-platform-token',
    description: 'A token of a developer platform or package registry (GitHub, GitLab, Slack, npm, PyPI) is committed.',
    help: [
      'These tokens reach the supply chain around a model: a GitHub or GitLab token can push to the repository',
      'or its releases, an npm or PyPI upload token can publish a poisoned version of your package, a Slack token',
      'or webhook can post as your bots. Committed tokens are found by scrapers within minutes of a push.',
      'Prefixed formats (`ghp_`, `github_pat_`, `glpat-`, `xoxb-`, `npm_`, `pypi-`) are critical; a Slack',
      'webhook URL is high.',
      '',
      detectorsHelp('dev-platform'),
      '',
      '**Remediation**: revoke the token in the platform\'s settings, remove it from the branch and its history,',
      'and use the platform\'s short-lived credentials instead: `GITHUB_TOKEN` or a GitHub App in workflows, PyPI',
      'and npm trusted publishing (OIDC), or a secret store read at run time. A detector can be turned off with',
      '`exclude: [detector-id]`.',
    ].join('\n'),
    defaultSeverity: 'critical',
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('dev-platform'),
    defaultOptions: { exclude: [] },
  },
  checkFile: (ctx) => reportFamily(ctx, 'dev-platform', 'critical'),
});
