import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitTopLevel, parseNameStatus, resolveBase, splitNul } from '../../src/discovery/git.js';
import { discover } from '../../src/discovery/index.js';
import { ConfigurationError } from '../../src/engine/errors.js';
import { silentLogger } from '../../src/engine/logger.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const temps: string[] = [];
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

function repoWith(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'ai-gate-git-'));
  temps.push(d);
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  execFileSync('git', ['init', '-q'], { cwd: d, env });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(d, name), data);
  execFileSync('git', ['add', '-A'], { cwd: d, env });
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'x'], { cwd: d, env });
  return d;
}

describe('splitNul', () => {
  it('splits NUL-terminated fields, keeping newlines and odd bytes', () => {
    const out = splitNul(Buffer.concat([b('a\nb'), Buffer.from([0]), Buffer.from([0xff, 0x3a]), Buffer.from([0])]));
    expect(out).toEqual([b('a\nb'), Buffer.from([0xff, 0x3a])]);
    expect(splitNul(Buffer.alloc(0))).toEqual([]);
  });
});

describe('parseNameStatus', () => {
  it('reads added, modified, type-changed, deleted, renamed and copied entries', () => {
    const fields = ['A', 'new.txt', 'M', 'mod.txt', 'T', 'now-a-link', 'D', 'gone.txt', 'R087', 'old name', 'new\nname', 'C100', 'src', 'copy', 'U', 'conflict']
      .map(b);
    const { changed, deleted } = parseNameStatus(fields);
    expect(changed.map((c) => [c.raw.toString(), c.change, c.previousRaw?.toString()])).toEqual([
      ['new.txt', 'added', undefined],
      ['mod.txt', 'modified', undefined],
      ['now-a-link', 'modified', undefined],
      ['new\nname', 'renamed', 'old name'],
      ['copy', 'copied', 'src'],
      ['conflict', 'modified', undefined],
    ]);
    expect(deleted.map((d) => d.toString())).toEqual(['gone.txt']);
  });

  it('stops at a truncated record', () => {
    expect(parseNameStatus([b('R100'), b('only-old')]).changed).toEqual([]);
  });
});

describe('git helpers', () => {
  it('resolves a ref to a commit and rejects option-like refs', async () => {
    const repo = repoWith({ 'a.txt': 'a' });
    expect(await resolveBase(repo, 'HEAD')).toMatch(/^[0-9a-f]{40}$/);
    await expect(resolveBase(repo, '--help')).rejects.toBeInstanceOf(ConfigurationError);
    await expect(resolveBase(repo, 'HEAD:a.txt')).rejects.toBeInstanceOf(ConfigurationError); // a blob, not a commit
  });

  it('finds the top level, or says why not', async () => {
    const repo = repoWith({ 'a.txt': 'a' });
    expect((await gitTopLevel(repo)).top).toBeTruthy();
    const plain = mkdtempSync(join(tmpdir(), 'ai-gate-plain-'));
    temps.push(plain);
    const r = await gitTopLevel(plain);
    expect(r.top).toBeUndefined();
    expect(r.reason).toMatch(/not a git repository/i);
  });

  it('ignores GIT_DIR and GIT_WORK_TREE from a hook environment', async () => {
    const scanned = repoWith({ 'scanned.txt': 'yes' });
    const other = repoWith({ 'other.txt': 'no' });
    const saved = { dir: process.env.GIT_DIR, tree: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = join(other, '.git');
    process.env.GIT_WORK_TREE = other;
    try {
      const r = await discover({ root: scanned, ignore: [], logger: silentLogger });
      expect(r.files.map((f) => f.path)).toEqual(['scanned.txt']);
    } finally {
      if (saved.dir === undefined) delete process.env.GIT_DIR; else process.env.GIT_DIR = saved.dir;
      if (saved.tree === undefined) delete process.env.GIT_WORK_TREE; else process.env.GIT_WORK_TREE = saved.tree;
    }
  });

  it('does not run a core.fsmonitor program from the scanned repository', async () => {
    const repo = repoWith({ 'a.txt': 'a' });
    const marker = join(repo, 'fsmonitor-ran');
    execFileSync('git', ['config', 'core.fsmonitor', `touch ${marker}; false`], { cwd: repo });
    const r = await discover({ root: repo, base: 'HEAD', ignore: [], logger: silentLogger });
    expect(r.files).toEqual([]);
    expect(() => execFileSync('test', ['-e', marker])).toThrow();
  });
});
