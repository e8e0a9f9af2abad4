import rule from '../../../src/rules/workflow/persist-credentials.js';
import { testRule } from '../../helpers/rule-tester.js';

const wf = (steps: string) => ({ '.github/workflows/ci.yml': `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}` });

testRule(rule, {
  valid: [
    { name: 'persist-credentials: false', files: wf('      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - uses: actions/upload-artifact@v4\n        with:\n          path: .\n') },
    { name: 'a checkout with no upload', files: wf('      - uses: actions/checkout@v4\n      - run: make\n') },
  ],
  invalid: [
    {
      name: 'the whole workspace is uploaded: one level up',
      files: wf('      - name: Checkout\n        uses: actions/checkout@v4\n      - uses: actions/upload-artifact@v4\n        with:\n          path: ${{ github.workspace }}\n'),
      errors: [{ line: 6, column: 9, severity: 'high', message: 'This checkout keeps the GITHUB_TOKEN in .git/config and the job later uploads the whole workspace (`path: ${{ github.workspace }}`): set `persist-credentials: false` on the checkout and upload only the files you mean to publish.' }],
    },
    {
      name: 'another artifact after a persisting checkout',
      files: wf('      - uses: actions/checkout@v4\n      - run: tar -cf out.tar .\n      - uses: actions/upload-artifact@v4\n        with:\n          path: out.tar\n'),
      errors: [{ line: 6, column: 9, severity: 'medium', message: 'This checkout keeps the GITHUB_TOKEN in .git/config and the job later uploads an artifact (`path: out.tar`, line 8): set `persist-credentials: false` on the checkout.' }],
    },
  ],
});
