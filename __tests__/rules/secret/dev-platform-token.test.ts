import rule from '../../../src/rules/secret/dev-platform-token.js';
import { redact } from '../../../src/engine/redact.js';
import { testRule } from '../../helpers/rule-tester.js';
import { fake } from '../../helpers/secrets.js';

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable.';
const gh = fake.github(31);

testRule(rule, {
  valid: [
    { name: 'GITHUB_TOKEN from the workflow context', files: { '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release list\n        env:\n          GH_TOKEN: ${{ github.token }}\n' } },
    { name: 'a token prefix without a token', files: { 'docs.md': 'GitHub classic tokens start with `ghp_`; fine-grained ones with `github_pat_`.\n' } },
    { name: 'npm auth from an environment variable', files: { '.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' } },
  ],
  invalid: [
    {
      name: 'a GitHub token in a clone URL inside a script',
      files: { 'scripts/fetch.sh': `#!/bin/sh\ngit clone https://${gh}@github.com/org/private-data.git\n` },
      errors: [{ line: 2, column: 19, severity: 'critical', message: `GitHub token ${redact(gh)} (github-pat): ${ACTION}` }],
    },
    {
      name: 'npm and PyPI upload tokens in dependency files',
      files: { '.npmrc': `//registry.npmjs.org/:_authToken=${fake.npm(32)}\n`, '.pypirc': `[pypi]\nusername = __token__\npassword = ${fake.pypi(33)}\n` },
      errors: [
        { path: '.npmrc', message: /^Npm access token npm_…\[redacted hmac:[0-9a-f]{8}\] \(npm-access-token\)/ },
        { path: '.pypirc', line: 3, message: /^PyPI upload token pypi…\[redacted hmac:[0-9a-f]{8}\] \(pypi-upload-token\)/ },
      ],
    },
    {
      name: 'Slack and GitLab tokens in a config',
      files: { 'notify.toml': `slack_token = "${fake.slackBot(34)}"\ngitlab = "${fake.gitlab(35)}"\n` },
      errors: [{ line: 1, message: /\(slack-token\)/ }, { line: 2, message: /\(gitlab-pat\)/ }],
    },
  ],
});
