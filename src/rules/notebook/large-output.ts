import { defineRule } from '../../engine/rule.js';
import { loadNotebook } from '../../formats/ipynb.js';

interface Options { 'max-bytes': number }

export default defineRule<Options>({
  meta: {
    id: 'notebook/large-output',
    description: 'A notebook output embeds a base64 payload (an image, a PDF, a data dump) larger than the policy allows.',
    help: [
      'Outputs are saved inside the .ipynb file as base64. A large one makes every diff of the notebook',
      'unreadable, bloats the repository history for good, and can carry data that should not be committed: a',
      'rendered sample of the training set, a confusion matrix over customer records, a model dump. The size is',
      'that of the decoded payload (`image/png`, `application/pdf`, or a `data:…;base64,` URI inside HTML).',
      '',
      '**Remediation**: clear the outputs before committing (`jupyter nbconvert --clear-output --inplace`,',
      'or `nbstripout` as a git filter or pre-commit hook), and save figures that belong in the repository as',
      'files next to the notebook. Raise `max-bytes` if the project keeps rendered notebooks on purpose.',
    ].join('\n'),
    defaultSeverity: 'low',
    docs: {
      examples: {
        bad: [
          {
            title: 'A saved output with a multi-megabyte base64 image (shortened)',
            lang: 'json',
            code: [
              '"outputs": [{',
              '  "output_type": "display_data",',
              '  "data": { "image/png": "iVBORw0KGgoAAAANSUhEUgAAB4AAAAQ4CAYAAADo08FDAAAA…  (3.1 MB decoded)" },',
              '  "metadata": {}',
              '}]',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The notebook is committed with its outputs cleared (`jupyter nbconvert --clear-output --inplace`)',
            lang: 'json',
            file: 'notebooks/explore.ipynb',
            code: [
              '{',
              ' "cells": [',
              '  {',
              '   "cell_type": "code",',
              '   "execution_count": null,',
              '   "id": "c1",',
              '   "metadata": {},',
              '   "outputs": [],',
              '   "source": [',
              '    "import matplotlib.pyplot as plt\\n",',
              '    "plt.hist(df[\\"age\\"])"',
              '   ]',
              '  }',
              ' ],',
              ' "metadata": {',
              '  "kernelspec": {',
              '   "name": "python3",',
              '   "display_name": "Python 3",',
              '   "language": "python"',
              '  }',
              ' },',
              ' "nbformat": 4,',
              ' "nbformat_minor": 5',
              '}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'nbstripout', url: 'https://github.com/kynan/nbstripout' },
      ],
    },
    kinds: ['notebook'],
    options: {
      type: 'object',
      properties: {
        'max-bytes': { type: 'integer', minimum: 1, description: 'The largest decoded size, in bytes, of one base64 output payload.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { 'max-bytes': 512 * 1024 },
  },
  async checkFile(ctx) {
    const loaded = await loadNotebook(ctx.reader);
    if (!loaded.ok) return; // notebook/unsafe-load reports the unreadable notebook once
    const max = ctx.options['max-bytes'];
    const nb = loaded.notebook;
    for (const cell of nb.cells) {
      for (const blob of cell.blobs) {
        if (blob.bytes <= max) continue;
        const { line, column } = nb.position(blob.offset);
        ctx.report({
          message: `Cell ${cell.index + 1} has a ${size(blob.bytes)} ${blob.mime} output (the policy allows ${size(max)}); clear the outputs before committing (jupyter nbconvert --clear-output) or save the figure as a file.`,
          line, column, keyPath: blob.keyPath, fingerprintKey: `${blob.keyPath}\0${blob.mime}`,
        });
      }
    }
  },
});

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}
