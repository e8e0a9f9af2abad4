/**
 * Worker threads for the engine: large files are checked on other cores while the main thread checks the
 * rest (and a large file itself whenever every thread is busy), so that every core of a runner works. A worker runs the very bundle that started it
 * (the CLI's or the action's: `import.meta.url` is the bundle), which sees `workerData.aiGateEngine` and
 * serves file checks (src/engine/worker-main.ts) instead of running the CLI or the action. Rules are code and
 * cannot be sent to a thread: a worker checks with the registry's rules, so the pool is used only when the
 * scan runs the registry (src/scan.ts decides), and it is never available to sources run by ts-jest.
 *
 * A worker that dies while checking a file (out of memory on a hostile file, a crash) takes only that file
 * with it: the file gets a high finding saying it was not checked, and the remaining workers go on.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScannedFile } from '../discovery/types.js';
import type { ResolvedPolicy } from '../policy/types.js';
import type { Finding } from './finding.js';
import type { FileDigest } from './rule.js';
import type { Logger } from './logger.js';

/** What the main thread sends a worker once, at start. */
export interface EngineWorkerData { aiGateEngine: true; policy: ResolvedPolicy; today: string; redactionKey: string }

/** `digest`: hash the file on its pass (the audit's digest, run.ts hashedByEngine) and send it back. */
export type WorkerRequest = { id: number; file: ScannedFile; digest: boolean };
export interface Checked { findings: Finding[]; digest?: FileDigest }
export type WorkerReply =
  | { ready: true }
  | { id: number; findings: Finding[]; digest?: FileDigest; timings?: Array<[string, number]> }
  | { id: number; error: string }
  | { log: keyof Logger; message: string };

/** Thrown by `check` when the file's worker died on it: the caller reports the file as not checked. */
export class WorkerDied extends Error {}

/** Thrown by `check` when threads do not start here: the caller checks the file itself. */
export class ThreadsUnavailable extends Error {}

interface Job { id: number; file: ScannedFile; digest: boolean; resolve: (c: Checked) => void; reject: (e: Error) => void }

export class EngineThreads {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private alive = 0;
  private broken: ThreadsUnavailable | undefined;
  private readonly idleWaiters: Array<() => boolean> = [];

  /**
   * `chosen`: AI_GATE_THREADS set the number. Threads are then used whenever two files could go to them, not
   * only when they hold enough to pay for a thread's start-up (runEngine).
   */
  private constructor(
    private readonly entry: string, private readonly data: EngineWorkerData, private readonly logger: Logger, private size: number,
    readonly chosen: boolean,
  ) {}

  /** Called with the per-rule times a worker sends along (AI_GATE_TIMING). */
  onTimings: ((t: Array<[string, number]>) => void) | undefined;

  /**
   * A pool of `size` threads (AI_GATE_THREADS, default the machine's cores up to 4), or undefined when threads
   * cannot help or cannot run here: one core, AI_GATE_THREADS=0, or code not running from a bundle.
   */
  static create(opts: {
    policy: ResolvedPolicy; today: string; redactionKey: string; logger: Logger; env?: NodeJS.ProcessEnv;
    /** The script the threads run (tests); default this bundle. */
    entry?: string;
  }): EngineThreads | undefined {
    const env = opts.env ?? process.env;
    // The main thread checks files too: one thread fewer than the cores keeps them all busy, and every thread
    // costs its own copy of the bundle (about 50 MB).
    const chosen = env.AI_GATE_THREADS !== undefined && env.AI_GATE_THREADS !== '';
    const wanted = chosen ? Number(env.AI_GATE_THREADS) : Math.min(3, availableParallelism() - 1);
    if (!Number.isInteger(wanted) || wanted < 1) return undefined;
    const url = opts.entry ? undefined : import.meta.url;
    if (url !== undefined && (!url.startsWith('file:') || !url.endsWith('.js'))) return undefined;
    return new EngineThreads(opts.entry ?? fileURLToPath(url!), { aiGateEngine: true, policy: opts.policy, today: opts.today, redactionKey: opts.redactionKey }, opts.logger, wanted, chosen);
  }

  /** True when a thread would take a file now (one is idle, or another may start): else the caller checks it. */
  available(): boolean {
    return !this.broken && this.queue.length === 0 && (this.idle.length > 0 || this.alive < this.size);
  }

  /**
   * Calls `waiter` when a thread comes free (at once if one is free now); the waiter says whether it took the
   * thread. Waiters are asked in turn, one taker per free thread; one that declines is dropped.
   */
  whenIdle(waiter: () => boolean): void {
    if (this.available() && waiter()) return;
    if (!this.broken) this.idleWaiters.push(waiter);
  }

  /**
   * The file's findings (and its digest, asked with `digest`), checked in a worker; rejects with WorkerDied when
   * its worker died on it.
   */
  check(file: ScannedFile, opts: { digest?: boolean } = {}): Promise<Checked> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, file, digest: opts.digest === true, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    this.size = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private pump(): void {
    // Threads start on first use: a scan with no large file never pays for them.
    while (this.queue.length > this.idle.length && this.alive < this.size) this.spawn();
    while (this.queue.length && this.idle.length) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      const request: WorkerRequest = { id: job.id, file: job.file, digest: job.digest };
      worker.postMessage(request);
    }
  }

  /** Hands a free thread to the first waiter that still wants one. */
  private offerIdle(): void {
    while (this.idleWaiters.length && this.available()) if (this.idleWaiters.shift()!()) return;
  }

  private spawn(): void {
    this.alive++;
    // The old-space limit keeps a hostile file from growing one thread without bound: the thread dies, the
    // file is reported, the scan goes on. A young generation of 8 MiB (V8 picks ~32 MiB for this heap size):
    // what a rule allocates per piece of a file dies young, and on the bench's datasets the thread then holds
    // ~45 MB less at the same speed (6.72 s, 341 MB -> 6.80 s, 297 MB).
    const worker = new Worker(this.entry, { workerData: this.data, resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 8 } });
    let ready = false;
    worker.on('message', (m: WorkerReply) => {
      if ('ready' in m) { ready = true; return; }
      if ('log' in m) { this.logger[m.log](m.message); return; }
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      if (job && job.id === m.id) {
        if ('error' in m) job.reject(new WorkerDied(m.error));
        else {
          if (m.timings) this.onTimings?.(m.timings);
          job.resolve({ findings: m.findings, ...(m.digest ? { digest: m.digest } : {}) });
        }
      }
      this.idle.push(worker);
      this.pump();
      this.offerIdle();
    });
    let error: Error | undefined;
    worker.on('error', (e) => { error = e; });
    worker.on('exit', (code) => {
      this.alive--;
      const idleAt = this.idle.indexOf(worker);
      if (idleAt >= 0) this.idle.splice(idleAt, 1);
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      const why = error ? error.message : `the worker thread exited with code ${code}`;
      if (!ready) {
        // It never started: no thread will here. Every waiting file goes back to the main thread.
        if (!this.broken) {
          this.broken = new ThreadsUnavailable(why);
          if (this.size > 0) this.logger.debug(`worker threads unavailable (${why}); checking on the main thread`);
          this.size = 0;
        }
        job?.reject(this.broken);
        for (const queued of this.queue.splice(0)) queued.reject(this.broken);
        this.idleWaiters.length = 0; // each also waits for the main thread's turn
        return;
      }
      if (job) job.reject(new WorkerDied(why));
      // Its place is taken by a new thread on the next job (pump), unless the pool is closing.
      if (this.size > 0) { this.pump(); this.offerIdle(); }
    });
    this.idle.push(worker); // requests sent before it is ready wait in its port
  }
}
