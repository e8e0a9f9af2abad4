import { describe, expect, it, jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/engine/logger.js';
import { TOOL_VERSION } from '../../src/meta.js';
import { ArtifactHasher, hashArtifacts, hashStream } from '../../src/report/audit.js';
import { HashPool } from '../../src/report/hash-pool.js';
import type { ScannedFile } from '../../src/discovery/types.js';
import { scan } from '../../src/scan.js';
import { writeTree } from '../helpers/rule-tester.js';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const model = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);
const csv = 'id,label\n1,a\n2,b\n';

/** Writes `b` to dir/path and gives the file as discovery would (its first 8 KiB as the head). */
function written(dir: string, path: string, b: Buffer, kind: ScannedFile['kind'], format = 'unknown'): ScannedFile {
  writeFileSync(join(dir, path), b);
  return { path, absPath: join(dir, path), size: b.length, head: b.subarray(0, 8192), kind, format, change: 'unchanged' } as unknown as ScannedFile;
}

async function scanTree(files: Record<string, string | Buffer>, policy?: string) {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-audit-'));
  try {
    writeTree(root, files);
    if (policy) writeFileSync(join(root, 'policy.yml'), policy);
    return await scan({ root: '.', cwd: root, logger: silentLogger, policyFile: policy ? 'policy.yml' : undefined, policyExplicit: Boolean(policy), today: '2026-01-01' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the audit trail in the report', () => {
  it('records the policy digest, the rule set, every model and dataset digest, and the verdict', async () => {
    const policy = 'extends: recommended\nfail-on: high\n';
    const report = await scanTree({ 'models/m.safetensors': model, 'data/train.csv': csv, 'src/x.py': 'print(1)\n' }, policy);
    const audit = report.audit!;
    expect(audit.policy).toEqual({ source: 'policy.yml', sha256: sha(policy), resolvedSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(audit.ruleSet).toEqual({ toolVersion: TOOL_VERSION, rulesEnabled: report.policy.rulesEnabled, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(audit.artifacts).toEqual([
      { path: 'data/train.csv', kind: 'dataset', format: 'csv', size: csv.length, sha256: sha(csv) },
      { path: 'models/m.safetensors', kind: 'model', format: 'safetensors', size: model.length, sha256: sha(model) },
    ]);
    expect(audit.verdict).toEqual({ passed: report.verdict.passed, failOn: 'high', blocking: report.verdict.counts.blocking });
  });

  it('gives a different rule-set digest when a rule setting changes, the same one otherwise', async () => {
    const a = await scanTree({ 'x.txt': 'x' }, 'extends: recommended\n');
    const b = await scanTree({ 'y.txt': 'y' }, 'extends: recommended\n');
    const c = await scanTree({ 'x.txt': 'x' }, 'extends: recommended\nrules:\n  data/pii: off\n');
    expect(a.audit!.ruleSet.sha256).toBe(b.audit!.ruleSet.sha256);
    expect(a.audit!.policy.resolvedSha256).toBe(b.audit!.policy.resolvedSha256);
    expect(c.audit!.ruleSet.sha256).not.toBe(a.audit!.ruleSet.sha256);
  });

  it('hashes in chunks, up to a limit, and says when it was cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-hash-'));
    try {
      const big = Buffer.alloc(9 * 1024 * 1024 + 7, 0x61);
      writeFileSync(join(dir, 'big.bin'), big);
      expect(await hashStream(join(dir, 'big.bin'), Infinity)).toEqual({ sha256: sha(big), bytes: big.length, truncated: false });
      expect(await hashStream(join(dir, 'big.bin'), 1000)).toEqual({ sha256: sha(big.subarray(0, 1000)), bytes: 1000, truncated: true });
      expect(await hashStream(join(dir, 'absent.bin'), 10)).toBeUndefined();
      // A FIFO that replaced a file since discovery has no digest (as in the hashing threads), not that of no bytes.
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      expect(await hashStream(join(dir, 'fifo'), 10)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a dataset hashed on the engine\'s read of it gets the digest a plain stream gives, cut at the read limit alike', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},"row ${i}",label-${i % 7}`).join('\n');
    const big = `id,text,label\n${rows}\n`;
    const limit = 'extends: recommended\nlimits:\n  max-file-bytes: 500000\n';
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-hash-'));
    try {
      writeFileSync(join(dir, 'big.csv'), big);
      const cut = await hashStream(join(dir, 'big.csv'), 500_000);
      const report = await scanTree({ 'data/big.csv': big }, limit);
      expect(report.audit!.artifacts).toEqual([{ path: 'data/big.csv', kind: 'dataset', format: 'csv', size: Buffer.byteLength(big), sha256: cut!.sha256, truncated: true }]);
      // With no rule for datasets enabled, the engine does not open it: hashed apart, the same.
      const off = await scanTree({ 'data/big.csv': big }, `${limit}rules:\n${['data/pii', 'data/provenance', 'secret/ai-provider-key', 'secret/cloud-credential', 'secret/dev-platform-token', 'secret/generic-credential', 'secret/private-key'].map((r) => `  ${r}: off\n`).join('')}`);
      expect(off.audit!.artifacts).toEqual(report.audit!.artifacts);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('digests files larger than what discovery holds (the worker-thread path) exactly as a plain stream does', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},label-${i % 7}`).join('\n');
    const big = `id,label\n${rows}\n`;
    const report = await scanTree({ 'data/big.csv': big, 'data/small.csv': csv });
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    expect(report.audit!.artifacts).toEqual([
      { path: 'data/big.csv', kind: 'dataset', format: 'csv', size: Buffer.byteLength(big), sha256: sha(big) },
      { path: 'data/small.csv', kind: 'dataset', format: 'csv', size: csv.length, sha256: sha(csv) },
    ]);
  });
});

describe('HashPool (worker threads)', () => {
  it('hashes many files at once, up to a limit, and gives nothing for what is missing, not a file, or a symlink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    const pool = new HashPool(2);
    try {
      const files = Array.from({ length: 6 }, (_, i) => Buffer.alloc(5 * 1024 * 1024 + i * 1001, 0x30 + i));
      files.forEach((b, i) => writeFileSync(join(dir, `f${i}`), b));
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      symlinkSync(join(dir, 'f0'), join(dir, 'link'));
      const got = await Promise.all([
        ...files.map((_, i) => pool.hash(join(dir, `f${i}`), Infinity)),
        pool.hash(join(dir, 'f1'), 4096),
        pool.hash(join(dir, 'absent'), Infinity),
        pool.hash(join(dir, 'fifo'), Infinity),
        pool.hash(join(dir, 'link'), Infinity),
        pool.hash(dir, Infinity),
      ]);
      expect(got.slice(0, 6)).toEqual(files.map((b) => ({ sha256: sha(b), bytes: b.length, truncated: false })));
      expect(got[6]).toEqual({ sha256: sha(files[1].subarray(0, 4096)), bytes: 4096, truncated: true });
      expect(got.slice(7)).toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts threads as jobs come, up to its size, takes the largest waiting file first, and grows when told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    const pool = new HashPool(1);
    try {
      expect(pool.threads).toBe(0);
      const sizes = [4, 1, 3, 2].map((n) => n * 2 * 1024 * 1024);
      sizes.forEach((n, i) => writeFileSync(join(dir, `f${i}`), Buffer.alloc(n, i)));
      const done: number[] = [];
      const jobs = sizes.map((n, i) => pool.hash(join(dir, `f${i}`), Infinity, n).then((h) => { done.push(i); return h; }));
      expect(pool.threads).toBe(1);
      await Promise.all(jobs);
      // f0 went to the thread at once; of those that waited, the largest went first.
      expect(done).toEqual([0, 2, 3, 1]);
      const more = [pool.hash(join(dir, 'f0'), Infinity, sizes[0]), pool.hash(join(dir, 'f2'), Infinity, sizes[2])];
      pool.grow(2);
      expect(pool.threads).toBe(2);
      expect((await Promise.all(more)).map((h) => h?.bytes)).toEqual([sizes[0], sizes[2]]);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same artifact list with and without threads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    try {
      const big = Buffer.alloc(300_000, 7);
      writeFileSync(join(dir, 'w.bin'), big);
      const file = (path: string, bytes: Buffer, kind: ScannedFile['kind']): ScannedFile => ({
        path, absPath: join(dir, path), size: bytes.length, head: bytes.subarray(0, 8192), kind, format: 'unknown', change: 'unchanged',
      } as unknown as ScannedFile);
      const files = [file('w.bin', big, 'model'), file('gone.bin', big, 'dataset'), file('t.txt', Buffer.from('x'), 'text')];
      const threaded = await hashArtifacts(files, Infinity);
      expect(threaded).toEqual(await hashArtifacts(files, Infinity, { threads: false }));
      expect(threaded).toEqual([
        { path: 'gone.bin', kind: 'dataset', format: 'unknown', size: big.length, unreadable: true },
        { path: 'w.bin', kind: 'model', format: 'unknown', size: big.length, sha256: sha(big) },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ArtifactHasher starts on files as they are added and reports exactly the files finish() is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    try {
      const bytes = (n: number) => Buffer.alloc(200_000 + n, n);
      const file = (path: string, b: Buffer, kind: ScannedFile['kind']) => written(dir, path, b, kind);
      const a = file('a.bin', bytes(1), 'model'), b = file('b.csv', bytes(2), 'dataset'), c = file('c.bin', bytes(3), 'model');
      const notes = file('n.txt', bytes(4), 'text');
      const hasher = new ArtifactHasher(Infinity);
      hasher.add(a);
      hasher.add(a);
      hasher.add(notes);
      hasher.add(c); // found, then left out of the scan (another shard's, say): not in the list
      const got = await hasher.finish([a, b, notes]);
      expect(got).toEqual([
        { path: 'a.bin', kind: 'model', format: 'unknown', size: a.size, sha256: sha(bytes(1)) },
        { path: 'b.csv', kind: 'dataset', format: 'unknown', size: b.size, sha256: sha(bytes(2)) },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ArtifactHasher leaves the files the engine reads whole to it, and hashes those it did not hand back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    const fsp = (await import('node:fs')).promises;
    const spy = jest.spyOn(fsp, 'open');
    try {
      const bytes = (n: number) => Buffer.alloc(300_000 + n, n);
      const file = (path: string, b: Buffer, kind: ScannedFile['kind']) => written(dir, path, b, kind, 'csv');
      const handed = file('a.csv', bytes(1), 'dataset'), failed = file('b.csv', bytes(2), 'dataset'), m = file('m.bin', bytes(3), 'model');
      const hasher = new ArtifactHasher(Infinity, { threads: false, byEngine: (f) => f.kind === 'dataset' });
      for (const f of [handed, failed, m]) hasher.add(f);
      expect([handed, failed, m].map((f) => hasher.wanted(f))).toEqual([true, true, false]);
      const done = hasher.finish([handed, failed, m]);
      hasher.put('a.csv', { sha256: 'from-the-engine', bytes: handed.size, truncated: false });
      hasher.put('m.bin', { sha256: 'not asked for', bytes: 1, truncated: false });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Only the model was read here so far: the datasets wait for the engine.
      expect(spy.mock.calls.map((c) => c[0])).toEqual([join(dir, 'm.bin')]);
      hasher.engineDone();
      expect(await done).toEqual([
        { path: 'a.csv', kind: 'dataset', format: 'csv', size: handed.size, sha256: 'from-the-engine' },
        { path: 'b.csv', kind: 'dataset', format: 'csv', size: failed.size, sha256: sha(bytes(2)) },
        { path: 'm.bin', kind: 'model', format: 'csv', size: m.size, sha256: sha(bytes(3)) },
      ]);
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ArtifactHasher given up (discovery failed) ends its threads and does not redo a cut hash on this thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    const fsp = (await import('node:fs')).promises;
    const spy = jest.spyOn(fsp, 'open');
    try {
      const big = Buffer.alloc(96 * 1024 * 1024, 1);
      writeFileSync(join(dir, 'm.bin'), big);
      const hasher = new ArtifactHasher(Infinity);
      hasher.add({ path: 'm.bin', absPath: join(dir, 'm.bin'), size: big.length, head: big.subarray(0, 8192), kind: 'model', format: 'unknown', change: 'unchanged' } as unknown as ScannedFile);
      expect(await hasher.finish([])).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without threads, hashes a few files at a time, not every model and dataset at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pool-'));
    const fsp = (await import('node:fs')).promises;
    const open = fsp.open;
    let openNow = 0, most = 0;
    try {
      const bytes = Buffer.alloc(20_000, 3);
      const files = Array.from({ length: 30 }, (_, i) => {
        writeFileSync(join(dir, `m${i}.bin`), bytes);
        return { path: `m${i}.bin`, absPath: join(dir, `m${i}.bin`), size: bytes.length, head: bytes.subarray(0, 8192), kind: 'model', format: 'unknown', change: 'unchanged' } as unknown as ScannedFile;
      });
      const spy = jest.spyOn(fsp, 'open').mockImplementation((async (...args: Parameters<typeof open>) => {
        const handle = await open(...args);
        most = Math.max(most, ++openNow);
        const close = handle.close.bind(handle);
        handle.close = async () => { openNow--; return close(); };
        return handle;
      }) as typeof open);
      try {
        const got = await hashArtifacts(files, Infinity, { threads: false });
        expect(got.map((a) => a.sha256)).toEqual(files.map(() => sha(bytes)));
      } finally {
        spy.mockRestore();
      }
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
