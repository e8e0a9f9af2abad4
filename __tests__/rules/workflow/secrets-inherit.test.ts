import rule from '../../../src/rules/workflow/secrets-inherit.js';
import { testRule } from '../../helpers/rule-tester.js';

const path = '.github/workflows/ci.yml';
testRule(rule, {
  valid: [
    { name: 'secrets passed by name', files: { [path]: 'on: push\njobs:\n  call:\n    uses: org/r/.github/workflows/x.yml@v1\n    secrets:\n      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n' } },
    { name: 'no secrets passed', files: { [path]: 'on: push\njobs:\n  call:\n    uses: org/r/.github/workflows/x.yml@v1\n' } },
  ],
  invalid: [
    {
      name: 'secrets: inherit points at the key',
      files: { [path]: 'on: push\njobs:\n  call:\n    uses: org/r/.github/workflows/x.yml@v1\n    secrets: inherit\n' },
      errors: [{ line: 5, column: 5, severity: 'medium', message: 'Job `call` calls `org/r/.github/workflows/x.yml@v1` with `secrets: inherit`, so it receives every secret: pass only the secrets it needs, by name.' }],
    },
  ],
});
