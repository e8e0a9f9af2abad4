import { defineRule } from '../../engine/rule.js';
import { loadNotebook } from '../../formats/ipynb.js';

interface Options { ignore: string[] }

/** `!pip install`, `%pip install`, `!python -m pip install`, `!uv pip install` (a shell or magic line). */
const INSTALL = /^[ \t]*[!%][ \t]*(?:(?:python3?|py)\s+-m\s+)?(?:uv\s+)?pip3?\s+install\b([^\n]*)/gm;
/** pip options followed by a value, which is not a package. */
const TAKES_VALUE = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f',
  '--find-links', '-t', '--target', '--prefix', '--root', '--trusted-host', '--upgrade-strategy', '--platform',
  '--python-version', '--implementation', '--abi', '--src', '--cache-dir', '--log', '--proxy', '--timeout',
]);

export default defineRule<Options>({
  meta: {
    id: 'notebook/unpinned-install',
    description: 'A notebook installs packages with `!pip install` or `%pip install` without pinning their versions.',
    help: [
      'A notebook that runs `!pip install transformers` gets whatever version is newest on the day it runs: results',
      'stop being reproducible, an API change breaks the notebook months later, and a compromised or typosquatted',
      'release is installed the moment it is published. A package counts as pinned with `==` (or `===`), a',
      'direct reference to a commit (`git+https://…@<40-hex sha>`), or a local path or wheel. Requirement files',
      '(`-r requirements.txt`) are left to the dependency rules.',
      '',
      '**Remediation**: pin each package (`%pip install transformers==4.44.2 datasets==2.21.0`), or install from a',
      'pinned requirements file kept next to the notebook (`%pip install -r requirements.txt`). Prefer `%pip`',
      'over `!pip`: it installs into the kernel\'s environment. Packages the team accepts unpinned can be listed',
      'in the `ignore` option.',
    ].join('\n'),
    defaultSeverity: 'low',
    docs: {
      examples: {
        bad: [
          {
            title: 'A notebook installs whatever versions are current',
            lang: 'json',
            file: 'notebooks/train.ipynb',
            code: [
              '{',
              ' "cells": [',
              '  {',
              '   "cell_type": "code",',
              '   "execution_count": null,',
              '   "metadata": {},',
              '   "outputs": [],',
              '   "source": [',
              '    "%pip install transformers datasets\\n"',
              '   ]',
              '  }',
              ' ],',
              ' "metadata": {',
              '  "kernelspec": {',
              '   "display_name": "Python 3",',
              '   "language": "python",',
              '   "name": "python3"',
              '  }',
              ' },',
              ' "nbformat": 4,',
              ' "nbformat_minor": 5',
              '}',
              '',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Every package pinned to an exact version',
            lang: 'json',
            file: 'notebooks/train.ipynb',
            code: [
              '{',
              ' "cells": [',
              '  {',
              '   "cell_type": "code",',
              '   "execution_count": null,',
              '   "metadata": {},',
              '   "outputs": [],',
              '   "source": [',
              '    "%pip install transformers==4.44.2 datasets==2.21.0\\n"',
              '   ]',
              '  }',
              ' ],',
              ' "metadata": {',
              '  "kernelspec": {',
              '   "display_name": "Python 3",',
              '   "language": "python",',
              '   "name": "python3"',
              '  }',
              ' },',
              ' "nbformat": 4,',
              ' "nbformat_minor": 5',
              '}',
              '',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'pip: secure installs', url: 'https://pip.pypa.io/en/stable/topics/secure-installs/' },
      ],
    },
    kinds: ['notebook'],
    options: {
      type: 'object',
      properties: {
        ignore: { type: 'array', description: 'Package names that may be installed without a pin.', items: { type: 'string' }, uniqueItems: true },
      },
      additionalProperties: false,
    },
    defaultOptions: { ignore: [] },
  },
  async checkFile(ctx) {
    const loaded = await loadNotebook(ctx.reader);
    if (!loaded.ok) return; // notebook/unsafe-load reports the unreadable notebook once
    const ignore = new Set(ctx.options.ignore.map(normalise));
    const nb = loaded.notebook;
    for (const cell of nb.cells) {
      if (cell.cellType !== 'code') continue;
      for (const m of cell.source.text.matchAll(INSTALL)) {
        const unpinned = unpinnedPackages(m[1]).filter((p) => !ignore.has(normalise(nameOf(p))));
        if (unpinned.length === 0) continue;
        const { line, column } = nb.position(cell.source.offsetAt(m.index!));
        const list = unpinned.slice(0, 5).join(', ') + (unpinned.length > 5 ? `, and ${unpinned.length - 5} more` : '');
        const example = `${nameOf(unpinned[0])}==<version>`;
        ctx.report({
          message: `Cell ${cell.index + 1} installs ${list} without a pinned version; pin each package (${example}) or install from a pinned requirements file.`,
          line, column, keyPath: cell.source.keyPath, fingerprintKey: `${cell.index}\0${unpinned.join(' ')}`,
        });
      }
    }
  },
});

/** The package arguments of one install line that are not pinned. */
export function unpinnedPackages(args: string): string[] {
  const words = args.split(/\s*(?:&&|\|\||;|\||#)/)[0].trim().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i].replace(/^['"]|['"]$/g, '');
    if (word.startsWith('-')) {
      if (TAKES_VALUE.has(word)) i++;
      continue;
    }
    if (/[$(){}]/.test(word) || pinned(word)) continue;
    out.push(word);
  }
  return out;
}

function pinned(spec: string): boolean {
  if (/===?\s*[\w.+!-]+$/.test(spec) && !spec.includes('*')) return true;
  if (/@\s*(?:git\+)?\S+@[0-9a-f]{40}(?:#.*)?$/i.test(spec) || /^git\+\S+@[0-9a-f]{40}(?:#.*)?$/i.test(spec)) return true;
  return /^(?:\.{0,2}\/|~\/|file:)|\.(whl|tar\.gz|zip)$/.test(spec);
}

function nameOf(spec: string): string {
  return spec.split(/[\s<>=!~;@[]/)[0];
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
