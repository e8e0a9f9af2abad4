import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, prepareSecretSearch, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

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
    docs: {
      examples: {
        bad: [
          {
            title: 'A personal access token in a workflow (value elided here)',
            lang: 'yaml',
            code: [
              '- run: git push https://x-access-token:ghp_…@github.com/acme/models.git   # the real token, committed',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The job token, scoped by permissions and gone when the job ends',
            lang: 'yaml',
            file: '.github/workflows/publish.yml',
            code: [
              'name: publish',
              'on:',
              '  push:',
              '    tags: ["v*"]',
              'permissions: {}',
              'jobs:',
              '  publish:',
              '    runs-on: ubuntu-latest',
              '    permissions:',
              '      contents: write',
              '    steps:',
              '      - run: gh release create "$GITHUB_REF_NAME" --generate-notes',
              '        env:',
              '          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub Docs: token expiration and revocation', url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation' },
        { title: 'PyPI: trusted publishers (no long-lived upload token)', url: 'https://docs.pypi.org/trusted-publishers/' },
        { title: 'GitHub Docs: about secret scanning', url: 'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning' },
        { title: 'GitHub Docs: removing sensitive data from a repository', url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository' },
        { title: 'gitleaks (the rule samples our tests compare with)', url: 'https://github.com/gitleaks/gitleaks' },
      ],
    },
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('dev-platform'),
    defaultOptions: { exclude: [] },
  },
  prepare: (ctx) => prepareSecretSearch(ctx),
  checkFile: (ctx) => reportFamily(ctx, 'dev-platform', 'critical'),
});
