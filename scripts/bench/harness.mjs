// Shared by the benchmark modules: timing of our CLI and of baseline commands over the same bytes, in the same
// run, and a table printer. Figures are printed, never asserted (targets belong to the reader, not to a test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const probe = join(repo, 'scripts/bench/rss-probe.mjs');
/** The CLI bundle measured: dist/cli.js, or AI_GATE_CLI (a private build). */
export const cliPath = process.env.AI_GATE_CLI ? resolve(process.env.AI_GATE_CLI) : join(repo, 'dist/cli.js');

/** Runs the bundled CLI; returns wall seconds, peak RSS bytes, exit code and the parsed JSON report. */
export function timeCli(args) {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-'));
  const rssFile = join(dir, 'rss');
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', probe, cliPath, ...args, '--format', 'json'], {
    env: { ...process.env, AI_GATE_RSS_FILE: rssFile }, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let report;
  try { report = JSON.parse(r.stdout); } catch { report = undefined; }
  let rss = NaN;
  try { rss = Number(readFileSync(rssFile, 'utf8')); } catch { /* process died before exit */ }
  rmSync(dir, { recursive: true, force: true });
  return { seconds, rss, code: r.status, report, stderr: r.stderr };
}

/** Times a baseline shell command (e.g. `openssl dgst -sha256 FILE`); returns wall seconds. */
export function timeCommand(command, args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, ok: r.status === 0, stderr: String(r.stderr ?? '') };
}

export const mb = (bytes) => bytes / (1024 * 1024);
export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Prints rows of [label, seconds, bytes, rssBytes?] as a table with MB/s. */
export function printTable(title, rows) {
  console.log(`\n## ${title}`);
  console.log(`${'what'.padEnd(44)} ${'seconds'.padStart(8)} ${'MB'.padStart(9)} ${'MB/s'.padStart(9)} ${'peak RSS MB'.padStart(12)}`);
  for (const [label, seconds, bytes, rss] of rows) {
    console.log(`${label.padEnd(44)} ${fmt(seconds, 2).padStart(8)} ${fmt(mb(bytes)).padStart(9)} ${fmt(mb(bytes) / seconds).padStart(9)} ${(rss === undefined ? '' : fmt(mb(rss))).padStart(12)}`);
  }
}
