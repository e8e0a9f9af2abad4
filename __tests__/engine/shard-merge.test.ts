import { describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { parseShard, shardOf } from '../../src/engine/shard.js';
import type { Report } from '../../src/report/types.js';
import { buildPickleCall } from '../helpers/builders.js';
import { tempDir } from '../helpers/temp.js';

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, get text() { return text; } };
}

async function cli(args: string[], cwd: string) {
  const out = sink(), err = sink();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, cwd, env: {} });
  return { code, stdout: out.text, stderr: err.text };
}

/** A small repository with findings in several files and one run-level finding (an expired exception). */
function repo(): string {
  const root = tempDir('ai-gate-shard-');
  const files: Record<string, string | Buffer> = {
    '.github/ai-gate.yml': 'extends: recommended\nexceptions:\n  - rule: data/pii\n    paths: ["old/**"]\n    reason: gone\n    expires: 2020-01-01\n',
    'models/evil.pkl': buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }),
    'models/weights.bin': buildPickleCall({ module: 'posix', name: 'system', args: ['ls'], protocol: 4 }),
    '.github/workflows/ci.yml': 'on: pull_request_target\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: echo "${{ github.event.pull_request.title }}"\n',
    'Dockerfile': 'FROM python:latest\nRUN pip install torch\n',
  };
  for (let i = 0; i < 30; i++) files[`src/mod${i}.py`] = `print(${i})\n`;
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const out = tempDir('ai-gate-shard-out-');
const key = (r: Report) => r.findings.map((f) => `${f.ruleId} ${f.location.path} ${f.fingerprint} ${f.blocking}`);

describe('shards', () => {
  it('parses i/n and refuses what is not a shard', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '2', '1/257', '-1/2']) expect(() => parseShard(bad)).toThrow(/is not a shard/);
  });

  it('assigns every path to exactly one shard, the same one every time, spreading paths over all shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 2000; i++) {
      const s = shardOf(`data/file-${i}.csv`, 4);
      expect(s).toBe(shardOf(`data/file-${i}.csv`, 4));
      counts[s - 1]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(350);
    expect(shardOf('anything', 1)).toBe(1);
  });

  it('merges the shards of a scan into the same findings and verdict as one unsharded scan', async () => {
    const root = repo();
    const whole = await cli(['scan', root, '--format', 'json'], root);
    expect(whole.code).toBe(1);
    const full = JSON.parse(whole.stdout) as Report;
    expect(full.findings.some((f) => f.ruleId === 'policy/expired-exception' || f.location.path === '.github/ai-gate.yml')).toBe(true);

    const files: string[] = [];
    const scanned: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const file = join(out, `shard-${i}.json`);
      const run = await cli(['scan', root, '--shard', `${i}/3`, '--json', file, '--format', 'json'], root);
      expect([0, 1]).toContain(run.code);
      const part = JSON.parse(readFileSync(file, 'utf8')) as Report;
      expect(part.shard).toEqual({ index: i, total: 3 });
      scanned.push(part.stats.filesScanned);
      files.push(file);
    }
    expect(scanned.reduce((a, b) => a + b, 0)).toBe(full.stats.filesScanned);
    expect(scanned.every((n) => n > 0)).toBe(true);

    const sarif = join(out, 'merged.sarif');
    const merged = await cli(['merge', ...files.reverse(), '--format', 'json', '--sarif', sarif], root);
    expect(merged.code).toBe(1);
    const report = JSON.parse(merged.stdout) as Report;
    expect(report.shard).toBeUndefined();
    expect(key(report)).toEqual(key(full));
    expect(report.verdict).toEqual(full.verdict);
    expect(report.notes).toContain('Merged from 3 shards (files split by path hash).');
    // The audit trail of the merge lists every shard's model and dataset digests, as one scan would.
    expect(report.audit?.artifacts).toEqual(full.audit?.artifacts);
    expect(report.audit?.artifacts.map((a) => a.path)).toEqual(['models/evil.pkl', 'models/weights.bin']);
    expect(report.audit?.verdict).toEqual({ passed: false, failOn: 'high', blocking: full.verdict.counts.blocking });
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].results).toHaveLength(full.findings.length);
  });

  it('refuses to merge when a shard is missing, repeated or from another scan', async () => {
    const root = repo();
    const files = [1, 2].map((i) => join(out, `s${i}.json`));
    await cli(['scan', root, '--shard', '1/2', '--json', files[0], '--format', 'json'], root);
    await cli(['scan', root, '--shard', '2/2', '--json', files[1], '--format', 'json'], root);
    const missing = await cli(['merge', files[0]], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('shard 2/2 missing');
    const twice = await cli(['merge', files[0], files[0], files[1]], root);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('are both shard 1/2');
    const other = JSON.parse(readFileSync(files[1], 'utf8'));
    other.policy.failOn = 'low';
    writeFileSync(files[1], JSON.stringify(other));
    const mixed = await cli(['merge', ...files], root);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('has fail-on "low"');
    writeFileSync(files[1], 'not json');
    expect((await cli(['merge', ...files], root)).stderr).toContain('is not JSON');
    expect((await cli(['scan', root, '--shard', '3/2'], root)).code).toBe(2);
  });

  it('a merged report can pass: the verdict is recomputed with --fail-on', async () => {
    const root = repo();
    const files = [1, 2].map((i) => join(out, `s${i}.json`));
    for (const [i, f] of files.entries()) await cli(['scan', root, '--shard', `${i + 1}/2`, '--json', f, '--format', 'json'], root);
    const merged = await cli(['merge', ...files, '--fail-on', 'critical', '--format', 'json'], root);
    const report = JSON.parse(merged.stdout) as Report;
    expect(report.verdict.failOn).toBe('critical');
    expect(merged.code).toBe(report.verdict.passed ? 0 : 1);
    expect(report.findings.filter((f) => f.blocking).every((f) => f.severity === 'critical')).toBe(true);
  });
});
