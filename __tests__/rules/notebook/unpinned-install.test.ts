import rule, { unpinnedPackages } from '../../../src/rules/notebook/unpinned-install.js';
import { describe, expect, it } from '@jest/globals';
import { buildNotebook, lineOf } from '../../helpers/notebook.js';
import { testRule } from '../../helpers/rule-tester.js';

const nb = buildNotebook([
  { type: 'markdown', source: 'Run `!pip install transformers` first.\n' },
  { source: 'import sys\n!pip install -q transformers datasets==2.21.0 "accelerate>=0.30"\n' },
]);

testRule(rule, {
  valid: [
    { name: 'every package pinned', files: { 'nb.ipynb': buildNotebook([{ source: '%pip install transformers==4.44.2 datasets===2.21.0\n' }]) } },
    { name: 'a pinned requirements file', files: { 'nb.ipynb': buildNotebook([{ source: '!pip install -r requirements.txt -c constraints.txt\n' }]) } },
    { name: 'a git reference pinned to a commit and a local wheel', files: { 'nb.ipynb': buildNotebook([{ source: `!pip install git+https://github.com/org/lib@${'a'.repeat(40)} ./dist/pkg-1.0-py3-none-any.whl\n` }]) } },
    { name: 'a package the policy ignores', files: { 'nb.ipynb': buildNotebook([{ source: '%pip install ipywidgets\n' }]) }, options: { ignore: ['IPyWidgets'] } },
    { name: 'pip install in a markdown cell', files: { 'nb.ipynb': buildNotebook([{ type: 'markdown', source: '!pip install torch\n' }]) } },
  ],
  invalid: [
    {
      name: 'unpinned and range-pinned packages in a code cell',
      files: { 'notebooks/train.ipynb': nb },
      errors: [{ line: lineOf(nb, '!pip install -q'), severity: 'low', message: 'Cell 2 installs transformers, accelerate>=0.30 without a pinned version; pin each package (transformers==<version>) or install from a pinned requirements file.' }],
    },
    {
      name: '%pip, python -m pip and uv pip',
      files: { 'nb.ipynb': buildNotebook([{ source: '%pip install torch\n!python -m pip install --upgrade numpy\n!uv pip install polars && echo done\n' }]) },
      errors: [
        { message: /^Cell 1 installs torch without a pinned version/ },
        { message: /^Cell 1 installs numpy without a pinned version/ },
        { message: /^Cell 1 installs polars without a pinned version/ },
      ],
    },
  ],
});

describe('unpinnedPackages', () => {
  it('skips options and their values, variables, and what follows a shell operator', () => {
    expect(unpinnedPackages(' -q --index-url https://x/simple torch $PKG numpy==1.26.4 ; pip install pandas')).toEqual(['torch']);
    expect(unpinnedPackages(' "transformers[torch]" scipy==1.*')).toEqual(['transformers[torch]', 'scipy==1.*']);
  });
});
