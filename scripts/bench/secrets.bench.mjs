// Secrets: every text file searched by the secret/* rules. A generated tree of 500 MB of text (Python, YAML,
// CSV, Markdown) with planted fake keys (Hugging Face tokens, and OpenAI project keys, which secretlint's
// recommended preset also knows), scanned by our CLI beside, in the same run: secretlint 11 with
// @secretlint/secretlint-rule-preset-recommend over the same files (a peer, with a config file in the temp dir),
// `grep -rcF` of one fixed string (the text-matching limit), `openssl dgst -sha256` (the project's speed target:
// the whole scan within 1.5x of it) and `cat` (the reading limit). A second tree holds datasets (CSV and JSONL
// rows of prose, e-mail addresses and numbers, without credential words, and a few planted keys): the text that
// the byte-level prefilter lets the search skip without decoding it.
// AI_GATE_BENCH_SECRETS_MB sets the code tree size (default 500), AI_GATE_BENCH_SECRETS_DATA_MB the dataset tree
// size (default 500).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, printTable, repo, timeCli, timeCommand } from './harness.mjs';

/** A policy with only the secret/* rules on, so the second run measures the secret search alone. */
function secretsOnlyPolicy(path) {
  const ids = spawnSync(process.execPath, [cliPath, 'rules'], { encoding: 'utf8' }).stdout
    .split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter((id) => id && id.includes('/'));
  const off = ids.filter((id) => !id.startsWith('secret/') && !id.startsWith('policy/'));
  writeFileSync(path, `extends: recommended\nscope: all\nrules:\n${off.map((id) => `  ${id}: off\n`).join('')}`);
}

const TOTAL = Number(process.env.AI_GATE_BENCH_SECRETS_MB ?? 500) * 1024 * 1024;
const DATA_TOTAL = Number(process.env.AI_GATE_BENCH_SECRETS_DATA_MB ?? 500) * 1024 * 1024;
const FILE = 256 * 1024;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

let seed = 7;
// 32-bit LCG (Math.imul keeps it exact; the high bits are the random ones), so planted keys look like real ones.
function rand(n) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 16) % n; }
function randomString(alphabet, n) { let s = ''; for (let i = 0; i < n; i++) s += alphabet[rand(alphabet.length)]; return s; }

const blocks = {
  py: (i) => `def step_${i}(model, batch, tokenizer, max_tokens=4096):\n    api_key = os.environ["OPENAI_API_KEY"]\n    out = model(input_ids=batch["input_ids"][${i % 7}], labels=batch["labels"])\n    loss = out.loss * ${(i % 13) / 10}\n    return loss  # token budget per step\n\n`,
  yaml: (i) => `run_${i}:\n  model: meta-llama/Llama-2-7b-hf\n  learning_rate: 0.000${i % 9 + 1}\n  token: \${{ secrets.HF_TOKEN }}\n  batch_size: ${8 << (i % 4)}\n`,
  csv: (i) => `${i},review ${i} was ${i % 2 ? 'good' : 'bad'},${(i * 37) % 100}.${i % 10},2024-0${i % 9 + 1}-1${i % 9}\n`,
  md: (i) => `## Section ${i}\n\nThe secret to a good model is data. Set the API key in your environment, never in code.\n\n`,
};
const exts = ['py', 'yaml', 'csv', 'md'];

/** A fake OpenAI project key in the published shape (sk-proj-…T3BlbkFJ…), which both tools look for. */
function openaiKey() {
  // Ends in a letter or digit, as issued keys do (both tools anchor the end with \b).
  const part = () => randomString(`${ALNUM}_-`, 73) + randomString(ALNUM, 1);
  return `sk-proj-${part()}T3BlbkFJ${part()}`;
}

function fileText(ext, n, plant) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < FILE; i++) { const b = blocks[ext](n * 1000 + i); parts.push(b); size += b.length; }
  if (plant === 'hf') parts.splice(parts.length >> 1, 0, `HF_TOKEN = "hf_${randomString(ALNUM.slice(0, 52), 34)}"\n`);
  if (plant === 'openai') parts.splice(parts.length >> 1, 0, `OPENAI_API_KEY = "${openaiKey()}"\n`);
  return parts.join('');
}

/**
 * secretlint over the tree, with its recommended preset configured in a file of the temp dir; wall seconds and
 * the files it flagged, by rule. Undefined when secretlint is not installed.
 */
function timeSecretlint(dir, configDir) {
  const bin = join(repo, 'node_modules/secretlint/bin/secretlint.js');
  if (!existsSync(bin)) return undefined;
  const rc = join(configDir, '.secretlintrc.json');
  writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  // The unix formatter: one line per finding (the json formatter embeds every file's text and overflows at this size).
  const out = join(configDir, 'secretlint.txt');
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '**/*', '--secretlintrc', rc, '--format', 'unix', '--output', out, '--maskSecrets'], {
    cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NODE_PATH: join(repo, 'node_modules') },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const byRule = {};
  try {
    for (const m of readFileSync(out, 'utf8').matchAll(/\[(?:Error|Warning|Info)\/(?:[^\]]* > )?([^\]>]+)\]$/gm)) byRule[m[1]] = (byRule[m[1]] ?? 0) + 1;
  } catch { /* no output: the error is in r.stderr */ }
  return { seconds, code: r.status, byRule, stderr: r.stderr };
}

/** `openssl dgst -sha256` over every file of the tree (the project's throughput target), when openssl is there. */
function timeOpenssl(dir) {
  const r = timeCommand('sh', ['-c', `find "$1" -type f -exec openssl dgst -sha256 {} + > /dev/null`, 'sh', dir]);
  return r.ok ? r.seconds : undefined;
}

/** Dataset files of about 50 MB each: CSV and JSONL rows, one planted Hugging Face token per file. */
function writeDatasets(dir) {
  let bytes = 0, files = 0;
  for (let n = 0; bytes < DATA_TOTAL; n++) {
    const jsonl = n % 2 === 1;
    const rows = [];
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024 && bytes + size < DATA_TOTAL; i++) {
      const text = i % 10 === 7 ? `contact me at user${i}@example.com or 555-0107` : `review ${i} of the product was ${i % 3 ? 'good' : 'bad'} and arrived on time`;
      const row = jsonl ? `{"id":${i},"text":"${text}","label":"${i % 2 ? 'pos' : 'neg'}"}\n` : `${i},"${text}",${i % 2 ? 'pos' : 'neg'},0.${i % 10}\n`;
      rows.push(row);
      size += row.length;
    }
    rows.splice(rows.length >> 1, 0, jsonl ? `{"id":-1,"text":"my token hf_${randomString(ALNUM.slice(0, 52), 34)}","label":"neg"}\n` : `-1,"hf_${randomString(ALNUM.slice(0, 52), 34)}",neg,0\n`);
    const text = rows.join('');
    writeFileSync(join(dir, `part-${n}.${jsonl ? 'jsonl' : 'csv'}`), text);
    bytes += Buffer.byteLength(text); files++;
  }
  return { bytes, files };
}

export default async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-secrets-'));
  try {
    let bytes = 0, files = 0;
    const planted = { hf: 0, openai: 0 };
    for (let n = 0; bytes < TOTAL; n++) {
      const sub = join(dir, `pkg${n % 20}`);
      mkdirSync(sub, { recursive: true });
      const ext = exts[n % exts.length];
      const plant = n % 97 === 0 ? 'hf' : n % 89 === 45 ? 'openai' : undefined;
      const text = fileText(ext, n, plant);
      writeFileSync(join(sub, `f${n}.${ext === 'yaml' ? 'yaml' : ext}`), text);
      bytes += Buffer.byteLength(text); files++;
      if (plant) planted[plant]++;
    }
    const ours = timeCli(['scan', dir]);
    const policyDir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-policy-'));
    secretsOnlyPolicy(join(policyDir, 'secrets-only.yml'));
    const only = timeCli(['scan', dir, '--policy', join(policyDir, 'secrets-only.yml')]);
    rmSync(policyDir, { recursive: true, force: true });
    const keys = (ruleId, re) => ours.report?.findings.filter((f) => f.ruleId === ruleId && re.test(f.message)).length ?? 0;
    const found = { hf: keys('secret/ai-provider-key', /hugging ?face/i), openai: keys('secret/ai-provider-key', /openai/i) };
    const other = ours.report?.findings.filter((f) => f.ruleId.startsWith('secret/') && f.ruleId !== 'secret/ai-provider-key').length ?? 0;
    const configDir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-secretlint-'));
    const peer = timeSecretlint(dir, configDir);
    rmSync(configDir, { recursive: true, force: true });
    const peerFound = peer ? Object.entries(peer.byRule).map(([id, n]) => `${id.replace('@secretlint/secretlint-rule-', '')} ${n}`).join(', ') || 'none' : 'not installed';
    if (peer && peer.code !== 0 && peer.code !== 1) console.log(`secretlint exited ${peer.code}: ${peer.stderr.slice(0, 500)}`);
    printTable(`${files} text files, ${(bytes / 1024 / 1024).toFixed(0)} MB; planted: ${planted.hf} Hugging Face tokens, ${planted.openai} OpenAI keys; `
      + `ai-gate found ${found.hf} HF + ${found.openai} OpenAI (other secret findings: ${other}; exit ${ours.code}); `
      + `secretlint found: ${peerFound} (its recommended preset has no Hugging Face rule)`, [
      ['ai-gate scan (all rules, secrets in every file)', ours.seconds, bytes, ours.rss],
      [`ai-gate scan, secret/* rules only (exit ${only.code})`, only.seconds, bytes, only.rss],
      ...(peer ? [[`secretlint 11, preset-recommend (exit ${peer.code})`, peer.seconds, bytes]] : []),
      ['grep -rcF hf_ (text-matching limit)', timeCommand('grep', ['-rcF', 'hf_', dir]).seconds, bytes],
      ...((ssl) => (ssl !== undefined ? [['openssl dgst -sha256 (the target: scan within 1.5x)', ssl, bytes]] : []))(timeOpenssl(dir)),
      ['cat > /dev/null (reading limit)', timeCommand('sh', ['-c', `find "$1" -type f -exec cat {} + > /dev/null`, 'sh', dir]).seconds, bytes],
    ]);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const data = writeDatasets(dir);
    const policyDir2 = mkdtempSync(join(tmpdir(), 'ai-gate-bench-policy-'));
    secretsOnlyPolicy(join(policyDir2, 'secrets-only.yml'));
    const dataOnly = timeCli(['scan', dir, '--policy', join(policyDir2, 'secrets-only.yml')]);
    rmSync(policyDir2, { recursive: true, force: true });
    const hf = dataOnly.report?.findings.filter((f) => f.ruleId === 'secret/ai-provider-key').length ?? 0;
    printTable(`${data.files} dataset files (CSV, JSONL), ${(data.bytes / 1024 / 1024).toFixed(0)} MB, ${data.files} planted Hugging Face tokens; ai-gate found ${hf}`, [
      [`ai-gate scan, secret/* rules only (exit ${dataOnly.code})`, dataOnly.seconds, data.bytes, dataOnly.rss],
      ...((ssl) => (ssl !== undefined ? [['openssl dgst -sha256 (the target: scan within 1.5x)', ssl, data.bytes]] : []))(timeOpenssl(dir)),
      ['cat > /dev/null (reading limit)', timeCommand('sh', ['-c', `find "$1" -type f -exec cat {} + > /dev/null`, 'sh', dir]).seconds, data.bytes],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
