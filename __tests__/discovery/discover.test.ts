import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../src/discovery/index.js';
import type { DiscoveryResult } from '../../src/discovery/types.js';
import { ConfigurationError } from '../../src/engine/errors.js';
import { silentLogger, type Logger } from '../../src/engine/logger.js';
import { buildPickleCall, buildTorchZip } from '../helpers/builders.js';

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ai-gate-discovery-'));
  temps.push(d);
  return d;
}
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

/** Git isolated from the user's and system configuration and from any hook environment. */
const GIT_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries({ ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }).filter(([k]) => !/^GIT_(DIR|WORK_TREE|INDEX_FILE)$/.test(k)),
);
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV }).toString();
}

function write(root: string, rel: string, data: string | Buffer): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, data);
}

const paths = (r: DiscoveryResult): string[] => r.files.map((f) => f.path);
const PICKLE = buildPickleCall({ protocol: 4, module: 'os', name: 'system', args: ['id'] });
const ODD_NAMES = ['odd/a::b.txt', 'odd/new\nline.txt', 'odd/<b>html</b>.txt', 'odd/space "quoted" \'name\'.txt', 'odd/ünï.txt'];

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(`debug ${m}`), info: (m) => lines.push(`info ${m}`), warning: (m) => lines.push(`warning ${m}`), error: (m) => lines.push(`error ${m}`) };
}

describe('discover in a git checkout', () => {
  let repo: string;
  let baseSha: string;

  beforeAll(() => {
    repo = tempDir();
    git(repo, 'init', '-q');
    write(repo, 'README.md', '# demo\n');
    write(repo, '.gitignore', 'ignored.log\nbuild/\n');
    write(repo, '.github/workflows/ci.yml', 'on: push\njobs: {}\n');
    write(repo, 'models/clf.bin', PICKLE);
    write(repo, 'models/torch.pt', buildTorchZip());
    write(repo, 'data/train.csv', 'name,email\nAda,ada@example.com\n');
    write(repo, 'src/train.py', 'print("hi")\n');
    write(repo, 'to-rename.txt', 'rename me\n');
    write(repo, 'to-delete.txt', 'delete me\n');
    write(repo, 'to-modify.txt', 'v1\n');
    write(repo, 'gone-from-worktree.txt', 'bye\n');
    write(repo, 'pipe', 'was a file\n');
    for (const n of ODD_NAMES) write(repo, n, `content of ${n}`);
    symlinkSync('/etc/passwd', join(repo, 'passwd-link'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'base');
    baseSha = git(repo, 'rev-parse', 'HEAD').trim();
    // Working-tree state on top of the commit.
    write(repo, 'untracked.py', 'x = 1\n');
    write(repo, 'ignored.log', 'noise\n');
    write(repo, 'build/out.bin', Buffer.from([0, 1, 2]));
    unlinkSync(join(repo, 'gone-from-worktree.txt'));
    unlinkSync(join(repo, 'pipe'));
    execFileSync('mkfifo', [join(repo, 'pipe')]);
  });

  it('lists tracked and untracked files, never ignored, deleted or .git ones; .github is included', async () => {
    const r = await discover({ root: repo, ignore: [], logger: silentLogger });
    expect(paths(r)).toEqual([
      '.github/workflows/ci.yml', '.gitignore', 'README.md', 'data/train.csv', 'models/clf.bin', 'models/torch.pt',
      ...[...ODD_NAMES].sort(), 'src/train.py', 'to-delete.txt', 'to-modify.txt', 'to-rename.txt', 'untracked.py',
    ]);
    expect(r.deleted).toEqual([]);
    expect(r.ignored).toBe(0);
    expect(r.files.every((f) => f.change === 'unchanged')).toBe(true);
  });

  it('classifies and reads the head once', async () => {
    const r = await discover({ root: repo, ignore: [], logger: silentLogger });
    const byPath = new Map(r.files.map((f) => [f.path, f]));
    expect(byPath.get('models/clf.bin')).toMatchObject({ kind: 'model', format: 'pickle', size: PICKLE.length, head: PICKLE, absPath: join(repo, 'models/clf.bin') });
    expect(byPath.get('models/torch.pt')).toMatchObject({ kind: 'model', format: 'pytorch-zip' });
    expect(byPath.get('.github/workflows/ci.yml')).toMatchObject({ kind: 'workflow', format: 'yaml' });
    expect(byPath.get('data/train.csv')).toMatchObject({ kind: 'dataset', format: 'csv' });
    expect(byPath.get('odd/new\nline.txt')?.head.toString()).toBe('content of odd/new\nline.txt');
  });

  it('hands each file to onFile as it is found, before discovery ends: exactly the files of the result', async () => {
    const found: string[] = [];
    let ended = false;
    const r = await discover({ root: repo, ignore: ['**/*.md'], logger: silentLogger, onFile: (f) => { expect(ended).toBe(false); found.push(f.path); } })
      .finally(() => { ended = true; });
    expect(found.length).toBeGreaterThan(5);
    expect([...found].sort()).toEqual(r.files.map((f) => f.path).sort());
  });

  it('reports the tracked symlink out of the tree and the FIFO that replaced a tracked file', async () => {
    const r = await discover({ root: repo, ignore: [], logger: silentLogger });
    expect(r.issues).toEqual([
      { path: 'passwd-link', kind: 'symlink-escape', detail: 'symbolic link to "/etc/passwd" points outside the scanned root (the target exists); not followed' },
      { path: 'pipe', kind: 'special-file', detail: 'a FIFO (named pipe); never opened' },
    ]);
  });

  it('applies ignore globs and counts them', async () => {
    const r = await discover({ root: repo, ignore: ['odd/**', '*.txt', 'models'], logger: silentLogger });
    expect(paths(r)).toEqual(['.github/workflows/ci.yml', '.gitignore', 'README.md', 'data/train.csv', 'src/train.py', 'untracked.py']);
    // Four .txt paths (one tracked but gone from the working tree: ignores apply before any stat), two models.
    expect(r.ignored).toBe(ODD_NAMES.length + 4 + 2);
  });

  it('scans a subfolder of the checkout with paths relative to it', async () => {
    const r = await discover({ root: join(repo, 'models'), ignore: [], logger: silentLogger });
    expect(paths(r)).toEqual(['clf.bin', 'torch.pt']);
  });

  it('says so when git lists nothing under an ignored folder, instead of a silent empty scan', async () => {
    write(repo, 'build/artifact.pkl', PICKLE);
    const log = recordingLogger();
    const r = await discover({ root: join(repo, 'build'), ignore: [], logger: log });
    expect(r.files).toEqual([]);
    expect(log.lines.filter((l) => l.startsWith('warning'))).toEqual([
      `warning git lists no files under ${join(repo, 'build')} (all ignored or none there); nothing to scan. Scan a copy outside the checkout to inspect ignored files.`,
    ]);
  });

  it('caps the head at maxHeadBytes', async () => {
    const r = await discover({ root: join(repo, 'models'), ignore: [], logger: silentLogger, maxHeadBytes: 4 });
    expect(r.files[0].head).toEqual(PICKLE.subarray(0, 4));
    expect(r.files[0].size).toBe(PICKLE.length);
  });

  describe('with a base ref', () => {
    let changedRepo: string;
    let sha: string;
    beforeAll(() => {
      changedRepo = tempDir();
      git(changedRepo, 'init', '-q');
      write(changedRepo, 'keep.txt', 'same\n');
      write(changedRepo, 'models/old-name.pkl', Buffer.concat([PICKLE, Buffer.from('padding so that rename detection is sure')]));
      write(changedRepo, 'to-delete.txt', 'delete me\n');
      write(changedRepo, 'to-modify.txt', 'v1\n');
      write(changedRepo, 'sub/inner.txt', 'inner v1\n');
      git(changedRepo, 'add', '-A');
      git(changedRepo, 'commit', '-q', '-m', 'base');
      sha = git(changedRepo, 'rev-parse', 'HEAD').trim();
      git(changedRepo, 'mv', 'models/old-name.pkl', 'models/new name::x.pkl');
      git(changedRepo, 'rm', '-q', 'to-delete.txt');
      write(changedRepo, 'to-modify.txt', 'v2\n');
      write(changedRepo, 'staged-new.txt', 'new\n');
      git(changedRepo, 'add', 'staged-new.txt');
      git(changedRepo, 'commit', '-q', '-m', 'head');
      write(changedRepo, 'untracked <b>new</b>.txt', 'untracked\n');
      write(changedRepo, 'sub/inner.txt', 'inner v2\n');
    });

    it('lists what changed since the base, with renames and deletions', async () => {
      const r = await discover({ root: changedRepo, base: sha, ignore: [], logger: silentLogger });
      expect(r.files.map((f) => [f.path, f.change, f.previousPath])).toEqual([
        ['models/new name::x.pkl', 'renamed', 'models/old-name.pkl'],
        ['staged-new.txt', 'added', undefined],
        ['sub/inner.txt', 'modified', undefined],
        ['to-modify.txt', 'modified', undefined],
        ['untracked <b>new</b>.txt', 'added', undefined],
      ]);
      expect(r.deleted).toEqual(['to-delete.txt']);
      expect(r.files[0]).toMatchObject({ kind: 'model', format: 'pickle' });
    });

    it('accepts a branch name and scopes a subfolder', async () => {
      git(changedRepo, 'branch', '-f', 'base-branch', sha);
      const r = await discover({ root: join(changedRepo, 'sub'), base: 'base-branch', ignore: [], logger: silentLogger });
      expect(r.files.map((f) => [f.path, f.change])).toEqual([['inner.txt', 'modified']]);
    });

    it('applies ignore globs to changed files', async () => {
      const r = await discover({ root: changedRepo, base: sha, ignore: ['models/**', 'to-delete.txt'], logger: silentLogger });
      expect(paths(r)).not.toContain('models/new name::x.pkl');
      expect(r.ignored).toBe(1);
      expect(r.deleted).toEqual([]);
    });

    it('rejects a bad base ref with a ConfigurationError naming it', async () => {
      for (const bad of ['no-such-branch', '--output=/tmp/x', 'HEAD~99']) {
        const err = await discover({ root: changedRepo, base: bad, ignore: [], logger: silentLogger }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigurationError);
        expect((err as Error).message).toContain(`"${bad}"`);
      }
    });

    it('works against the base of the first repository too', async () => {
      const r = await discover({ root: repo, base: baseSha, ignore: [], logger: silentLogger });
      expect(paths(r)).toEqual(['untracked.py']);
      expect(r.deleted).toEqual(['gone-from-worktree.txt']);
      expect(r.issues).toEqual([{ path: 'pipe', kind: 'special-file', detail: 'a FIFO (named pipe); never opened' }]);
    });
  });
});

describe('discover a change list (the pulls API)', () => {
  it('reports a changed file missing from the checkout (pull_request_target checks out the base), never skips it', async () => {
    const d = tempDir();
    write(d, 'present.py', 'x = 1\n');
    const r = await discover({
      root: d, ignore: [], logger: silentLogger,
      changes: { changed: [{ path: 'present.py', change: 'modified' }, { path: 'models/new.pkl', change: 'added' }], deleted: ['old.csv'] },
    });
    expect(paths(r)).toEqual(['present.py']);
    expect(r.issues).toEqual([{ path: 'models/new.pkl', kind: 'missing', detail: 'the change adds or modifies it, but it is not in the checkout, so it was not scanned' }]);
    expect(r.deleted).toEqual(['old.csv']);
  });

  it('never reads through a parent directory that is a symbolic link out of the root, nor a FIFO the change names', async () => {
    const outside = tempDir();
    write(outside, 'secret.txt', 'outside the root\n');
    const d = tempDir();
    write(d, 'inside/ok.py', 'x = 1\n');
    symlinkSync(outside, join(d, 'sub'));
    symlinkSync('inside', join(d, 'alias'));
    execFileSync('mkfifo', [join(d, 'pipe.py')]);
    const r = await discover({
      root: d, ignore: [], logger: silentLogger,
      changes: {
        changed: [
          { path: 'sub/secret.txt', change: 'added' }, { path: 'alias/ok.py', change: 'added' }, { path: 'pipe.py', change: 'added' },
        ],
        deleted: [],
      },
    });
    expect(r.files.map((f) => [f.path, f.head.toString('utf8')])).toEqual([['alias/ok.py', 'x = 1\n']]);
    expect(r.issues).toEqual([
      { path: 'pipe.py', kind: 'special-file', detail: 'a FIFO (named pipe); never opened' },
      { path: 'sub/secret.txt', kind: 'symlink-escape', detail: 'a parent directory is a symbolic link that leads outside the scanned root; not followed' },
    ]);
  });
});

describe('discover outside git', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    outside = tempDir();
    write(outside, 'secret.txt', 'outside the root\n');
    root = tempDir();
    write(root, 'README.md', '# x\n');
    write(root, '.github/workflows/ci.yml', 'on: push\n');
    write(root, '.git/config', 'not really a repository\n');
    write(root, 'nested/.git/HEAD', 'ref: refs/heads/main\n');
    write(root, 'nested/model.pkl', PICKLE);
    write(root, 'ignored-by-glob/evil.pkl', PICKLE);
    for (const n of ODD_NAMES) write(root, n, `content of ${n}`);
    execFileSync('mkfifo', [join(root, 'fifo')]);
    symlinkSync('/etc/passwd', join(root, 'passwd'));
    symlinkSync('/etc', join(root, 'etc-dir'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'abs-escape'));
    symlinkSync('../../../../../../../../no/such/file', join(root, 'dangling-out'));
    symlinkSync('no-such-target', join(root, 'dangling-in'));
    symlinkSync('README.md', join(root, 'readme-link'));
    symlinkSync('ignored-by-glob/evil.pkl', join(root, 'innocent.txt'));
    symlinkSync('nested', join(root, 'dir-link'));
    symlinkSync('.git/config', join(root, 'git-config-link'));
    writeFileSync(join(root, Buffer.from('bad-\xff-name.pkl', 'latin1').toString('latin1')), 'x');
  });

  it('walks every file, skipping .git, never descending or following links out of the tree, never opening the FIFO', async () => {
    // Opening the FIFO would block: the test's timeout, not a clock, is what catches that.
    const r = await discover({ root, ignore: ['ignored-by-glob/**'], logger: silentLogger });
    expect(paths(r)).toEqual(['.github/workflows/ci.yml', 'README.md', 'bad-\u00ff-name.pkl', 'innocent.txt', 'nested/model.pkl', ...[...ODD_NAMES].sort()]);
    expect(r.ignored).toBe(1);
    expect(r.issues).toEqual([
      { path: 'abs-escape', kind: 'symlink-escape', detail: `symbolic link to ${JSON.stringify(join(outside, 'secret.txt'))} points outside the scanned root (the target exists); not followed` },
      { path: 'dangling-out', kind: 'symlink-escape', detail: 'symbolic link to "../../../../../../../../no/such/file" points outside the scanned root (the target does not exist); not followed' },
      { path: 'etc-dir', kind: 'symlink-escape', detail: 'symbolic link to "/etc" points outside the scanned root (the target exists); not followed' },
      { path: 'fifo', kind: 'special-file', detail: 'a FIFO (named pipe); never opened' },
      { path: 'git-config-link', kind: 'symlink-escape', detail: 'symbolic link to ".git/config" points into a .git directory; not followed' },
      { path: 'passwd', kind: 'symlink-escape', detail: 'symbolic link to "/etc/passwd" points outside the scanned root (the target exists); not followed' },
    ]);
  });

  it('scans a link to an ignored file under the link name, and a link to a listed file only once', async () => {
    const r = await discover({ root, ignore: ['ignored-by-glob/**'], logger: silentLogger });
    const link = r.files.find((f) => f.path === 'innocent.txt');
    expect(link).toMatchObject({ kind: 'model', format: 'pickle', absPath: join(root, 'ignored-by-glob/evil.pkl') });
    expect(paths(r).filter((p) => p === 'README.md' || p === 'readme-link')).toEqual(['README.md']);
  });

  it('reads a name that is not UTF-8 under its bytes', async () => {
    const bad = Buffer.concat([Buffer.from('bad-'), Buffer.from([0xff]), Buffer.from('-name.pkl')]);
    const d = tempDir();
    writeFileSync(Buffer.concat([Buffer.from(`${d}/`), bad]), PICKLE);
    const r = await discover({ root: d, ignore: [], logger: silentLogger });
    expect(r.files).toEqual([]);
    expect(r.issues).toEqual([{ path: 'bad-\ufffd-name.pkl', kind: 'unreadable', detail: 'the file name is not valid UTF-8, so it cannot be scanned; rename it' }]);
  });

  it('rejects a base ref outside a checkout, and a root that is not a directory', async () => {
    const err = await discover({ root, base: 'main', ignore: [], logger: silentLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(/"main".*git checkout/);
    await expect(discover({ root: join(root, 'README.md'), ignore: [], logger: silentLogger })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(discover({ root: join(root, 'nope'), ignore: [], logger: silentLogger })).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('is deterministic', async () => {
    const a = await discover({ root, ignore: [], logger: silentLogger });
    const b = await discover({ root, ignore: [], logger: silentLogger });
    expect(a).toEqual(b);
  });

  it('logs why git was not used', async () => {
    const log = recordingLogger();
    await discover({ root, ignore: [], logger: log });
    expect(log.lines.some((l) => l.startsWith('debug git cannot be used'))).toBe(true);
  });

  it('ignores a directory named by a glob at any depth below it, and only that directory', async () => {
    const d = tempDir();
    for (const p of ['a/b/c/d.txt', 'a/b/e.txt', 'a/bc/d.txt', 'x/1/2/skip/f.txt', 'x/skip2/f.txt', 'x/1/skip.txt']) write(d, p, 'x');
    const r = await discover({ root: d, ignore: ['a/b', 'x/**/skip'], logger: silentLogger });
    expect(paths(r)).toEqual(['a/bc/d.txt', 'x/1/skip.txt', 'x/skip2/f.txt']);
    expect(r.ignored).toBe(3);
  });

  it('reads every file of a large tree, each with its own head, and lets the event loop turn while it does', async () => {
    const d = tempDir();
    const n = 1500;
    for (let k = 0; k < n; k++) write(d, `pkg${k % 7}/m${k}.py`, `# module ${k}\n${'x = 1\n'.repeat(k % 5)}`);
    let turns = 0;
    let ticking = true;
    const tick = (): void => { if (ticking) { turns++; setImmediate(tick); } };
    setImmediate(tick);
    const r = await discover({ root: d, ignore: [], logger: silentLogger });
    ticking = false;
    expect(r.files.length).toBe(n);
    for (const f of r.files) {
      const k = Number(/m(\d+)\.py$/.exec(f.path)?.[1]);
      expect(f.head.toString('utf8')).toBe(`# module ${k}\n${'x = 1\n'.repeat(k % 5)}`);
      expect(f.size).toBe(f.head.length);
      expect(f).toMatchObject({ kind: 'text', format: 'python' });
    }
    expect(turns).toBeGreaterThan(0);
  });

  it('judges a file replaced by a symlink as a link', async () => {
    const d = tempDir();
    write(d, 'a.txt', 'x');
    renameSync(join(d, 'a.txt'), join(d, 'b.txt'));
    symlinkSync('/etc/hostname', join(d, 'a.txt'));
    const r = await discover({ root: d, ignore: [], logger: silentLogger });
    expect(paths(r)).toEqual(['b.txt']);
    expect(r.issues.map((i) => i.kind)).toEqual(['symlink-escape']);
  });
});
