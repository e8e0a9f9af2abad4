/**
 * EACCES cannot be produced with chmod when the tests run as root (as in some CI containers), and the
 * lstat/open race cannot be won on demand, so `open` and `readdir` are made to misbehave for chosen names.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as realFsSync from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const denied = (p: unknown): boolean => String(p).includes('locked');
const eacces = (p: unknown): NodeJS.ErrnoException => Object.assign(new Error(`EACCES: permission denied, '${String(p)}'`), { code: 'EACCES' });

const elsewhere = mkdtempSync(join(tmpdir(), 'ai-gate-fifo-'));
const fifo = join(elsewhere, 'fifo');
execFileSync('mkfifo', [fifo]);

// Discovery opens files synchronously (node:fs openSync) and lists directories through node:fs/promises.
jest.unstable_mockModule('node:fs', () => ({
  ...realFsSync,
  default: realFsSync,
  openSync: (p: Parameters<typeof realFsSync.openSync>[0], ...rest: unknown[]) => {
    if (denied(p)) throw eacces(p);
    // A regular file at lstat time that is a FIFO by the time it is opened.
    if (String(p).endsWith('swapped.txt')) return (realFsSync.openSync as (...a: unknown[]) => number)(fifo, ...rest);
    return (realFsSync.openSync as (...a: unknown[]) => number)(p, ...rest);
  },
}));
jest.unstable_mockModule('node:fs/promises', () => ({
  ...realFs,
  default: realFs,
  readdir: async (p: Parameters<typeof realFs.readdir>[0], ...rest: unknown[]) => {
    if (denied(p)) throw eacces(p);
    return (realFs.readdir as (...a: unknown[]) => unknown)(p, ...rest);
  },
}));

const { discover } = await import('../../src/discovery/index.js');
const { silentLogger } = await import('../../src/engine/logger.js');

const root = mkdtempSync(join(tmpdir(), 'ai-gate-unreadable-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

describe('files that cannot or must not be read', () => {
  it('unreadable files and directories are reported, and the rest is still scanned', async () => {
    writeFileSync(join(root, 'ok.txt'), 'fine');
    writeFileSync(join(root, 'locked.pkl'), 'secret');
    mkdirSync(join(root, 'locked-dir'));
    writeFileSync(join(root, 'locked-dir', 'inner.txt'), 'x');
    const r = await discover({ root, ignore: [], logger: silentLogger });
    expect(r.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(r.issues).toEqual([
      { path: 'locked-dir', kind: 'unreadable', detail: 'directory cannot be listed (EACCES)' },
      { path: 'locked.pkl', kind: 'unreadable', detail: 'cannot be opened (EACCES)' },
    ]);
  });

  it('a file swapped for a FIFO between lstat and open is caught by fstat and never read', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ai-gate-swap-'));
    try {
      writeFileSync(join(d, 'swapped.txt'), 'regular at lstat time');
      const r = await discover({ root: d, ignore: [], logger: silentLogger });
      expect(r.files).toEqual([]);
      expect(r.issues).toEqual([{ path: 'swapped.txt', kind: 'special-file', detail: 'a FIFO (named pipe) (it changed while being scanned); never read' }]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
