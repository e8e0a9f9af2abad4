import { createHash, type Hash } from 'node:crypto';
import type { Finding, ReportInput } from './finding.js';
import { fingerprint, normaliseLineKey } from './fingerprint.js';
import type { Logger } from './logger.js';
import { BufferReader, HandleReader, type EngineReader } from './reader.js';
import { redact, redactUrlCredentials } from './redact.js';
import { inShard, type Shard } from './shard.js';
import { ThreadsUnavailable, type EngineThreads } from './threads.js';
import type { AnyRule, ChangeBase, FileContext, FileDigest, FileReader, KnownDigest, RunContext } from './rule.js';

export type { FileDigest };
import type { Severity } from './severity.js';
import { applyExceptions, applyInline } from './suppress.js';
import { compareFindings, decide } from './verdict.js';
import { HEAD_BYTES, type DiscoveryResult, type ScannedFile } from '../discovery/types.js';
import type { BaseFiles, BaseVersion } from '../discovery/base.js';
import type { ResolvedPolicy } from '../policy/types.js';
import type { Verdict } from '../report/types.js';

/** Ids of the findings the engine itself makes. Their rule files hold the meta and docs. */
export const RULE_ERROR = 'policy/rule-error';
export const SCAN_LIMIT = 'policy/scan-limit';

export interface EngineOptions {
  rules: readonly AnyRule[];
  policy: ResolvedPolicy;
  discovery: DiscoveryResult;
  logger: Logger;
  /** YYYY-MM-DD; exceptions expire relative to it. */
  today: string;
  /** Files checked at once; I/O overlaps with parsing. */
  concurrency?: number;
  onProgress?: (done: number, total: number, path: string) => void;
  /** The change under review, handed to run-level rules (RunContext.change). */
  change?: ChangeBase;
  /** Base versions of changed files, for FileContext.base (src/discovery/base.ts). */
  baseFiles?: BaseFiles;
  /**
   * Check only the files of this shard (split by path hash). Run-level rules see every file and run in
   * shard 1 only, so that merging the shards' reports counts each of their findings once.
   */
  shard?: Shard;
  /**
   * Worker threads for large files (src/engine/threads.ts). Only for a run of the registry's rules: a worker
   * checks with those. Files that compare with a base version stay on this thread.
   */
  threads?: EngineThreads;
  /**
   * The audit's digests of the files the engine reads whole anyway (hashedByEngine): hashed as a tap on the
   * file's one pass, so the hash does not read the file again. `put` is not called for a file whose pass
   * failed; the caller hashes those itself.
   */
  digests?: DigestSink;
}

export interface DigestSink {
  wanted(file: ScannedFile): boolean;
  put(path: string, digest: FileDigest): void;
  /** Every file check is done: the digests not handed over are computed elsewhere (before run-level rules wait on them). */
  filesChecked?(): void;
  /** For run-level rules (RunContext.digest). */
  known?(path: string): Promise<KnownDigest | undefined>;
}

export interface EngineResult {
  findings: Finding[];
  verdict: Verdict;
  bytesScanned: number;
  /** Files checked by this run (the shard's files when sharded). */
  filesScanned: number;
}

/** Files at least this large are checked one at a time (see runEngine). */
export const LARGE_FILE_BYTES = 16 * 1024 * 1024;

/** Files at least this large go to a worker thread when there are threads: below it, sending costs more. */
export const THREAD_FILE_BYTES = 1024 * 1024;

/**
 * Threads start only when the files they could take, the largest left aside, hold this much: about 150 ms of
 * checking on one thread, more than a thread's start-up.
 */
export const THREADS_WORTH_BYTES = 32 * 1024 * 1024;

/** Dataset formats whose rules read them front to back (hashedByEngine). */
const READ_FROM_THE_START: ReadonlySet<string> = new Set(['csv', 'tsv', 'jsonl', 'json', 'text', 'yaml', 'gzip']);

/** Model formats whose rules read a header and an index, whatever the file's size: no work for a thread. */
const HEADER_ONLY_FORMATS: ReadonlySet<string> = new Set(['safetensors', 'gguf', 'npy', 'lfs-pointer']);

type Raw = Omit<Finding, 'fingerprint' | 'blocking'> & { key?: string };

/**
 * `AI_GATE_TIMING=1`: the wall time each rule spent in its file checks, summed over files and printed at the
 * end of the run (as ESLint's TIMING does), for finding where a slow scan goes. Rules of different files
 * overlap, so the sum can exceed the run's wall time.
 */
const timings: Map<string, number> | undefined = process.env.AI_GATE_TIMING ? new Map() : undefined;

/** The times gathered so far, cleared (a worker thread sends its own with each file's findings). */
export function takeTimings(): Array<[string, number]> | undefined {
  if (!timings?.size) return undefined;
  const out = [...timings];
  timings.clear();
  return out;
}

/** Adds times a worker thread gathered. */
export function addTimings(more: ReadonlyArray<[string, number]> | undefined): void {
  if (!timings || !more) return;
  for (const [id, ms] of more) timings.set(id, (timings.get(id) ?? 0) + ms);
}

function printTimings(logger: Logger): void {
  if (!timings?.size) return;
  const rows = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 20);
  logger.info(`Time per rule (AI_GATE_TIMING):\n${rows.map(([id, ms]) => `  ${(ms / 1000).toFixed(2).padStart(8)} s  ${id}`).join('\n')}`);
}

export async function runEngine(opts: EngineOptions): Promise<EngineResult> {
  const { policy, discovery } = opts;
  const enabled = opts.rules.filter((r) => policy.rules[r.meta.id]?.enabled);
  const files = opts.shard ? discovery.files.filter((f) => inShard(f.path, opts.shard)) : discovery.files;
  const perFile: Finding[][] = new Array(files.length);
  let next = 0, done = 0, bytesScanned = 0;
  // A thread pays for itself only with enough work to check meanwhile besides the largest file: with one (a pull
  // request adding a dataset) or a few small ones, starting a thread (~130 ms of loading the bundle, which the
  // file it takes waits for) would only add its start-up and its memory. Large models whose rules read only a
  // header (safetensors, GGUF) do not count: they are quick anywhere.
  const threadable = (f: ScannedFile) => f.size >= THREAD_FILE_BYTES && !needsBase(f, opts) && !HEADER_ONLY_FORMATS.has(f.format);
  // Threads the user asked for (AI_GATE_THREADS) are used whenever a second file could go to one.
  let threadableCount = 0, threadableBytes = 0, largest = 0;
  if (opts.threads) {
    for (const f of files) {
      if (!threadable(f)) continue;
      threadableCount++;
      threadableBytes += f.size;
      largest = Math.max(largest, f.size);
    }
  }
  const worth = opts.threads?.chosen ? threadableCount >= 2 : threadableBytes - largest >= THREADS_WORTH_BYTES;
  const threads = worth ? opts.threads : undefined;

  // Rules work on the main thread, so a large file gains nothing from company and several at once only add
  // up their buffers and garbage: large files take turns while small ones fill the other slots. A large file
  // that a thread could check goes to whichever comes free first, a thread or the main thread's turn, so that
  // neither sits idle while the other has files waiting for it.
  const turn = new Turn();
  const checkLarge = async (file: ScannedFile, threadsFailed: boolean): Promise<Finding[]> => {
    let offThread = threadsFailed || !threads || !threadable(file);
    for (;;) {
      const where = await turnOrThread(turn, offThread ? undefined : threads);
      if (where === 'thread') {
        const threaded = await onThread(file, threads!, opts);
        if (threaded) return threaded;
        offThread = true; // threads do not work here: the main thread's turn, whatever they say next
        continue;
      }
      try {
        return await checkFile(file, enabled, opts);
      } finally {
        turn.release();
      }
    }
  };
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const file = files[index];
      const tried = Boolean(threads?.available() && threadable(file));
      const threaded = tried ? await onThread(file, threads!, opts) : undefined;
      if (threaded) perFile[index] = threaded;
      else if (file.size >= LARGE_FILE_BYTES) perFile[index] = await checkLarge(file, tried);
      else perFile[index] = await checkFile(file, enabled, opts);
      bytesScanned += file.size;
      opts.onProgress?.(++done, files.length, file.path);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  opts.digests?.filesChecked?.();

  const runFindings = !opts.shard || opts.shard.index === 1 ? await checkRun(enabled, opts) : [];
  printTimings(opts.logger);
  const findings = [...perFile.flat(), ...runFindings];
  applyExceptions(findings, policy.exceptions, opts.today);
  const verdict = decide(findings, policy.failOn);
  findings.sort(compareFindings);
  return { findings, verdict, bytesScanned, filesScanned: files.length };
}

/**
 * The main thread's turn at large files. Waiters are callbacks that say whether they take the turn when it is
 * handed to them: one that went to a thread meanwhile declines, and the turn passes to the next.
 */
class Turn {
  private held = false;
  private readonly waiting: Array<() => boolean> = [];

  take(waiter: () => boolean): void {
    if (this.held) this.waiting.push(waiter);
    else if (waiter()) this.held = true;
  }

  release(): void {
    while (this.waiting.length) if (this.waiting.shift()!()) return;
    this.held = false;
  }
}

/** Waits for the main thread's turn or (given threads) an idle thread, whichever comes first. */
function turnOrThread(turn: Turn, threads: EngineThreads | undefined): Promise<'main' | 'thread'> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (where: 'main' | 'thread') => {
      if (settled) return false;
      settled = true;
      resolve(where);
      return true;
    };
    if (threads?.available()) { settle('thread'); return; }
    turn.take(() => settle('main'));
    threads?.whenIdle(() => settle('thread'));
  });
}

function needsBase(file: ScannedFile, opts: EngineOptions): boolean {
  return Boolean(opts.baseFiles) && file.change !== 'added' && file.change !== 'unchanged';
}

/**
 * The file's findings from a worker thread; undefined when threads do not run here (the caller checks it on
 * this thread). A worker that died on the file leaves a high finding: the file was not checked.
 */
async function onThread(file: ScannedFile, threads: EngineThreads, opts: EngineOptions): Promise<Finding[] | undefined> {
  if (!enabledFor(file, opts)) return [];
  try {
    const { findings, digest } = await threads.check(file, { digest: opts.digests?.wanted(file) === true });
    if (digest) opts.digests!.put(file.path, digest);
    opts.logger.debug(`${file.path}: checked in a worker thread`);
    return findings;
  } catch (error) {
    if (error instanceof ThreadsUnavailable) return undefined;
    opts.logger.debug(`worker thread failed on ${file.path}: ${(error as Error)?.stack ?? error}`);
    const raw: Raw[] = [];
    engineFinding(raw, opts.policy, RULE_ERROR, file.path,
      `Checking this file failed in its worker thread (${describe(error)}); the file was not checked. A file that exhausts a thread's memory is often built to: look at it before merging.`);
    return finish(raw, file.path, []);
  }
}

function enabledFor(file: ScannedFile, opts: EngineOptions): boolean {
  return opts.rules.some((r) => opts.policy.rules[r.meta.id]?.enabled && applicable(r, file));
}

function applicable(rule: AnyRule, file: ScannedFile): boolean {
  if (!rule.checkFile || !rule.meta.kinds.includes(file.kind)) return false;
  return !rule.meta.formats || rule.meta.formats.includes(file.format);
}

/**
 * Datasets the engine opens (held on disk, with an enabled rule for them) in a format its rules read from the
 * start (data/pii, data/schema, the secret search parse text and gzip front to back): the audit's hash rides on
 * that read (a tap) and the rest of the file is read once for it, instead of the hashing thread reading the
 * whole file again. Parquet and Arrow (read by row group), and models (their rules read a header and an index),
 * stay with the hashing threads, which hash them on another core from the moment discovery finds them.
 */
export function hashedByEngine(file: ScannedFile, rules: readonly AnyRule[], policy: ResolvedPolicy): boolean {
  if (file.kind !== 'dataset' || !READ_FROM_THE_START.has(file.format)) return false;
  if (file.head.length === file.size && file.size <= HEAD_BYTES) return false;
  return rules.some((r) => policy.rules[r.meta.id]?.enabled && applicable(r, file));
}

/** Every enabled rule over one file: its findings, fingerprinted, with inline suppressions applied. */
export async function checkFile(file: ScannedFile, enabled: readonly AnyRule[], opts: EngineOptions): Promise<Finding[]> {
  const rules = enabled.filter((r) => applicable(r, file));
  if (rules.length === 0) return [];
  const raw: Raw[] = [];
  const base = opts.baseFiles && file.change !== 'added' && file.change !== 'unchanged'
    ? baseOpener(opts.baseFiles, file.previousPath ?? file.path, opts.policy.limits) : undefined;
  let reader: EngineReader;
  try {
    reader = file.head.length === file.size && file.size <= HEAD_BYTES
      ? new BufferReader(file.head, opts.policy.limits)
      : await HandleReader.open(file.absPath, opts.policy.limits);
  } catch (error) {
    engineFinding(raw, opts.policy, SCAN_LIMIT, file.path, `Could not open the file to scan it (${describe(error)}); it was not checked.`);
    return finish(raw, file.path, []);
  }
  try {
    const hash = opts.digests?.wanted(file) ? createHash('sha256') : undefined;
    if (hash) reader.tap(hash);
    const contexts = rules.map((rule): [AnyRule, FileContext<unknown>] => {
      const setting = opts.policy.rules[rule.meta.id];
      return [rule, {
        file,
        reader,
        options: setting.options,
        severity: setting.severity,
        logger: opts.logger,
        report: (input) => raw.push(toRaw(rule.meta.id, setting.severity, file.path, input)),
        ...(base ? { base: base.open } : {}),
      }];
    });
    const failed = (rule: AnyRule, error: unknown) => {
      opts.logger.debug(`${rule.meta.id} threw on ${file.path}: ${(error as Error)?.stack ?? error}`);
      engineFinding(raw, opts.policy, RULE_ERROR, file.path,
        `Rule ${rule.meta.id} failed on this file (${describe(error)}); the file was not fully checked by it.`);
    };
    // Taps first; then the rules that read for themselves, whose reads from the start feed the taps; then the
    // rules that tapped, which read only what is left.
    const broken = new Set<AnyRule>();
    for (const [rule, ctx] of contexts) {
      try {
        rule.prepare?.(ctx);
      } catch (error) {
        broken.add(rule);
        failed(rule, error);
      }
    }
    const ordered = [...contexts.filter(([r]) => !r.prepare), ...contexts.filter(([r]) => r.prepare && !broken.has(r))];
    for (const [rule, ctx] of ordered) {
      const t0 = timings ? performance.now() : 0;
      try {
        await rule.checkFile!(ctx);
      } catch (error) {
        failed(rule, error);
      } finally {
        if (timings) timings.set(rule.meta.id, (timings.get(rule.meta.id) ?? 0) + performance.now() - t0);
      }
    }
    if (hash) await putDigest(file, reader, hash, opts);
    if (reader.capped) {
      engineFinding(raw, opts.policy, SCAN_LIMIT, file.path,
        `The scan stopped at the policy's read limit (${reader.capped}); findings past that point may be missing.`);
    }
    return finish(raw, file.path, await findingLines(reader, raw), idsOf(opts.rules));
  } finally {
    await base?.close();
    await reader.close();
  }
}

/** Reads what the rules left of the file for its hash, and hands the digest over; a failed read gives none. */
async function putDigest(file: ScannedFile, reader: EngineReader, hash: Hash, opts: EngineOptions): Promise<void> {
  const t0 = timings ? performance.now() : 0;
  try {
    await reader.drain();
  } catch (error) {
    opts.logger.debug(`${file.path}: reading it for its digest failed (${describe(error)}); hashed apart`);
    return;
  } finally {
    if (timings) timings.set('(audit hash)', (timings.get('(audit hash)') ?? 0) + performance.now() - t0);
  }
  opts.digests!.put(file.path, { sha256: hash.digest('hex'), bytes: reader.delivered, truncated: reader.delivered < reader.size });
}

/**
 * The lines that findings point at (and the line above each, for inline suppressions), as a sparse array
 * indexed like `text.split(/\r?\n/)`: only those lines are decoded, never the whole file at once.
 */
async function findingLines(reader: EngineReader, raw: readonly Raw[]): Promise<string[]> {
  const wanted = new Set<number>();
  for (const f of raw) {
    const line = f.location.line;
    if (line === undefined || !Number.isSafeInteger(line) || line < 1) continue;
    wanted.add(line);
    if (line > 1) wanted.add(line - 1);
  }
  if (wanted.size === 0) return [];
  const lines: string[] = [];
  for (const [n, text] of await reader.lines(wanted)) lines[n - 1] = text;
  return lines;
}

async function checkRun(enabled: readonly AnyRule[], opts: EngineOptions): Promise<Finding[]> {
  const raw: Raw[] = [];
  for (const rule of enabled) {
    if (!rule.checkRun) continue;
    const setting = opts.policy.rules[rule.meta.id];
    const ctx: RunContext<unknown> = {
      files: opts.discovery.files,
      ...(opts.change ? { change: opts.change } : {}),
      discoveryIssues: opts.discovery.issues,
      policy: opts.policy,
      options: setting.options,
      severity: setting.severity,
      today: opts.today,
      logger: opts.logger,
      report: (input) => raw.push(toRaw(rule.meta.id, setting.severity, input.path, input)),
      ...(opts.digests?.known ? { digest: (path: string) => opts.digests!.known!(path) } : {}),
    };
    try {
      await rule.checkRun(ctx);
    } catch (error) {
      engineFinding(raw, opts.policy, RULE_ERROR, opts.policy.source,
        `Rule ${rule.meta.id} failed (${describe(error)}); its checks did not run.`);
    }
  }
  // Run-level findings may point into several files; fingerprint each group by its own path.
  const byPath = new Map<string, Raw[]>();
  for (const f of raw) byPath.set(f.location.path, [...(byPath.get(f.location.path) ?? []), f]);
  return [...byPath].flatMap(([path, group]) => finish(group, path, []));
}

function toRaw(ruleId: string, severity: Severity, path: string, input: ReportInput): Raw {
  const { message: raw, severity: own, fingerprintKey, path: _ignored, sensitive, ...where } = input;
  const message = redactUrlCredentials(redactValues(raw, sensitive));
  const location = Object.fromEntries(Object.entries({ path, ...where }).filter(([, v]) => v !== undefined));
  return { ruleId, severity: own ?? severity, message, location: location as unknown as Raw["location"], key: fingerprintKey };
}

/** Replaces every occurrence of each sensitive value (longest first, so overlaps cannot leak a tail). */
function redactValues(message: string, values: readonly string[] | undefined): string {
  if (!values?.length) return message;
  let out = message;
  for (const value of [...values].filter(Boolean).sort((a, b) => b.length - a.length)) out = out.split(value).join(redact(value));
  return out;
}

function engineFinding(raw: Raw[], policy: ResolvedPolicy, ruleId: string, path: string, message: string): void {
  const setting = policy.rules[ruleId];
  if (setting && !setting.enabled) return;
  raw.push({ ruleId, severity: setting?.severity ?? 'high', message, location: { path } });
}

const ruleIdSets = new WeakMap<readonly AnyRule[], ReadonlySet<string>>();

/** Every rule id of a registry, enabled or not (an inline directive may name a rule the policy turns off). */
function idsOf(rules: readonly AnyRule[]): ReadonlySet<string> {
  let ids = ruleIdSets.get(rules);
  if (!ids) ruleIdSets.set(rules, (ids = new Set(rules.map((r) => r.meta.id))));
  return ids;
}

/** Applies inline suppressions and assigns fingerprints, counting repeats of the same key in position order. */
function finish(raw: Raw[], path: string, lines: readonly string[], ruleIds?: ReadonlySet<string>): Finding[] {
  const ordered = [...raw].sort(
    (a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.byteOffset ?? 0) - (b.location.byteOffset ?? 0),
  );
  const seen = new Map<string, number>();
  const findings = ordered.map(({ key, ...f }): Finding => {
    const lineText = f.location.line !== undefined ? lines[f.location.line - 1] : undefined;
    const base = key ?? (lineText !== undefined ? normaliseLineKey(lineText) : f.message);
    const id = `${f.ruleId}\0${f.location.member ?? ''}\0${base}`;
    const occurrence = seen.get(id) ?? 0;
    seen.set(id, occurrence + 1);
    return { ...f, fingerprint: fingerprint(f.ruleId, path, `${f.location.member ?? ''}\0${base}`, occurrence), blocking: false };
  });
  if (lines.length) applyInline(findings, lines, ruleIds);
  return findings;
}

/** Opens a file's base version on first use (shared by the file's rules) and cleans it up afterwards. */
function baseOpener(files: BaseFiles, path: string, limits: ResolvedPolicy['limits']) {
  let opened: Promise<{ version: BaseVersion; reader: HandleReader } | undefined> | undefined;
  let view: (FileReader & { size: number; truncated: boolean }) | undefined;
  const open = async () => {
    opened ??= (async () => {
      const version = await files.get(path);
      if (!version) return undefined;
      try {
        return { version, reader: await HandleReader.open(version.absPath, limits) };
      } catch (error) {
        await version.close();
        throw error;
      }
    })();
    const got = await opened;
    if (!got) return undefined;
    const { reader, version } = got;
    // One object per file, so rules can cache what they computed from it (keyed by the reader).
    view ??= {
      read: (offset: number, length: number) => reader.read(offset, length),
      stream: (chunkSize?: number, streamOpts?: { reuse?: boolean }) => reader.stream(chunkSize, streamOpts),
      text: () => reader.text(),
      size: version.size,
      truncated: version.truncated,
    };
    return view;
  };
  const close = async () => {
    const got = await opened?.catch(() => undefined);
    if (got) { await got.reader.close(); await got.version.close(); }
  };
  return { open, close };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}
