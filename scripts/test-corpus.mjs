#!/usr/bin/env node
// Checks the bundled CLI against the public corpora in ../shared/corpus (our machines and CI only; never
// copied into the repository). Prints one line per check and closes with "corpus: N passed, N failed".
// Usage: node scripts/test-corpus.mjs [CORPUS_DIR]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(process.argv[2] ?? join(repo, '..', 'shared', 'corpus'));
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `\n     ${detail}` : ''}`);
}

function scan(dir, ...args) {
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli.js'), 'scan', dir, '--format', 'json', ...args], {
    encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000,
  });
  let report;
  try { report = JSON.parse(r.stdout); } catch { /* reported below */ }
  return { code: r.status, report, stderr: r.stderr };
}

if (!existsSync(corpus)) {
  console.log(`corpus folder ${corpus} not found`);
  console.log('corpus: 0 passed, 1 failed');
  process.exit(1);
}

// 1. The whole corpus: every file read, no crash, no rule error, a valid exit code.
const all = scan(corpus);
check('whole corpus: exit code 0 or 1', all.code === 0 || all.code === 1, `exit ${all.code}: ${all.stderr.slice(-500)}`);
check('whole corpus: JSON report parsed', Boolean(all.report));
const errors = all.report?.findings.filter((f) => f.ruleId === 'policy/rule-error') ?? [];
check('whole corpus: no rule crashed on any file', errors.length === 0, errors.map((f) => `${f.location.path}: ${f.message}`).join('\n     '));

// 2. picklescan's samples: the serialization format of every sample is named by its bytes.
const verdicts = JSON.parse(readFileSync(join(corpus, 'pickles/picklescan/verdicts.json'), 'utf8')).files;
const findings = new Map();
for (const f of all.report?.findings ?? []) {
  if (f.ruleId !== 'model/serialization-format') continue;
  findings.set(f.location.path, [...(findings.get(f.location.path) ?? []), f]);
}
// What a pickle-based sample must yield, from verdicts.json's `format` and the files' own notes.
const expectFinding = (file, info) => {
  if (info.format.startsWith('pickle-v')) return file !== 'data/not_a_pickle.bin'; // 7 bytes, invalid GLOBAL: not a pickle
  if (info.format === 'pytorch-zip' || info.format.startsWith('pytorch-legacy')) return true;
  if (info.format === 'npy' || info.format.startsWith('npz')) return /object|dns_exfiltration/.test(file);
  if (info.format === 'zip') return info.verdict === 'malicious'; // each malicious zip holds a pickle member
  return false; // png, 7z (unscannable archives are model/unsafe-pickle's to report), encrypted zip
};
let right = 0;
const wrong = [];
for (const [file, info] of Object.entries(verdicts)) {
  const got = findings.get(`pickles/picklescan/${file}`) ?? [];
  if (expectFinding(file, info) === got.length > 0) right++;
  else wrong.push(`${file} (${info.format}): ${got.length ? 'reported' : 'not reported'}`);
}
check(`picklescan: serialization format named for ${right}/${Object.keys(verdicts).length} samples`, wrong.length === 0, wrong.join('\n     '));
const renamedOk = (findings.get('pickles/picklescan/data/malicious1_wrong_ext.zip') ?? []).some((f) => f.location.member === 'data.txt');
check('picklescan: the pickle member named data.txt is found by its bytes', renamedOk);

// 3. The same file found whatever the extension: raw pickles named .bin, .pt, .txt in the corpus.
const oddNames = Object.entries(verdicts).filter(([file, info]) => info.format.startsWith('pickle-v') && !/\.(pkl|pickle)$/.test(file) && file !== 'data/not_a_pickle.bin');
check(`picklescan: ${oddNames.length} pickles with other extensions reported`, oddNames.every(([file]) => findings.has(`pickles/picklescan/${file}`)));

// 3b. Every raw pickle and checkpoint copied under a .txt name (in a temp folder, never the repository).
const tmp = mkdtempSync(join(tmpdir(), 'ai-gate-corpus-'));
try {
  const sniffable = Object.entries(verdicts).filter(([file, info]) => expectFinding(file, info) && !/^npz|^zip/.test(info.format));
  sniffable.forEach(([file], i) => copyFileSync(join(corpus, 'pickles/picklescan', file), join(tmp, `sample-${i}.txt`)));
  const renamed = scan(tmp);
  const hit = new Set((renamed.report?.findings ?? []).filter((f) => f.ruleId === 'model/serialization-format').map((f) => f.location.path));
  const missed = sniffable.filter((_, i) => !hit.has(`sample-${i}.txt`)).map(([file]) => file);
  check(`picklescan: ${sniffable.length - missed.length}/${sniffable.length} pickle-based samples found after renaming to .txt`, missed.length === 0, missed.join(', '));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// 4. SARIF for the whole corpus is produced and names every finding's rule.
const sarifRun = spawnSync(process.execPath, [join(repo, 'dist/cli.js'), 'scan', corpus, '--format', 'sarif'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
let sarif;
try { sarif = JSON.parse(sarifRun.stdout); } catch { /* checked below */ }
const ruleIds = new Set(sarif?.runs?.[0]?.tool?.driver?.rules?.map((r) => r.id) ?? []);
check('whole corpus: SARIF results all name a listed rule', Boolean(sarif) && sarif.runs[0].results.every((r) => ruleIds.has(r.ruleId)) && sarif.runs[0].results.length === (all.report?.findings.length ?? -1));

console.log(`corpus: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
