import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp.js';

/** The bundled action, run as the runner runs it: `node dist/index.js` with INPUT_* and GITHUB_* set. */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pickle = Buffer.from('\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.', 'latin1');

function runAction(files: Record<string, string | Buffer>, inputs: Record<string, string> = {}, extraEnv: NodeJS.ProcessEnv = {}) {
  const workspace = tempDir('ai-gate-ws-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  const output = join(tempDir('ai-gate-out-'), 'output');
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: output, ...extraEnv };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(process.env.AI_GATE_NODE ?? process.execPath, [process.env.AI_GATE_ACTION ?? join(repo, 'dist/index.js')], { env, encoding: 'utf8', timeout: 60_000 });
  const outputs = Object.fromEntries([...readFileSync(output, 'utf8').matchAll(/^(\S+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]));
  return { code: r.status, stdout: r.stdout, outputs, workspace };
}

describe('action bundle (dist/index.js)', () => {
  it('passes with outputs when nothing blocks, and writes SARIF and the JSON report', () => {
    const { code, outputs, workspace } = runAction({ 'm.pkl': pickle });
    expect(code).toBe(0);
    expect(outputs).toMatchObject({ result: 'pass', findings: '1', blocking: '0', 'sarif-file': 'ai-gate.sarif', 'report-file': 'ai-gate-report.json' });
    expect(JSON.parse(readFileSync(join(workspace, 'ai-gate.sarif'), 'utf8')).runs[0].results).toHaveLength(1);
  });

  it('checks large datasets in a worker thread started from the action bundle itself', () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => (i === 41_234 ? `${i},"mail ann@example.com"` : `${i},"row ${i} is fine"`));
    const csv = `id,text\n${rows.join('\n')}\n`;
    const { code, stdout, outputs, workspace } = runAction({ 'data/big.csv': csv, 'data/big-copy.csv': csv }, {}, { AI_GATE_THREADS: '1' });
    expect(Buffer.byteLength(rows.join('\n'))).toBeGreaterThan(1024 * 1024);
    expect(code).toBe(1);
    expect(outputs.result).toBe('fail');
    expect(stdout).toMatch(/::debug::data\/big(-copy)?\.csv: checked in a worker thread/);
    const report = JSON.parse(readFileSync(join(workspace, 'ai-gate-report.json'), 'utf8'));
    expect(report.findings.filter((f: { ruleId: string }) => f.ruleId === 'data/pii').map((f: { location: { path: string; line: number } }) => `${f.location.path}:${f.location.line}`))
      .toEqual(['data/big-copy.csv:41236', 'data/big.csv:41236']);
  });

  it('fails on the fail-on input', () => {
    const { code, stdout, outputs } = runAction({ 'm.pkl': pickle }, { 'fail-on': 'medium' });
    expect(code).toBe(1);
    expect(outputs.result).toBe('fail');
    expect(stdout).toContain('::error::AI pipeline gate: 1 blocking findings');
  });

  it('cannot be steered by a file name that looks like a workflow command', () => {
    const { stdout } = runAction({ '::error::pwned.pkl': pickle, '::add-mask::x.pkl': pickle });
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('::stop-commands::'));
    const token = lines[start].slice('::stop-commands::'.length);
    const end = lines.indexOf(`::${token}::`);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    lines.forEach((line, i) => {
      if (/^::(error|add-mask)::(pwned|x)/.test(line)) expect(i > start && i < end).toBe(true);
    });
    expect(lines.filter((l) => l === '::error::pwned.pkl')).toHaveLength(1);
  });

  it('exits with a clear error on a bad fail-on input', () => {
    const { code, stdout } = runAction({ 'a.txt': 'x' }, { 'fail-on': 'hgih' });
    expect(code).toBe(1);
    expect(stdout).toContain('::error::input fail-on "hgih" is not a severity; expected one of critical, high, medium, low');
  });
});
