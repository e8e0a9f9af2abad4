import rule from '../../../src/rules/workflow/self-hosted-on-pr.js';
import { testRule } from '../../helpers/rule-tester.js';

const wf = (on: string, runsOn: string) => ({ '.github/workflows/ci.yml': `on: ${on}\njobs:\n  train:\n    runs-on: ${runsOn}\n    steps:\n      - run: python train.py\n` });

testRule(rule, {
  valid: [
    { name: 'self-hosted on push only', files: wf('push', '[self-hosted, gpu]') },
    { name: 'GitHub-hosted on pull_request', files: wf('pull_request', 'ubuntu-latest') },
  ],
  invalid: [
    {
      name: 'a self-hosted GPU runner on pull_request',
      files: wf('[push, pull_request]', '[self-hosted, gpu]'),
      errors: [{ line: 4, column: 14, severity: 'high', message: "Job `train` runs on a self-hosted runner and the workflow runs on `pull_request`, so outside contributors' code can run on that machine: use a GitHub-hosted or ephemeral runner for this trigger." }],
    },
    {
      name: 'labels given as a group mapping',
      files: wf('issue_comment', '\n      labels: [self-hosted]'),
      errors: [{ line: 5, message: /runs on `issue_comment`/ }],
    },
  ],
});
