import rule from '../../../src/rules/workflow/excessive-permissions.js';
import { testRule } from '../../helpers/rule-tester.js';

const path = '.github/workflows/ci.yml';
const job = (name: string, extra = '') => `  ${name}:\n    runs-on: ubuntu-latest\n${extra}    steps:\n      - run: make\n`;

testRule(rule, {
  valid: [
    { name: 'empty top-level permissions and a job with a scoped write', files: { [path]: `on: push\npermissions: {}\njobs:\n${job('a', '    permissions:\n      id-token: write\n')}` } },
    { name: 'read scopes at the workflow level', files: { [path]: `on: push\npermissions:\n  contents: read\njobs:\n${job('a')}` } },
    { name: 'every job states its permissions', files: { [path]: `on: push\njobs:\n${job('a', '    permissions: read-all\n')}${job('b', '    permissions: {}\n')}` } },
    { name: 'a workflow-level write scope the policy allows', files: { [path]: `on: push\npermissions:\n  contents: write\njobs:\n${job('a')}` }, options: { allowWorkflowLevel: ['contents'] } },
  ],
  invalid: [
    {
      name: 'no permissions anywhere, two jobs',
      files: { [path]: `on: push\njobs:\n${job('a')}${job('b')}` },
      errors: [
        { line: 1, column: 1, message: 'The workflow has no top-level `permissions:` block, so its jobs get the repository default (often read-write on every scope): add `permissions: {}` (or `contents: read`) here and grant write scopes per job.' },
        { line: 3, column: 3, message: 'Job `a` has no `permissions:` block and neither does the workflow, so it runs with the repository default (often read-write on every scope): give it an explicit `permissions:`.' },
        { line: 7, column: 3, message: /^Job `b` has no `permissions:` block/ },
      ],
    },
    {
      name: 'one job without a block: only the job is reported',
      files: { [path]: `on: push\njobs:\n${job('only')}` },
      errors: [{ line: 3, column: 3, message: /^Job `only` has no `permissions:` block/ }],
    },
    {
      name: 'workflow-level write scopes and a write-all job',
      files: { [path]: `on: push\npermissions:\n  contents: write\n  pull-requests: read\n  id-token: write\njobs:\n${job('a', '    permissions: write-all\n')}` },
      errors: [
        { line: 3, column: 3, message: '`contents: write` is granted at the workflow level, so every job gets it: move it to the job that needs it.' },
        { line: 5, column: 3, message: /^`id-token: write` is granted at the workflow level/ },
        { line: 9, column: 5, message: 'Job `a` grants `permissions: write-all`: list only the scopes this job needs.' },
      ],
    },
    {
      name: 'write-all at the top',
      files: { [path]: `on: push\npermissions: write-all\njobs:\n${job('a')}` },
      errors: [{ line: 2, column: 1, message: 'The workflow grants `permissions: write-all` to every job: list only the scopes each job needs.' }],
    },
  ],
});
