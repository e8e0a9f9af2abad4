import { defineRule } from '../../engine/rule.js';
import { loadNotebook, type Notebook, type NotebookCell } from '../../formats/ipynb.js';

const CHECKS = ['trust-remote-code', 'torch-load', 'pickle-load'] as const;
type Check = (typeof CHECKS)[number];
interface Options { checks: Check[] }

/** Calls that fetch a file from the network (in Python or as a shell line): what a later unpickle may load. */
const DOWNLOAD = /\b(hf_hub_download|snapshot_download|urlretrieve|urlopen|requests\.get|httpx\.get|wget\.download|gdown\.download|download_url|load_state_dict_from_url|cached_download)\b|^\s*[!%]\s*(?:wget|curl|gdown|aws\s+s3\s+cp|gsutil\s+cp|huggingface-cli\s+download|hf\s+download)\b/m;
const PICKLE_LOAD = /\b(pickle|cPickle|_pickle|dill|cloudpickle|joblib)\.loads?\s*\(|\bpd\.read_pickle\s*\(|\bpandas\.read_pickle\s*\(/g;
const TRUST = /\btrust_remote_code\s*=\s*True\b/g;
const TORCH_LOAD = /\btorch\.load\s*\(/g;

export default defineRule<Options>({
  meta: {
    id: 'notebook/unsafe-load',
    description: 'A notebook code cell loads a model or file in a way that can run code from it (trust_remote_code=True, torch.load without weights_only=True, unpickling a downloaded file).',
    help: [
      'Notebooks are where models from the Hub and files from the internet are first tried, and their cells are',
      'often copied into training and serving code. Three calls run code that comes with the data:',
      '`trust_remote_code=True` imports the Python files of the model repository; `torch.load` without',
      '`weights_only=True` unpickles the checkpoint (torch < 2.6 by default); `pickle.load`, `joblib.load` and',
      '`pd.read_pickle` on a file the notebook downloaded run whatever that file says. Comment lines are ignored.',
      'A notebook that cannot be parsed is reported too, since none of its cells could be checked.',
      '',
      '**Remediation**: pin the model to a reviewed revision (`revision="<commit sha>"`) before trusting its code,',
      'or use a model whose architecture is built into the library; call `torch.load(path, weights_only=True)`',
      'or store weights as safetensors; never unpickle a downloaded file: use safetensors, JSON, Parquet or skops.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A notebook loads a model with trust_remote_code=True',
            lang: 'json',
            file: 'notebooks/eval.ipynb',
            code: [
              '{',
              ' "cells": [',
              '  {',
              '   "cell_type": "code",',
              '   "execution_count": null,',
              '   "metadata": {},',
              '   "outputs": [],',
              '   "source": [',
              '    "from transformers import AutoModel\\n",',
              '    "model = AutoModel.from_pretrained(\\"acme/model\\", trust_remote_code=True)\\n"',
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
            title: 'torch.load restricted to weights',
            lang: 'json',
            file: 'notebooks/eval.ipynb',
            code: [
              '{',
              ' "cells": [',
              '  {',
              '   "cell_type": "code",',
              '   "execution_count": null,',
              '   "metadata": {},',
              '   "outputs": [],',
              '   "source": [',
              '    "import torch\\n",',
              '    "state = torch.load(\\"ckpt.pt\\", map_location=\\"cpu\\", weights_only=True)\\n"',
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
        { title: 'PyTorch: torch.load (weights_only)', url: 'https://pytorch.org/docs/stable/generated/torch.load.html' },
      ],
    },
    kinds: ['notebook'],
    options: {
      type: 'object',
      properties: {
        checks: { type: 'array', description: 'Which calls to report.', items: { enum: [...CHECKS] }, uniqueItems: true },
      },
      additionalProperties: false,
    },
    defaultOptions: { checks: [...CHECKS] },
  },
  async checkFile(ctx) {
    const loaded = await loadNotebook(ctx.reader);
    if (!loaded.ok) {
      ctx.report({ message: `The notebook could not be parsed (${loaded.error.message}); its cells were not checked for unsafe loads, installs or large outputs. Fix the JSON (open and save it in Jupyter).` });
      return;
    }
    const on = new Set(ctx.options.checks);
    const nb = loaded.notebook;
    const download = firstDownload(nb);
    for (const cell of nb.cells) {
      if (cell.cellType !== 'code') continue;
      const report = (index: number, message: string, key: string) => {
        const { line, column } = nb.position(cell.source.offsetAt(index));
        ctx.report({ message, line, column, keyPath: cell.source.keyPath, fingerprintKey: `${key}\0${cell.index}\0${index}` });
      };
      const src = cell.source.text;
      const n = cell.index + 1;
      if (on.has('trust-remote-code')) {
        for (const m of matches(src, TRUST)) report(m.index, `Cell ${n} sets trust_remote_code=True, which imports and runs the model repository's own Python code: pin a reviewed revision or use a built-in architecture.`, 'trust');
      }
      if (on.has('torch-load')) {
        for (const m of matches(src, TORCH_LOAD)) {
          const args = callArguments(src, m.index + m[0].length);
          if (!/\bweights_only\s*=\s*True\b/.test(args)) report(m.index, `Cell ${n} calls torch.load(${shorten(args)}) without weights_only=True, which unpickles the file and can run code from it: pass weights_only=True or load safetensors.`, 'torch');
        }
      }
      if (on.has('pickle-load') && download) {
        for (const m of matches(src, PICKLE_LOAD)) {
          const call = m[0].replace(/\s*\($/, '');
          report(m.index, `Cell ${n} unpickles with ${call}() in a notebook that downloads files (${download.what} in cell ${download.cell}); unpickling a downloaded file runs whatever it contains: use safetensors, JSON or Parquet instead.`, 'pickle');
        }
      }
    }
  },
});

/** Matches outside comment lines (a `#` line in Python, or a `#` before the match on its line). */
function* matches(src: string, re: RegExp): Iterable<RegExpExecArray> {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  for (let m = g.exec(src); m; m = g.exec(src)) {
    const lineStart = src.lastIndexOf('\n', m.index) + 1;
    if (!src.slice(lineStart, m.index).includes('#')) yield m;
  }
}

function firstDownload(nb: Notebook): { what: string; cell: number } | undefined {
  for (const cell of nb.cells as NotebookCell[]) {
    if (cell.cellType !== 'code') continue;
    const m = DOWNLOAD.exec(cell.source.text);
    if (m) return { what: (m[1] ?? m[0].trim()).slice(0, 40), cell: cell.index + 1 };
  }
  return undefined;
}

/** The text between a call's parentheses (bounded; nested brackets and quotes are skipped over). */
function callArguments(src: string, from: number): string {
  let depth = 1;
  let quote = '';
  const end = Math.min(src.length, from + 2000);
  for (let i = from; i < end; i++) {
    const c = src[i];
    if (quote) { if (c === quote && src[i - 1] !== '\\') quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') { if (--depth === 0) return src.slice(from, i); }
  }
  return src.slice(from, end);
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}
