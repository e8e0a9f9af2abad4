import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DiscoveryResult, FileKind, ScannedFile } from '../../src/discovery/types.js';
import { silentLogger } from '../../src/engine/logger.js';
import { defineRule, type AnyRule } from '../../src/engine/rule.js';
import { RULE_ERROR, SCAN_LIMIT, hashedByEngine, runEngine, type FileDigest } from '../../src/engine/run.js';
import { discover } from '../../src/discovery/index.js';
import { allRules } from '../../src/rules/index.js';
import { ThreadsUnavailable, WorkerDied, type EngineThreads } from '../../src/engine/threads.js';
import { makePolicy } from '../helpers/policy.js';
import { tempDir } from '../helpers/temp.js';
import { fake } from '../helpers/secrets.js';
import { countingReads } from '../helpers/count-reads.js';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/** A rule that reports every line containing TODO-BAD, so tests control findings through file text. */
const lineRule = defineRule<Record<string, never>>({
  meta: {
    id: 'data/test-marker', description: 'test', help: 'test', defaultSeverity: 'high', kinds: ['text'], defaultOptions: {},
  },
  async checkFile(ctx) {
    const { text } = await ctx.reader.text();
    text.split('\n').forEach((line, i) => {
      const column = line.indexOf('TODO-BAD');
      if (column >= 0) ctx.report({ message: `marker found: ${line.trim()}`, line: i + 1, column: column + 1 });
    });
  },
});

const crashingRule = defineRule<Record<string, never>>({
  meta: { id: 'data/test-crash', description: 'test', help: 'test', defaultSeverity: 'low', kinds: ['text'], defaultOptions: {} },
  checkFile() {
    throw new TypeError('boom');
  },
});

function fixture(files: Record<string, string>, kind: FileKind = 'text'): DiscoveryResult {
  const root = tempDir('ai-gate-engine-');
  const scanned: ScannedFile[] = Object.entries(files).map(([path, content]) => {
    const absPath = join(root, path);
    mkdirSync(dirname(absPath), { recursive: true });
    writeFileSync(absPath, content);
    return { path, absPath, size: Buffer.byteLength(content), kind, format: 'text', head: Buffer.from(content).subarray(0, 8192), change: 'unchanged' };
  });
  return { files: scanned, issues: [], ignored: 0, deleted: [] };
}

const rules: AnyRule[] = [...allRules, lineRule, crashingRule];

async function run(discovery: DiscoveryResult, enabled: Parameters<typeof makePolicy>[1], extra: Parameters<typeof makePolicy>[2] = {}) {
  return runEngine({ rules, policy: makePolicy(rules, enabled, extra), discovery, logger: silentLogger, today: '2026-06-01' });
}

describe('engine', () => {
  it('reports a crashing rule as a rule-error finding and still runs the other rules', async () => {
    const discovery = fixture({ 'a.txt': 'x TODO-BAD\n' });
    const { findings, verdict } = await run(discovery, { 'data/test-crash': true, 'data/test-marker': true, [RULE_ERROR]: true });
    const error = findings.find((f) => f.ruleId === RULE_ERROR);
    expect(error?.message).toBe('Rule data/test-crash failed on this file (TypeError: boom); the file was not fully checked by it.');
    expect(error?.location.path).toBe('a.txt');
    expect(error?.severity).toBe('high');
    expect(findings.some((f) => f.ruleId === 'data/test-marker')).toBe(true);
    expect(verdict.passed).toBe(false);
  });

  it('keeps fingerprints stable when lines are inserted above a finding, and distinct for repeats', async () => {
    const before = await run(fixture({ 'a.txt': 'one TODO-BAD\nsame TODO-BAD\nsame TODO-BAD\n' }), { 'data/test-marker': true });
    const after = await run(fixture({ 'a.txt': 'new line\n\nanother\none TODO-BAD\nsame TODO-BAD\nsame TODO-BAD\n' }), { 'data/test-marker': true });
    const prints = (r: typeof before) => r.findings.map((f) => f.fingerprint).sort();
    expect(prints(before)).toHaveLength(3);
    expect(new Set(prints(before)).size).toBe(3);
    expect(prints(after)).toEqual(prints(before));
    expect(after.findings.map((f) => f.location.line).sort()).toEqual([4, 5, 6]);
  });

  it('orders findings deterministically whatever the order files finish in', async () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${String(i).padStart(2, '0')}.txt`, 'TODO-BAD\n'.repeat(i % 4 + 1)]));
    const first = await run(fixture(files), { 'data/test-marker': true });
    const second = await run(fixture(files), { 'data/test-marker': true });
    const key = (r: typeof first) => r.findings.map((f) => `${f.location.path}:${f.location.line}`);
    expect(key(first)).toEqual(key(second));
    expect(key(first)[0]).toBe('f00.txt:1');
  });

  it('honours an inline suppression on the line or on a comment line above, and keeps the finding', async () => {
    const discovery = fixture({
      'a.txt': [
        'x TODO-BAD # ai-gate: ignore[data/test-marker] reviewed in #12',
        '# ai-gate: ignore[data/test-marker] fixture for the parser tests',
        'y TODO-BAD',
        'z TODO-BAD # ai-gate: ignore[data/other-rule] wrong rule',
        'w TODO-BAD',
      ].join('\n'),
    });
    const { findings, verdict } = await run(discovery, { 'data/test-marker': { severity: 'medium' } }, { failOn: 'medium' });
    const byLine = Object.fromEntries(findings.map((f) => [f.location.line, f.suppression]));
    expect(byLine[1]).toEqual({ kind: 'inline', reason: 'reviewed in #12' });
    expect(byLine[3]).toEqual({ kind: 'inline', reason: 'fixture for the parser tests' });
    expect(byLine[4]).toBeUndefined();
    expect(byLine[5]).toBeUndefined();
    expect(verdict.counts).toMatchObject({ blocking: 2, suppressedInline: 2 });
    expect(findings.filter((f) => f.suppression).every((f) => !f.blocking)).toBe(true);
  });

  it('says in the finding when an inline comment beside it names no rule id (a typo waives nothing)', async () => {
    const discovery = fixture({
      'a.txt': [
        'x TODO-BAD # ai-gate: ignore[data/test-markr] reviewed',
        '# ai-gate: ignore[data/pii, <b>x</b>] two ids, one real',
        'y TODO-BAD',
        'z TODO-BAD # ai-gate: ignore[data/pii] a real rule, another finding',
        'w TODO-BAD # ai-gate: ignore[data/test-markr, data/test-marker] the right one too',
      ].join('\n'),
    });
    const { findings } = await run(discovery, { 'data/test-marker': { severity: 'medium' } });
    const byLine = Object.fromEntries(findings.map((f) => [f.location.line, f]));
    expect(byLine[1].suppression).toBeUndefined();
    expect(byLine[1].message).toBe('marker found: x TODO-BAD # ai-gate: ignore[data/test-markr] reviewed (An inline ai-gate ignore comment here names "data/test-markr", which is not a rule id, so it waives nothing; this finding\'s rule is data/test-marker.)');
    // An id that is not shaped like one is not repeated into the report; data/pii is a rule (here disabled).
    expect(byLine[3].message).toBe('marker found: y TODO-BAD (An inline ai-gate ignore comment here names something that is not a rule id, so it waives nothing.)');
    expect(byLine[4].message).toBe('marker found: z TODO-BAD # ai-gate: ignore[data/pii] a real rule, another finding');
    expect(byLine[5].suppression).toEqual({ kind: 'inline', reason: 'the right one too' });
    expect(byLine[5].message).toBe('marker found: w TODO-BAD # ai-gate: ignore[data/test-markr, data/test-marker] the right one too');
  });

  it('never lets an inline comment (which the PR itself can write) waive a high or critical finding', async () => {
    const discovery = fixture({ 'a.txt': 'x TODO-BAD # ai-gate: ignore[data/test-marker] trust me\n' });
    for (const severity of ['high', 'critical'] as const) {
      const { findings, verdict } = await run(discovery, { 'data/test-marker': { severity } });
      expect(findings[0].suppression).toBeUndefined();
      expect(findings[0].blocking).toBe(true);
      expect(findings[0].message).toBe(`marker found: x TODO-BAD # ai-gate: ignore[data/test-marker] trust me (An inline ai-gate ignore comment names this rule, but ${severity} findings can only be excepted in the policy file.)`);
      expect(verdict.counts).toMatchObject({ blocking: 1, suppressedInline: 0 });
    }
  });

  it('applies live exceptions by rule and glob, ignores expired ones, and counts both kinds', async () => {
    const discovery = fixture({ 'data/synthetic/a.txt': 'TODO-BAD\n', 'data/raw/b.txt': 'TODO-BAD\n', 'old/c.txt': 'TODO-BAD\n' });
    const { findings, verdict } = await run(discovery, { 'data/test-marker': true, 'policy/expired-exception': true }, {
      exceptions: [
        { rule: 'data/test-marker', paths: ['data/synthetic/**'], reason: 'synthetic', expires: '2026-06-01', index: 0, line: 9 },
        { rule: 'data/test-marker', paths: ['old/**'], reason: 'legacy', expires: '2026-05-31', index: 1, line: 13 },
      ],
    });
    const get = (p: string) => findings.find((f) => f.location.path === p && f.ruleId === 'data/test-marker');
    expect(get('data/synthetic/a.txt')?.suppression).toEqual({ kind: 'exception', reason: 'synthetic', expires: '2026-06-01', exceptionIndex: 0 });
    expect(get('data/raw/b.txt')?.suppression).toBeUndefined();
    expect(get('old/c.txt')?.suppression).toBeUndefined();
    const expired = findings.filter((f) => f.ruleId === 'policy/expired-exception');
    expect(expired).toHaveLength(1);
    expect(expired[0].location).toEqual({ path: '.github/ai-gate.yml', line: 13 });
    expect(expired[0].message).toBe('Exception 1 for data/test-marker on old/** expired on 2026-05-31 and no longer applies; renew it with a fresh reason or remove it.');
    expect(verdict.counts.excepted).toBe(1);
    expect(verdict.counts.blocking).toBe(2);
  });

  it('reports a file cut short by the text cap under policy/scan-limit', async () => {
    const discovery = fixture({ 'big.txt': 'a'.repeat(5000) + '\nTODO-BAD\n' });
    const { findings } = await run(discovery, { 'data/test-marker': true, [SCAN_LIMIT]: true }, {
      limits: { maxFileBytes: 1 << 30, maxTextBytes: 1000 },
    });
    expect(findings.map((f) => f.ruleId)).toEqual([SCAN_LIMIT]);
    expect(findings[0].message).toBe("The scan stopped at the policy's read limit (read the first 1000 of 5010 bytes as text); findings past that point may be missing.");
  });

  it('reports a file that vanished before it could be opened instead of crashing', async () => {
    // Larger than the head discovery read: a file wholly in the head is checked from those bytes, never reopened.
    const discovery = fixture({ 'gone.txt': `TODO-BAD\n${'x'.repeat(10_000)}` });
    discovery.files[0].absPath += '.missing';
    const { findings } = await run(discovery, { 'data/test-marker': true, [SCAN_LIMIT]: true });
    expect(findings).toHaveLength(1);
    expect(findings[0].ruleId).toBe(SCAN_LIMIT);
    expect(findings[0].message).toMatch(/^Could not open the file to scan it \(.*ENOENT.*\); it was not checked\.$/);
  });

  it('checks a file wholly in the head discovery read from those bytes, without opening it again', async () => {
    const discovery = fixture({ 'small.txt': 'ok\nx TODO-BAD\n' });
    discovery.files[0].absPath += '.moved-after-discovery';
    const { findings } = await run(discovery, { 'data/test-marker': true, [SCAN_LIMIT]: true });
    expect(findings.map((f) => `${f.ruleId}:${f.location.line}`)).toEqual(['data/test-marker:2']);
  });

  it('redacts sensitive values a rule left in its message, and fingerprints without them', async () => {
    const leaky = defineRule<Record<string, never>>({
      meta: { id: 'secret/test-leak', description: 'x', help: 'x', defaultSeverity: 'critical', kinds: ['text'], defaultOptions: {} },
      async checkFile(ctx) {
        const { text } = await ctx.reader.text();
        const key = /AKIA[0-9A-Z]{16}/.exec(text)![0];
        ctx.report({ message: `key ${key} found`, line: 1, sensitive: [key], fingerprintKey: 'aws' });
      },
    });
    const all = [...rules, leaky];
    const discovery = fixture({ 'a.txt': 'aws = AKIAZZZZZZZZZZZZZZZZ\n' });
    const { findings } = await runEngine({ rules: all, policy: makePolicy(all, { 'secret/test-leak': true }), discovery, logger: silentLogger, today: '2026-06-01' });
    expect(findings[0].message).toMatch(/^key AKIA…\[redacted hmac:[0-9a-f]{8}\] found$/);
    expect(JSON.stringify(findings)).not.toContain('AKIAZZZZZZZZZZZZZZZZ');
  });

  it('runs only enabled rules and only on the kinds they declare', async () => {
    const discovery = fixture({ 'a.txt': 'TODO-BAD' }, 'model');
    expect((await run(discovery, { 'data/test-marker': true })).findings).toEqual([]);
    expect((await run(fixture({ 'a.txt': 'TODO-BAD' }), {})).findings).toEqual([]);
  });

  describe('with worker threads', () => {
    const big = `${'x'.repeat(1024 * 1024)}\nTODO-BAD here\n`;
    const threads = (check: (file: ScannedFile) => Promise<never>, sent: string[]) =>
      ({ available: () => true, check: (file: ScannedFile) => { sent.push(file.path); return check(file); } }) as unknown as EngineThreads;
    /** The files named big* as discovery would have seen them at `claimed` bytes (threads are worth it past 32 MiB). */
    const sized = (files: Record<string, string>, claimed: number) => {
      const d = fixture(files);
      for (const f of d.files) if (f.path.startsWith('big')) f.size = claimed;
      return d;
    };
    const go = (t: EngineThreads, files: Record<string, string> = { 'big.txt': big, 'big2.txt': big, 'small.txt': 'TODO-BAD\n' }, claimed = 40 * 1024 * 1024) => runEngine({
      rules, policy: makePolicy(rules, { 'data/test-marker': true, [RULE_ERROR]: true }), discovery: sized(files, claimed),
      logger: silentLogger, today: '2026-06-01', threads: t,
    });

    it('sends only large files to a thread; one whose thread died gets a high finding and nothing else', async () => {
      const sent: string[] = [];
      const { findings } = await go(threads(async (f) => { if (f.path === 'big.txt') throw new WorkerDied('the worker thread exited with code 3'); throw new ThreadsUnavailable('x'); }, sent));
      expect(sent.sort()).toEqual(['big.txt', 'big2.txt']);
      expect(findings.filter((f) => f.location.path === 'big.txt').map((f) => [f.ruleId, f.severity, f.message])).toEqual([[RULE_ERROR, 'high',
        'Checking this file failed in its worker thread (the worker thread exited with code 3); the file was not checked. A file that exhausts a thread\'s memory is often built to: look at it before merging.']]);
      expect(findings.filter((f) => f.location.path !== 'big.txt').map((f) => `${f.location.path} ${f.ruleId}`)).toEqual(['big2.txt data/test-marker', 'small.txt data/test-marker']);
    });

    it('keeps files on this thread when all but the largest hold too little to pay for a thread', async () => {
      const sent: string[] = [];
      const { findings } = await go(threads(async () => { throw new WorkerDied('must not be called'); }, sent), undefined, 20 * 1024 * 1024);
      expect(sent).toEqual([]);
      expect(findings.map((f) => `${f.location.path}:${f.location.line} ${f.ruleId}`).sort()).toEqual(['big.txt:2 data/test-marker', 'big2.txt:2 data/test-marker', 'small.txt:1 data/test-marker']);
    });

    it('uses threads the user asked for (AI_GATE_THREADS) whenever a second file could go to one', async () => {
      const sent: string[] = [];
      const chosen = Object.assign(threads(async () => ({ findings: [] }) as never, sent), { chosen: true });
      await go(chosen, undefined, 2 * 1024 * 1024);
      expect(sent.sort()).toEqual(['big.txt', 'big2.txt']);
    });

    it('keeps a single large file on this thread (a thread would only add its start-up)', async () => {
      const sent: string[] = [];
      const { findings } = await go(threads(async () => { throw new WorkerDied('must not be called'); }, sent), { 'big.txt': big, 'small.txt': 'TODO-BAD\n' });
      expect(sent).toEqual([]);
      expect(findings.map((f) => `${f.location.path}:${f.location.line} ${f.ruleId}`).sort()).toEqual(['big.txt:2 data/test-marker', 'small.txt:1 data/test-marker']);
    });

    it('does not count a large model whose rules read only its header (safetensors) as a second large file', async () => {
      const sent: string[] = [];
      const discovery = fixture({ 'big.txt': big, 'w.safetensors': big });
      Object.assign(discovery.files[1], { kind: 'model', format: 'safetensors' });
      await runEngine({
        rules, policy: makePolicy(rules, { 'data/test-marker': true, [RULE_ERROR]: true }), discovery, logger: silentLogger, today: '2026-06-01',
        threads: threads(async () => { throw new WorkerDied('must not be called'); }, sent),
      });
      expect(sent).toEqual([]);
    });

    it('gives a large file waiting for this thread\'s turn to a thread that comes free first', async () => {
      // big1 holds this thread's turn (its check waits on `gate`) while big2 and big3 wait; the thread, busy at
      // first, comes free and must take both, one after the other, instead of leaving them to wait for big1.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => { open = resolve; });
      const gated = defineRule<Record<string, never>>({
        meta: { id: 'data/test-gate', description: 'test', help: 'test', defaultSeverity: 'low', kinds: ['text'], defaultOptions: {} },
        async checkFile(ctx) { if (ctx.file.path === 'big1.txt') await gate; },
      });
      const fake = {
        free: false, sent: [] as string[], waiters: [] as Array<() => boolean>,
        available() { return this.free; },
        whenIdle(waiter: () => boolean) { if (!(this.free && waiter())) this.waiters.push(waiter); },
        offer() { while (this.waiters.length && this.free) if (this.waiters.shift()!()) return; },
        async check(file: ScannedFile) {
          this.free = false;
          this.sent.push(file.path);
          if (this.sent.length === 2) open();
          await new Promise((resolve) => setTimeout(resolve, 5));
          this.free = true;
          setTimeout(() => this.offer(), 0);
          return { findings: [] };
        },
      };
      const discovery = fixture({ 'big1.txt': 'TODO-BAD\n', 'big2.txt': 'TODO-BAD\n', 'big3.txt': 'TODO-BAD\n' });
      for (const f of discovery.files) f.size = 20 * 1024 * 1024; // large by what discovery saw
      setTimeout(() => { fake.free = true; fake.offer(); }, 20);
      const fallback = setTimeout(() => open(), 2000); // so that a failure ends instead of waiting for ever
      const all = [...rules, gated];
      const { findings } = await runEngine({
        rules: all, policy: makePolicy(all, { 'data/test-marker': true, 'data/test-gate': true }), discovery,
        logger: silentLogger, today: '2026-06-01', threads: fake as unknown as EngineThreads,
      });
      clearTimeout(fallback);
      expect(fake.sent).toEqual(['big2.txt', 'big3.txt']);
      expect(findings.map((f) => `${f.location.path} ${f.ruleId}`)).toEqual(['big1.txt data/test-marker']);
    });

    it('checks a file on this thread when threads are unavailable', async () => {
      const sent: string[] = [];
      const { findings } = await go(threads(async () => { throw new ThreadsUnavailable('no threads here'); }, sent));
      expect(sent.sort()).toEqual(['big.txt', 'big2.txt']);
      expect(findings.map((f) => `${f.location.path}:${f.location.line} ${f.ruleId}`).sort()).toEqual(['big.txt:2 data/test-marker', 'big2.txt:2 data/test-marker', 'small.txt:1 data/test-marker']);
    });
  });
});

describe('one read of a dataset feeds data/pii, the secret search and the audit hash', () => {
  const MiB = 1024 * 1024;
  const key = fake.huggingface(21);
  const rowsOf = (n: number) => Array.from({ length: n }, (_, i) =>
    i === 40 ? `${i},"mail ann.lee${i}@example.com today"` : i === n - 3 ? `${i},"token ${key} here"` : `${i},"row ${i} is fine, nothing to see"`);
  const csv = `id,text\n${rowsOf(200_000).join('\n')}\n`;
  const secretFirst = [...allRules.filter((r) => r.meta.id.startsWith('secret/')), ...allRules.filter((r) => !r.meta.id.startsWith('secret/'))];

  async function scanCounting(opts: { rules?: AnyRule[]; pii?: Record<string, unknown>; maxFileBytes?: number } = {}) {
    const root = tempDir('ai-gate-onepass-');
    writeFileSync(join(root, 'train.csv'), csv);
    const discovery = await discover({ root, ignore: [], logger: silentLogger });
    const digests = new Map<string, FileDigest>();
    const used = opts.rules ?? allRules;
    const { result: findings, bytesRead } = await countingReads((p) => p.endsWith('train.csv'), async () => (await runEngine({
      rules: used, discovery, logger: silentLogger, today: '2026-06-01',
      policy: makePolicy(used, { 'data/pii': { options: opts.pii ?? {} }, 'secret/ai-provider-key': true, [SCAN_LIMIT]: true },
        opts.maxFileBytes ? { limits: { maxFileBytes: opts.maxFileBytes, maxTextBytes: 64 * MiB } } : {}),
      digests: { wanted: (f) => f.path === 'train.csv', put: (path, d) => digests.set(path, d) },
    })).findings);
    return { findings: findings.map((f) => `${f.ruleId} ${f.location.line ?? ''}`).sort(), bytesRead, digest: digests.get('train.csv') };
  }

  // Besides the one pass: a peek at the header, and the lines the findings point at (from the nearest line start
  // the secret search counted, at most 4 MiB back).
  const slack = 512 * 1024;

  it('reads the file once in all (a header peek and the findings\' lines aside), whatever the order of the rules', async () => {
    const size = Buffer.byteLength(csv);
    expect(size).toBeGreaterThan(6 * MiB);
    for (const order of [allRules, secretFirst]) {
      const got = await scanCounting({ rules: order });
      expect(got.findings).toEqual(['data/pii 42', `secret/ai-provider-key ${200_000 - 3 + 2}`]);
      expect(got.digest).toEqual({ sha256: sha(csv), bytes: size, truncated: false });
      expect(got.bytesRead).toBeGreaterThanOrEqual(size);
      expect(got.bytesRead).toBeLessThan(size + slack);
    }
  });

  it('reads only what data/pii left when its budget stops it early: the key past the budget is found', async () => {
    const got = await scanCounting({ pii: { 'budget-bytes': MiB, 'sample-bytes': 0 } });
    expect(got.findings).toEqual(['data/pii 42', `secret/ai-provider-key ${200_000 - 3 + 2}`]);
    expect(got.digest?.sha256).toBe(sha(csv));
    expect(got.bytesRead).toBeLessThan(Buffer.byteLength(csv) + slack);
  });

  it('leaves to the engine only datasets its rules read front to back, held on disk, with a rule for them', () => {
    const f = (format: string, size = 10 * MiB, kind = 'dataset') => ({ path: 'd', absPath: '/d', kind, format, size, head: Buffer.alloc(Math.min(size, 8192)), change: 'added' }) as unknown as ScannedFile;
    const on = makePolicy(allRules, { 'data/pii': true });
    expect(['csv', 'tsv', 'jsonl', 'json', 'text', 'gzip'].map((fmt) => hashedByEngine(f(fmt), allRules, on))).toEqual([true, true, true, true, true, true]);
    expect(hashedByEngine(f('parquet'), allRules, on)).toBe(false); // read by row group: hashed apart, on another core
    expect(hashedByEngine(f('safetensors', 10 * MiB, 'model'), allRules, on)).toBe(false);
    expect(hashedByEngine(f('csv', 100), allRules, on)).toBe(false); // wholly in discovery's head: hashed from memory
    expect(hashedByEngine(f('csv'), allRules, makePolicy(allRules, {}))).toBe(false); // no rule opens it
  });

  it('hashes up to the read limit, as the hashing threads do, and the cut search is reported', async () => {
    const got = await scanCounting({ maxFileBytes: 2 * MiB });
    expect(got.digest).toEqual({ sha256: sha(Buffer.from(csv).subarray(0, 2 * MiB)), bytes: 2 * MiB, truncated: true });
    expect(got.findings).toContain(`${SCAN_LIMIT} `);
    expect(got.findings).not.toContain(`secret/ai-provider-key ${200_000 - 3 + 2}`);
  });
});
