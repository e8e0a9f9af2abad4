/**
 * The audit trail in the JSON report: which policy judged the change (its file's digest, and a digest of the
 * policy as resolved, so that a built-in policy has one too), which rule set (the tool's version and a digest
 * of the enabled rules with their settings), the SHA-256 of every model and dataset scanned, and the verdict.
 *
 * Hashing reads each model and dataset in full, streamed in 4 MiB chunks (memory stays bounded whatever the
 * size), in worker threads that run while the rules do; a file larger than the policy's read limit is hashed up
 * to the limit and marked `truncated`. Its cost is the speed of SHA-256 (about 1.3 GB/s per core here).
 */
import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ScannedFile } from '../discovery/types.js';
import type { FileDigest, KnownDigest } from '../engine/rule.js';
import type { ResolvedPolicy } from '../policy/types.js';
import type { AuditTrail, Verdict } from './types.js';
import { HashPool } from './hash-pool.js';

const CHUNK = 4 * 1024 * 1024;

/** JSON with object keys sorted, so that equal values digest equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** SHA-256 of a file's first `max` bytes, streamed; undefined when it cannot be opened. */
export async function hashStream(absPath: string, max: number): Promise<{ sha256: string; bytes: number; truncated: boolean } | undefined> {
  let handle;
  try {
    handle = await fsp.open(absPath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined; // replaced by a FIFO or a device since discovery: nothing to digest
    const { size } = stat;
    const end = Math.min(size, max);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, end)));
    let at = 0;
    while (at < end) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - at), at);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    return { sha256: hash.digest('hex'), bytes: at, truncated: at < size };
  } finally {
    await handle.close();
  }
}

type Artifacts = AuditTrail['artifacts'];

/**
 * The audit's digests of models and datasets, computed in worker threads (HashPool) from the moment each file is
 * found: the scan hands every file over as discovery inspects it (`add`), so that hashing, the one full read of
 * every model and dataset, runs on another core while discovery and then the rules run on this one. A file whose
 * every byte discovery already holds is hashed from memory. Should the threads fail, the rest is hashed here,
 * four streams at a time: a digest is never silently missing.
 */
export class ArtifactHasher {
  private pool: HashPool | undefined;
  private poolTried = false;
  /** finish() has ended (or given up, when discovery failed): a hash cut short then is not redone here. */
  private closed = false;
  private readonly started = new Map<string, Promise<Artifacts[number]>>();
  // Hashing on this thread (no pool, or a failed one) holds a file open and a 4 MiB buffer per stream: a few
  // at a time, never every model and dataset at once.
  private readonly local = limiter(4);
  /** Files whose digest the engine computes on its read of them (put), by path; hashed here only if it does not. */
  private readonly deferred = new Map<string, { file: ScannedFile; resolve: (a: Promise<Artifacts[number]>) => void }>();

  /**
   * `byEngine`: files the engine reads whole anyway (run.ts hashedByEngine), whose digests it hands over with
   * `put` instead of this reading them again; `engineDone` hashes those it did not.
   */
  constructor(private readonly maxBytes: number, private readonly opts: { threads?: boolean; byEngine?: (f: ScannedFile) => boolean } = {}) {}

  /** Starts hashing `file` if it is a model or a dataset (once per path), or waits for the engine's digest of it. */
  add(file: ScannedFile): void {
    if ((file.kind !== 'model' && file.kind !== 'dataset') || this.started.has(file.path)) return;
    let digest: Promise<Artifacts[number]>;
    if (!this.closed && this.opts.byEngine?.(file)) {
      digest = new Promise((resolve) => this.deferred.set(file.path, { file, resolve }));
    } else {
      digest = this.hash(file);
    }
    digest.catch(() => undefined); // awaited in finish(); this only keeps a failure from going unhandled meanwhile
    this.started.set(file.path, digest);
  }

  /** Whether the digest of `file` is left to the engine (add). */
  wanted(file: ScannedFile): boolean {
    return this.deferred.has(file.path);
  }

  /** The engine's digest of a file it was left (add). */
  put(path: string, digest: FileDigest): void {
    const waiting = this.deferred.get(path);
    if (!waiting) return;
    this.deferred.delete(path);
    waiting.resolve(Promise.resolve(this.entry(waiting.file, digest)));
  }

  /** The engine is done (or failed): the files it left without a digest are hashed here after all. */
  engineDone(): void {
    for (const { file, resolve } of this.deferred.values()) resolve(this.hash(file));
    this.deferred.clear();
  }

  /**
   * The engine's file checks are done: what it left is hashed here, and the digests still to compute get every
   * core (its run-level rules may wait on them: known).
   */
  filesChecked(): void {
    this.engineDone();
    this.useAllCores();
  }

  /** The digest of a model or dataset added here, once computed (RunContext.digest); undefined for other files. */
  known(path: string): Promise<KnownDigest | undefined> {
    const started = this.started.get(path);
    if (!started) return Promise.resolve(undefined);
    return started.then((a) => (a.sha256 ? { sha256: a.sha256, size: a.size, truncated: a.truncated === true } : undefined), () => undefined);
  }

  /** The artifact list of `files` (the scan's, after discovery), sorted by path; ends the threads. */
  async finish(files: readonly ScannedFile[]): Promise<Artifacts> {
    try {
      for (const f of files) this.add(f);
      const wanted = files.filter((f) => f.kind === 'model' || f.kind === 'dataset');
      const artifacts = await Promise.all(wanted.map((f) => this.started.get(f.path)!));
      return artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    } finally {
      this.closed = true;
      await this.pool?.close();
    }
  }

  private entry(f: ScannedFile, h: { sha256: string; truncated: boolean } | undefined): Artifacts[number] {
    return {
      path: f.path, kind: f.kind as 'model' | 'dataset', format: f.format, size: f.size,
      ...(h ? { sha256: h.sha256 } : {}), ...(h?.truncated ? { truncated: true } : {}), ...(h ? {} : { unreadable: true }),
    };
  }

  private async hash(f: ScannedFile): Promise<Artifacts[number]> {
    const entry = (h: { sha256: string; truncated: boolean } | undefined) => this.entry(f, h);
    if (f.head.length === f.size && f.size <= this.maxBytes) return entry({ sha256: createHash('sha256').update(f.head).digest('hex'), truncated: false });
    const pool = this.threads();
    try {
      return entry(pool ? await pool.hash(f.absPath, this.maxBytes, f.size) : await this.local(() => hashStream(f.absPath, this.maxBytes)));
    } catch {
      if (this.closed) return entry(undefined);
      return entry(await this.local(() => hashStream(f.absPath, this.maxBytes)));
    }
  }

  /**
   * Once the rules are done, the digests still to compute get every core (up to 4): until then one core is
   * left to the rules, and a hashing thread alone at the end left the others idle while the scan waited.
   */
  useAllCores(): void {
    this.pool?.grow(Math.max(1, Math.min(4, availableParallelism())));
  }

  /** The pool, started on the first file that needs it (most scans of a pull request have none). */
  private threads(): HashPool | undefined {
    if (!this.poolTried && this.opts.threads !== false) {
      this.poolTried = true;
      try {
        // One thread fewer than the cores (the engine's threads and the main thread work meanwhile), at least one.
        this.pool = new HashPool(Math.max(1, Math.min(3, availableParallelism() - 1)));
      } catch {
        this.pool = undefined; // no worker threads here: hash on this thread
      }
    }
    return this.pool;
  }
}

/** The digests of every model and dataset among `files` (ArtifactHasher, all at once). */
export function hashArtifacts(files: readonly ScannedFile[], maxBytes: number, opts: { threads?: boolean } = {}): Promise<Artifacts> {
  return new ArtifactHasher(maxBytes, opts).finish(files);
}

/** Runs the tasks given to it at most `n` at a time, in the order given. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiting one, so that `running` never exceeds n.
    if (running < n) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

export async function auditTrail(opts: {
  policy: ResolvedPolicy; toolVersion: string; ruleIds: readonly string[]; verdict: Verdict;
  /** The digests, from hashArtifacts (started before the rules ran), or the files to hash now. */
  artifacts: Promise<Artifacts> | readonly ScannedFile[];
}): Promise<AuditTrail> {
  const { policy } = opts;
  const enabled = opts.ruleIds.filter((id) => policy.rules[id]?.enabled).sort();
  const settings = Object.fromEntries(enabled.map((id) => [id, { severity: policy.rules[id].severity, options: policy.rules[id].options }]));
  const resolved = { extends: policy.extends, failOn: policy.failOn, scope: policy.scope, paths: policy.paths, exceptions: policy.exceptions, limits: policy.limits, rules: settings };
  const artifacts = await (Array.isArray(opts.artifacts) ? hashArtifacts(opts.artifacts as readonly ScannedFile[], policy.limits.maxFileBytes) : opts.artifacts as Promise<Artifacts>);
  return {
    policy: { source: policy.source, ...(policy.sha256 ? { sha256: policy.sha256 } : {}), resolvedSha256: sha(canonical(resolved)) },
    ruleSet: { toolVersion: opts.toolVersion, rulesEnabled: enabled.length, sha256: sha(canonical(settings)) },
    artifacts,
    verdict: { passed: opts.verdict.passed, failOn: opts.verdict.failOn, blocking: opts.verdict.counts.blocking },
  };
}
