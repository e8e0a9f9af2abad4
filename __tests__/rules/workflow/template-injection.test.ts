import rule from '../../../src/rules/workflow/template-injection.js';
import { testRule } from '../../helpers/rule-tester.js';

const wf = (body: string, on = 'issues') => ({ '.github/workflows/ci.yml': `on: ${on}\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n${body}` });

testRule(rule, {
  valid: [
    { name: 'an untrusted value passed through env and quoted', files: wf('    steps:\n      - run: echo "$TITLE"\n        env:\n          TITLE: ${{ github.event.issue.title }}\n') },
    { name: 'trusted contexts (sha, workspace, secrets, static matrix)', files: wf('    strategy:\n      matrix:\n        py: ["3.11"]\n    steps:\n      - run: |\n          echo ${{ github.sha }} ${{ github.workspace }} ${{ matrix.py }}\n          login ${{ secrets.TOKEN }}\n') },
    { name: 'a comparison can only be a boolean', files: wf("    steps:\n      - run: echo ${{ github.event.issue.title == 'x' }}\n") },
    { name: 'an untrusted context in a string literal is text', files: wf("    steps:\n      - run: echo \"${{ format('github.event.issue.title {0}', github.run_id) }}\"\n") },
    { name: 'an untrusted context in `with:` of an ordinary action', files: wf('    steps:\n      - uses: some/action@0123456789abcdef0123456789abcdef01234567\n        with:\n          title: ${{ github.event.issue.title }}\n') },
    { name: 'a YAML file outside .github/workflows is not a workflow', files: { 'ci/ci.yml': 'jobs:\n  a:\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n' } },
  ],
  invalid: [
    {
      name: 'an issue title in run: points at the context',
      files: wf('    steps:\n      - run: |\n          echo "issue: ${{ github.event.issue.title }}"\n'),
      errors: [{ line: 8, column: 28, severity: 'high', message: '`${{ github.event.issue.title }}` is expanded inside run:; anyone who opens an issue controls this shell: pass it through an environment variable and quote it instead.' }],
    },
    {
      name: 'several contexts on several lines, bracket syntax and head_ref',
      files: wf("    steps:\n      - name: x\n        run: |\n          a ${{ github.event['pull_request'].body }}\n          b ${{ github.head_ref }} ${{ toJSON(github.event.commits[0].message) }}\n", 'pull_request_target'),
      errors: [
        { line: 9, column: 17, message: /^`\$\{\{ github\.event\['pull_request'\]\.body \}\}` is expanded inside run:; anyone who opens a pull request/ },
        { line: 10, column: 17, message: /github\.head_ref/ },
        { line: 10, column: 47, message: /the author of a pushed commit/ },
      ],
    },
    {
      name: 'github-script script: and the whole event object',
      files: wf('    steps:\n      - uses: actions/github-script@v7\n        with:\n          script: |\n            const e = ${{ toJSON(github.event) }}\n'),
      errors: [{ line: 10, column: 34, message: /inside github-script `script:`; anyone who opens an issue controls this script/ }],
    },
    {
      name: 'inputs and a dynamic matrix are one level lower',
      files: wf("    strategy:\n      matrix:\n        v: ${{ fromJSON(github.event.client_payload.versions) }}\n    steps:\n      - run: echo ${{ inputs.name }} ${{ matrix.v }}\n", 'workflow_dispatch'),
      errors: [
        { line: 10, column: 23, severity: 'medium', message: /`\$\{\{ inputs\.name \}\}` is expanded inside run:; whoever dispatches or calls this workflow/ },
        { line: 10, column: 42, severity: 'medium', message: /whoever controls the expression that builds this matrix/ },
      ],
    },
    {
      name: 'a composite action.yml step',
      files: { 'action.yml': 'name: x\nruns:\n  using: composite\n  steps:\n    - run: echo ${{ github.event.comment.body }}\n      shell: bash\n' },
      errors: [{ path: 'action.yml', line: 5, column: 21, message: /anyone who can comment/ }],
    },
    {
      name: 'a workflow that is not valid YAML is reported, not passed',
      files: { '.github/workflows/bad.yml': 'on: push\njobs:\n  a: [\n' },
      errors: [{ message: /^This workflow could not be parsed \(.*\); fix the YAML so that it can be checked\.$/ }],
    },
  ],
});
