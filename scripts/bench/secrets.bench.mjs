// Secrets: every text file searched by the secret/* rules. A generated tree of 500 MB of text (Python, YAML,
// CSV, Markdown, notebooks) with a few planted fake keys, scanned by our CLI beside `grep -rcF` of one fixed
// string over the same files in the same run (the text-matching limit). secretlint is not installed in this
// project (the issue names it as a further baseline; it was not added as a dependency), so it is not measured.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, printTable, timeCli, timeCommand } from './harness.mjs';

/** A policy with only the secret/* rules on, so the second run measures the secret search alone. */
function secretsOnlyPolicy(path) {
  const ids = spawnSync(process.execPath, [cliPath, 'rules'], { encoding: 'utf8' }).stdout
    .split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter((id) => id && id.includes('/'));
  const off = ids.filter((id) => !id.startsWith('secret/') && !id.startsWith('policy/'));
  writeFileSync(path, `extends: recommended\nscope: all\nrules:\n${off.map((id) => `  ${id}: off\n`).join('')}`);
}

const TOTAL = 500 * 1024 * 1024;
const FILE = 256 * 1024;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

let seed = 7;
function rand(n) { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; }
function randomString(alphabet, n) { let s = ''; for (let i = 0; i < n; i++) s += alphabet[rand(alphabet.length)]; return s; }

const blocks = {
  py: (i) => `def step_${i}(model, batch, tokenizer, max_tokens=4096):\n    api_key = os.environ["OPENAI_API_KEY"]\n    out = model(input_ids=batch["input_ids"][${i % 7}], labels=batch["labels"])\n    loss = out.loss * ${(i % 13) / 10}\n    return loss  # token budget per step\n\n`,
  yaml: (i) => `run_${i}:\n  model: meta-llama/Llama-2-7b-hf\n  learning_rate: 0.000${i % 9 + 1}\n  token: \${{ secrets.HF_TOKEN }}\n  batch_size: ${8 << (i % 4)}\n`,
  csv: (i) => `${i},review ${i} was ${i % 2 ? 'good' : 'bad'},${(i * 37) % 100}.${i % 10},2024-0${i % 9 + 1}-1${i % 9}\n`,
  md: (i) => `## Section ${i}\n\nThe secret to a good model is data. Set the API key in your environment, never in code.\n\n`,
};
const exts = ['py', 'yaml', 'csv', 'md'];

function fileText(ext, n, plant) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < FILE; i++) { const b = blocks[ext](n * 1000 + i); parts.push(b); size += b.length; }
  if (plant) parts.splice(parts.length >> 1, 0, `HF_TOKEN = "hf_${randomString(ALNUM.slice(0, 52), 34)}"\n`);
  return parts.join('');
}

export default async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-secrets-'));
  try {
    let bytes = 0, files = 0, planted = 0;
    for (let n = 0; bytes < TOTAL; n++) {
      const sub = join(dir, `pkg${n % 20}`);
      mkdirSync(sub, { recursive: true });
      const ext = exts[n % exts.length];
      const plant = n % 97 === 0;
      const text = fileText(ext, n, plant);
      writeFileSync(join(sub, `f${n}.${ext === 'yaml' ? 'yaml' : ext}`), text);
      bytes += Buffer.byteLength(text); files++; planted += plant ? 1 : 0;
    }
    const ours = timeCli(['scan', dir]);
    const policyDir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-policy-'));
    secretsOnlyPolicy(join(policyDir, 'secrets-only.yml'));
    const only = timeCli(['scan', dir, '--policy', join(policyDir, 'secrets-only.yml')]);
    rmSync(policyDir, { recursive: true, force: true });
    const found = ours.report?.findings.filter((f) => f.ruleId === 'secret/ai-provider-key').length ?? 0;
    const other = ours.report?.findings.filter((f) => f.ruleId.startsWith('secret/') && f.ruleId !== 'secret/ai-provider-key').length ?? 0;
    printTable(`${files} text files, ${(bytes / 1024 / 1024).toFixed(0)} MB (planted keys: ${planted}; found: ${found}; other secret findings: ${other}; exit ${ours.code})`, [
      ['ai-gate scan (all rules, secrets in every file)', ours.seconds, bytes, ours.rss],
      [`ai-gate scan, secret/* rules only (exit ${only.code})`, only.seconds, bytes, only.rss],
      ['grep -rcF hf_ (text-matching limit)', timeCommand('grep', ['-rcF', 'hf_', dir]).seconds, bytes],
      ['cat > /dev/null (reading limit)', timeCommand('sh', ['-c', `find "$1" -type f -exec cat {} + > /dev/null`, 'sh', dir]).seconds, bytes],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
