import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScannedFile } from '../../src/discovery/types.js';
import type { Logger } from '../../src/engine/logger.js';
import { EngineThreads, ThreadsUnavailable, WorkerDied } from '../../src/engine/threads.js';
import type { ResolvedPolicy } from '../../src/policy/types.js';

const entry = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/fake-engine-worker.cjs');
const file = (path: string): ScannedFile => ({ path, absPath: `/nowhere/${path}`, size: 3, head: Buffer.from(`<${path}>`), kind: 'text', format: 'text', change: 'unchanged' } as unknown as ScannedFile);
const policy = { rules: {} } as unknown as ResolvedPolicy;

function pool(extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = { AI_GATE_THREADS: '2' }) {
  const logs: string[] = [];
  const logger: Logger = { debug: (m) => logs.push(m), info: (m) => logs.push(m), warning: (m) => logs.push(m), error: (m) => logs.push(m) };
  const threads = EngineThreads.create({ policy: { ...policy, ...extra } as ResolvedPolicy, today: '2026-01-01', redactionKey: 'k', logger, env, entry })!;
  return { threads, logs };
}

describe('EngineThreads', () => {
  it('is not created when threads cannot help or cannot run: one core, AI_GATE_THREADS=0, or sources (not a bundle)', () => {
    const base = { policy, today: '2026-01-01', redactionKey: 'k', logger: { debug() {}, info() {}, warning() {}, error() {} } };
    expect(EngineThreads.create({ ...base, entry, env: { AI_GATE_THREADS: '0' } })).toBeUndefined();
    expect(EngineThreads.create({ ...base, entry, env: { AI_GATE_THREADS: 'many' } })).toBeUndefined();
    // Under ts-jest this module is a .ts file: no bundle to start threads from.
    expect(EngineThreads.create({ ...base, env: { AI_GATE_THREADS: '2' } })).toBeUndefined();
  });

  it('checks files on its threads, in any number at once, and passes their log lines on', async () => {
    const { threads, logs } = pool();
    try {
      const names = Array.from({ length: 9 }, (_, i) => `f${i}`);
      const got = await Promise.all(names.map((n) => threads.check(file(n))));
      expect(got.map((c) => c.findings[0].message)).toEqual(names.map((n) => `${n}: <${n}>`));
      expect(logs.sort()).toEqual(names.map((n) => `checking ${n}`).sort());
    } finally {
      await threads.close();
    }
  });

  it('says whether a thread would take a file now, so that the main thread checks it otherwise', async () => {
    const { threads } = pool({}, { AI_GATE_THREADS: '1' });
    try {
      expect(threads.available()).toBe(true);
      const first = threads.check(file('a'));
      expect(threads.available()).toBe(false); // its one thread is busy
      await first;
      expect(threads.available()).toBe(true);
    } finally {
      await threads.close();
    }
  });

  it('a thread that dies on a file fails only that file (WorkerDied); the others are still checked', async () => {
    const { threads } = pool();
    try {
      const results = await Promise.allSettled(['a', 'die', 'b', 'fail', 'c'].map((n) => threads.check(file(n))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(WorkerDied);
      expect((results[3] as PromiseRejectedResult).reason).toEqual(new WorkerDied('rule exploded'));
      expect((await threads.check(file('after'))).findings).toHaveLength(1);
    } finally {
      await threads.close();
    }
  });

  it('threads that die before they are ready make every file come back as ThreadsUnavailable (checked on the main thread)', async () => {
    const logs: string[] = [];
    const logger: Logger = { debug: (m) => logs.push(m), info() {}, warning() {}, error() {} };
    // workerData carries the policy; the fixture reads `dieAtStart` from workerData itself.
    const threads = EngineThreads.create({ policy, today: '2026-01-01', redactionKey: 'k', logger, env: { AI_GATE_THREADS: '2' }, entry })!;
    (threads as unknown as { data: Record<string, unknown> }).data.dieAtStart = true;
    try {
      const results = await Promise.allSettled(['a', 'b', 'c'].map((n) => threads.check(file(n))));
      for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ThreadsUnavailable);
      await expect(threads.check(file('later'))).rejects.toBeInstanceOf(ThreadsUnavailable);
      expect(logs.some((l) => l.startsWith('worker threads unavailable'))).toBe(true);
    } finally {
      await threads.close();
    }
  });
});
