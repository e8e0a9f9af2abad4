import rule from '../../../src/rules/workflow/github-env.js';
import { testRule } from '../../helpers/rule-tester.js';

const wf = (on: string, step: string) => ({ '.github/workflows/ci.yml': `on: ${on}\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${step}` });

testRule(rule, {
  valid: [
    { name: 'a fixed value on push', files: wf('push', '      - run: echo "PY=3.11" >> $GITHUB_ENV\n') },
    { name: 'step outputs on pull_request_target', files: wf('pull_request_target', '      - run: echo "x=1" >> "$GITHUB_OUTPUT"\n') },
  ],
  invalid: [
    {
      name: 'pull_request_target writes to GITHUB_ENV: points at run',
      files: wf('pull_request_target', '      - run: |\n          echo "msg=$TITLE" >> $GITHUB_ENV\n        env:\n          TITLE: ${{ github.event.pull_request.title }}\n'),
      errors: [{ line: 7, column: 9, severity: 'high', message: 'This step writes to GITHUB_ENV and its environment carries `${{ github.event.pull_request.title }}`, so untrusted text can set variables (or PATH) for later steps: pass values through step outputs instead.' }],
    },
    {
      name: 'an untrusted expression written to GITHUB_PATH on push',
      files: wf('push', '      - run: echo "${{ github.event.head_commit.message }}" >> "${GITHUB_PATH}"\n'),
      errors: [{ message: 'This step writes to GITHUB_PATH and `${{ github.event.head_commit.message }}` reaches the script, so untrusted text can set variables (or PATH) for later steps: pass values through step outputs instead.' }],
    },
    {
      name: 'workflow_run with tee -a',
      files: wf('workflow_run', '      - run: cat artifact.txt | tee -a $GITHUB_ENV\n'),
      errors: [{ message: /and the workflow runs on `workflow_run`/ }],
    },
  ],
});
