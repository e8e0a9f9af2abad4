import rule from '../../../src/rules/notebook/large-output.js';
import { buildNotebook, display, lineOf } from '../../helpers/notebook.js';
import { testRule } from '../../helpers/rule-tester.js';
import { B64, randomString } from '../../helpers/secrets.js';

/** Base64 of about `bytes` bytes, split in lines as Jupyter writes some payloads. */
const b64 = (bytes: number, seed = 1) => randomString(B64, Math.ceil((bytes * 4) / 3 / 4) * 4, seed);
const bigPng = b64(600 * 1024);
const nb = buildNotebook([{ source: 'plt.show()\n', outputs: [display({ 'image/png': bigPng, 'text/plain': ['<Figure>'] })] }]);
const html = buildNotebook([{ source: 'HTML(x)\n', outputs: [display({ 'text/html': [`<img src="data:image/jpeg;base64,${b64(200 * 1024, 2)}">`] })] }]);

testRule(rule, {
  valid: [
    { name: 'a small plot', files: { 'nb.ipynb': buildNotebook([{ source: 'plt.show()\n', outputs: [display({ 'image/png': b64(40 * 1024) })] }]) } },
    { name: 'a large plot under a raised limit', files: { 'nb.ipynb': nb }, options: { 'max-bytes': 1024 * 1024 } },
    { name: 'long text output is not a base64 payload', files: { 'nb.ipynb': buildNotebook([{ source: 'print(x)\n', outputs: [display({ 'text/plain': ['loss 0.1\n'.repeat(80000)] })] }]) } },
  ],
  invalid: [
    {
      name: 'a 600 KiB PNG output',
      files: { 'reports/eval.ipynb': nb },
      errors: [{ line: lineOf(nb, bigPng.slice(0, 40)), severity: 'low', message: 'Cell 1 has a 600 KiB image/png output (the policy allows 512 KiB); clear the outputs before committing (jupyter nbconvert --clear-output) or save the figure as a file.' }],
    },
    {
      name: 'a data URI inside an HTML output, with a lower limit',
      files: { 'nb.ipynb': html },
      options: { 'max-bytes': 100 * 1024 },
      errors: [{ message: 'Cell 1 has a 200 KiB image/jpeg output (the policy allows 100 KiB); clear the outputs before committing (jupyter nbconvert --clear-output) or save the figure as a file.' }],
    },
  ],
});
