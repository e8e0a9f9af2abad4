import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeBaseFiles, gitBaseFiles } from '../../src/discovery/base.js';
import type { ChangeBase } from '../../src/engine/rule.js';

const temps: string[] = [];
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
for (const v of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[v];

function repo(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'ai-gate-basefiles-'));
  temps.push(d);
  execFileSync('git', ['init', '-q'], { cwd: d, env });
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), data);
  }
  execFileSync('git', ['add', '-A'], { cwd: d, env });
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'x'], { cwd: d, env });
  return d;
}

describe('gitBaseFiles', () => {
  it('streams a file at the base into a temp file, removed on close', async () => {
    const d = repo({ 'data/a.csv': 'base,version\n' });
    writeFileSync(join(d, 'data/a.csv'), 'head\n');
    const files = await gitBaseFiles(d, 'HEAD', 1024);
    const v = await files.get('data/a.csv');
    expect(v).toMatchObject({ size: 13, truncated: false });
    expect(readFileSync(v!.absPath, 'utf8')).toBe('base,version\n');
    await v!.close();
    expect(existsSync(v!.absPath)).toBe(false);
  });

  it('cuts at maxBytes and says so', async () => {
    const d = repo({ 'big.txt': 'x'.repeat(100_000) });
    const v = await (await gitBaseFiles(d, 'HEAD', 1000)).get('big.txt');
    expect(v).toMatchObject({ size: 1000, truncated: true });
    expect(readFileSync(v!.absPath).length).toBe(1000);
    await v!.close();
  });

  it('resolves paths relative to a scanned sub-folder, and gives undefined for files absent at the base', async () => {
    const d = repo({ 'sub/data/a.csv': 'a\n' });
    const files = await gitBaseFiles(join(d, 'sub'), 'HEAD', 1024);
    const v = await files.get('data/a.csv');
    expect(readFileSync(v!.absPath, 'utf8')).toBe('a\n');
    await v!.close();
    expect(await files.get('data/new.csv')).toBeUndefined();
  });

  it('refuses a base that is not a commit', async () => {
    const d = repo({ 'a.txt': 'a' });
    await expect(gitBaseFiles(d, 'no-such-ref', 10)).rejects.toThrow(/not a commit/);
  });
});

describe('changeBaseFiles', () => {
  it('writes what the change reader returns, cut at maxBytes', async () => {
    const change = { ref: 'abc', policyPath: 'p', changes: [], readHead: async () => undefined,
      readBase: async (path: string, max: number) => (path === 'a' ? Buffer.from('0123456789').subarray(0, max) : undefined) } as ChangeBase;
    const files = changeBaseFiles(change, 4);
    const v = await files.get('a');
    expect(v).toMatchObject({ size: 4, truncated: true });
    expect(readFileSync(v!.absPath, 'utf8')).toBe('0123');
    await v!.close();
    expect(await files.get('b')).toBeUndefined();
  });
});
