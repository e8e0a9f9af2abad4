import rule from '../../../src/rules/workflow/dangerous-trigger.js';
import { testRule } from '../../helpers/rule-tester.js';

const wf = (on: string, steps: string) => ({ '.github/workflows/ci.yml': `on: ${on}\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${steps}` });
const headCheckout = '      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n';

testRule(rule, {
  valid: [
    { name: 'pull_request building the PR is fine', files: wf('pull_request', `${headCheckout}      - run: pip install .\n`) },
    { name: 'pull_request_target checking out the base only', files: wf('pull_request_target', '      - uses: actions/checkout@v4\n      - run: python label.py\n') },
    { name: 'pull_request_target checking out the head but running nothing after', files: wf('pull_request_target', `      - run: echo start\n${headCheckout}      - uses: actions/upload-artifact@v4\n`) },
  ],
  invalid: [
    {
      name: 'pull_request_target checks out the head SHA and installs it',
      files: wf('pull_request_target', `${headCheckout}      - run: |\n          pip install -e .\n          pytest\n`),
      errors: [{ line: 9, column: 16, severity: 'high', message: "Job `build` runs on `pull_request_target` with the base repository's secrets, checks out the pull request's code (`${{ github.event.pull_request.head.sha }}`) and then runs `pip install -e .` (line 10): build untrusted code under `pull_request` instead." }],
    },
    {
      name: 'workflow_run checks out the head branch and runs a local action',
      files: wf('\n  workflow_run:\n    workflows: [CI]', '      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.workflow_run.head_branch }}\n      - uses: ./.github/actions/train\n'),
      errors: [{ line: 11, message: /^Job `build` runs on `workflow_run` .* then runs the local action `\.\/\.github\/actions\/train` \(line 12\)/ }],
    },
    {
      name: 'gh pr checkout in a shell step',
      files: wf('[pull_request_target]', '      - run: gh pr checkout ${{ github.event.number }}\n      - run: make test\n'),
      errors: [{ line: 7, message: /checks out the pull request's code \(`gh pr checkout/ }],
    },
  ],
});
