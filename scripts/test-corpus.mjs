#!/usr/bin/env node
// Checks the bundled CLI against the public corpora in ../shared/corpus (our machines and CI only; never
// copied into the repository). Prints one line per check and closes with "corpus: N passed, N failed".
// Usage: node scripts/test-corpus.mjs [CORPUS_DIR]. Area checks live in scripts/corpus/*.corpus.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(process.argv[2] ?? join(repo, '..', 'shared', 'corpus'));
/** The CLI bundle checked: dist/cli.js, or AI_GATE_CLI (a private build). */
const cliPath = process.env.AI_GATE_CLI ? resolve(process.env.AI_GATE_CLI) : join(repo, 'dist/cli.js');
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `\n     ${detail}` : ''}`);
}

function scan(dir, ...args) {
  const r = spawnSync(process.execPath, [cliPath, 'scan', dir, '--format', 'json', ...args], {
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

// 2. Each area's own checks: scripts/corpus/<area>.corpus.mjs, default export async ({ corpus, check, scan, all }).
const modules = readdirSync(join(repo, 'scripts/corpus')).filter((f) => f.endsWith('.corpus.mjs')).sort();
for (const file of modules) {
  const mod = await import(pathToFileURL(join(repo, 'scripts/corpus', file)).href);
  try {
    await mod.default({ corpus, check, scan, all: all.report });
  } catch (error) {
    check(`${file}: ran to the end`, false, error?.stack ?? String(error));
  }
}

// 3. SARIF for the whole corpus is produced and names every finding's rule.
const sarifRun = spawnSync(process.execPath, [cliPath, 'scan', corpus, '--format', 'sarif'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
let sarif;
try { sarif = JSON.parse(sarifRun.stdout); } catch { /* checked below */ }
const ruleIds = new Set(sarif?.runs?.[0]?.tool?.driver?.rules?.map((r) => r.id) ?? []);
check('whole corpus: SARIF results all name a listed rule', Boolean(sarif) && sarif.runs[0].results.every((r) => ruleIds.has(r.ruleId)) && sarif.runs[0].results.length === (all.report?.findings.length ?? -1));

console.log(`corpus: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
