import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ByteTap, FileReader } from './rule.js';

export type { ByteTap };

/** The most that one `read(offset, length)` call returns, so that a lying length field cannot ask for 4 GB. */
export const MAX_RANDOM_READ = 64 * 1024 * 1024;

/** Chunk of the pass that reads what the rules did not (drain). */
const DRAIN_CHUNK = 4 * 1024 * 1024;

/**
 * What the engine hands rules (through FileReader) and uses itself: bounded reads of one file, shared by every
 * rule that looks at it. When a cap cuts a read, `capped` records it so the engine can report it (never silent).
 *
 * Taps (`tap`) get the file's bytes from offset 0 on as any read brings them in, once each and in order: a read
 * that starts at or before the first byte not yet delivered and reaches past it delivers the new part. `drain`
 * then reads only what no rule read, so a file that a rule streams from the start is read once in all.
 */
export abstract class EngineReader implements FileReader {
  capped: string | undefined;
  private textCache: { text: string; truncated: boolean } | undefined;
  private readonly taps: ByteTap[] = [];
  /** Bytes from offset 0 delivered to the taps. */
  private fed = 0;
  /** Something was read: a tap added now would miss it. */
  private begun = false;
  private drained: Promise<void> | undefined;

  protected constructor(
    readonly size: number,
    private readonly maxFileBytes: number,
    private readonly maxTextBytes: number,
  ) {}

  /** Up to `length` bytes from `offset` (a fresh buffer the caller may keep). */
  protected abstract fetch(offset: number, length: number): Promise<Buffer>;
  /** Reads up to `length` bytes from `offset` into the start of `target`: that part of it. */
  protected abstract fetchInto(target: Buffer, offset: number, length: number): Promise<Buffer>;
  abstract close(): Promise<void>;

  async read(offset: number, length: number): Promise<Buffer> {
    const got = await this.fetch(offset, length);
    this.deliver(offset, got);
    return got;
  }

  private async readInto(target: Buffer, offset: number, length: number): Promise<Buffer> {
    const got = await this.fetchInto(target, offset, length);
    this.deliver(offset, got);
    return got;
  }

  /**
   * Adds a consumer of the file's bytes in order; false when bytes have been read already (it would miss
   * them): the caller then reads the file itself.
   */
  tap(t: ByteTap): boolean {
    if (this.begun || this.drained) return false;
    this.taps.push(t);
    return true;
  }

  /**
   * Reads what the taps still lack, up to the per-file read cap, and feeds it to them (once per reader: later
   * calls wait for the same pass). A read that fails rejects; the bytes delivered so far stay delivered.
   */
  drain(): Promise<void> {
    this.drained ??= (async () => {
      const limit = Math.min(this.size, this.maxFileBytes);
      if (this.taps.length === 0 || this.fed >= limit) return this.markCut(limit);
      const buf = Buffer.allocUnsafe(Math.min(DRAIN_CHUNK, limit - this.fed));
      while (this.fed < limit) {
        const got = await this.readInto(buf, this.fed, Math.min(buf.length, limit - this.fed));
        if (got.length === 0) break;
      }
      this.markCut(limit);
    })();
    return this.drained;
  }

  /** The taps' line starts below `limit`, in order, for lines(). */
  private lineMarks(limit: number): Array<[number, number]> {
    const marks: Array<[number, number]> = [];
    for (const t of this.taps) for (const [offset, line] of t.lineStarts ?? []) if (offset < limit) marks.push([offset, line]);
    return marks.sort((a, b) => a[0] - b[0]);
  }

  /** Bytes delivered to the taps from offset 0: after drain, how much of the file they saw. */
  get delivered(): number {
    return this.fed;
  }

  private markCut(limit: number): void {
    if (this.fed >= limit && this.size > limit && this.taps.some((t) => t.whole)) {
      this.capped = `read the first ${this.maxFileBytes} of ${this.size} bytes`;
    }
  }

  private deliver(offset: number, bytes: Buffer): void {
    this.begun = true;
    if (this.taps.length === 0) return;
    // Taps see the file up to the read cap, as a stream does, however far a random read goes.
    const end = Math.min(offset + bytes.length, this.size, this.maxFileBytes);
    if (offset > this.fed || end <= this.fed) return;
    const part = bytes.subarray(this.fed - offset, end - offset);
    this.fed = end;
    for (const t of this.taps) t.update(part);
  }

  /**
   * `reuse`: every chunk is read into the same memory, so a chunk is valid only until the next is asked for.
   * For consumers that are done with a chunk (or copied what they keep) by then: a large file read in fresh
   * buffers costs V8 a full collection every ~64 MB of them (external memory), ~40 per GB read.
   */
  async *stream(chunkSize = 1024 * 1024, opts: { reuse?: boolean } = {}): AsyncIterable<Buffer> {
    const limit = Math.min(this.size, this.maxFileBytes);
    const shared = opts.reuse && limit > 0 ? Buffer.allocUnsafe(Math.min(chunkSize, limit)) : undefined;
    for (let offset = 0; offset < limit; ) {
      const want = Math.min(chunkSize, limit - offset);
      const chunk = shared ? await this.readInto(shared, offset, want) : await this.read(offset, want);
      if (chunk.length === 0) break;
      offset += chunk.length;
      // Cut by the cap only when the stream gets that far (a consumer may stop early).
      if (offset >= limit && this.size > limit) this.capped = `read the first ${this.maxFileBytes} of ${this.size} bytes`;
      yield chunk;
    }
  }

  async text(): Promise<{ text: string; truncated: boolean }> {
    if (this.textCache) return this.textCache;
    const truncated = this.size > this.maxTextBytes;
    if (truncated) this.capped = `read the first ${this.maxTextBytes} of ${this.size} bytes as text`;
    const want = Math.min(this.size, this.maxTextBytes);
    const parts: Buffer[] = [];
    for (let offset = 0; offset < want; ) {
      const part = await this.read(offset, want - offset);
      if (part.length === 0) break;
      parts.push(part);
      offset += part.length;
    }
    const buf = Buffer.concat(parts);
    // Strip a UTF-8 BOM so that line 1 column 1 is the first real character.
    const text = buf.toString('utf8').replace(/^\uFEFF/, '');
    this.textCache = { text, truncated };
    return this.textCache;
  }

  /**
   * The text of just the given 1-based lines (as `text()` would split them: UTF-8, BOM stripped, `\r\n` or
   * `\n`), read as a stream up to the text cap and stopping after the last one wanted; each line is kept to
   * `maxLineBytes`. Findings need their lines for fingerprints and inline suppressions, and this costs a
   * bounded buffer instead of the whole file as one string.
   */
  async lines(wanted: ReadonlySet<number>, maxLineBytes = 256 * 1024): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (wanted.size === 0) return out;
    let last = 0;
    for (const n of wanted) if (n > last) last = n;
    if (this.textCache) {
      const all = this.textCache.text.split(/\r?\n/);
      for (const n of wanted) if (n >= 1 && n <= all.length) out.set(n, all[n - 1].slice(0, maxLineBytes));
      return out;
    }
    const limit = Math.min(this.size, this.maxTextBytes);
    // Line starts the taps counted (SecretWindows): reading goes on from the last one before the next wanted line.
    const marks = this.lineMarks(limit);
    const targets = [...wanted].sort((a, b) => a - b);
    let t = 0; // targets[t]: the next wanted line from `line` on
    let m = 0; // marks[m]: the first mark not yet passed
    let line = 1;
    const jump = (): [number, number] | undefined => {
      while (t < targets.length && targets[t] < line) t++;
      if (t === targets.length) return undefined;
      let best: [number, number] | undefined;
      while (m < marks.length && marks[m][1] <= targets[t]) { if (marks[m][1] > line) best = marks[m]; m++; }
      return best;
    };
    let parts: Buffer[] = [];
    let kept = 0;
    const emit = () => {
      if (wanted.has(line)) {
        let text = Buffer.concat(parts).toString('utf8');
        if (line === 1) text = text.replace(/^\uFEFF/, '');
        out.set(line, text.endsWith('\r') ? text.slice(0, -1) : text);
      }
      parts = [];
      kept = 0;
    };
    // Reads start small and grow (a finding's line is often near where reading starts), up to 1 MiB.
    let chunkSize = 64 * 1024;
    for (let offset = 0; offset < limit && line <= last; chunkSize = Math.min(2 * chunkSize, 1024 * 1024)) {
      // A jump never drops a wanted line's bytes: it goes past the current line only when that is not wanted.
      const to = jump();
      if (to) { [offset, line] = to; parts = []; kept = 0; chunkSize = 64 * 1024; }
      const chunk = await this.read(offset, Math.min(chunkSize, limit - offset));
      if (chunk.length === 0) break;
      offset += chunk.length;
      let start = 0;
      while (start <= chunk.length && line <= last) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl === -1 ? chunk.length : nl;
        if (wanted.has(line) && kept < maxLineBytes) {
          const piece = chunk.subarray(start, Math.min(end, start + maxLineBytes - kept));
          parts.push(Buffer.from(piece));
          kept += piece.length;
        }
        if (nl === -1) break;
        emit();
        line++;
        start = nl + 1;
      }
    }
    if (line <= last) emit();
    return out;
  }

}

/** One open handle per file. */
export class HandleReader extends EngineReader {
  private constructor(private readonly handle: FileHandle, size: number, maxFileBytes: number, maxTextBytes: number) {
    super(size, maxFileBytes, maxTextBytes);
  }

  /** Opens without following a final symlink and without blocking on a FIFO that replaced the file. */
  static async open(absPath: string, limits: { maxFileBytes: number; maxTextBytes: number }): Promise<HandleReader> {
    const handle = await fsp.open(absPath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error('not a regular file any more');
      return new HandleReader(handle, stat.size, limits.maxFileBytes, limits.maxTextBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  protected async fetch(offset: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.size || length <= 0) return Buffer.alloc(0);
    const want = Math.min(length, MAX_RANDOM_READ, this.size - offset);
    return this.fetchInto(Buffer.allocUnsafe(want), offset, want);
  }

  protected async fetchInto(target: Buffer, offset: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, target.length, this.size - offset));
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(target, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === target.length ? target : target.subarray(0, got);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * A file whose every byte discovery already read (its `head`, taken through the same no-follow, non-blocking
 * open): served from memory. Most files of a repository are this small, and opening, stat-ing, reading and
 * closing each one a second time cost more than every rule that looks at them.
 */
export class BufferReader extends EngineReader {
  constructor(private readonly bytes: Buffer, limits: { maxFileBytes: number; maxTextBytes: number }) {
    super(bytes.length, limits.maxFileBytes, limits.maxTextBytes);
  }

  protected async fetch(offset: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.size || length <= 0) return Buffer.alloc(0);
    // A copy, so that a rule writing into what it was given cannot change what the next rule reads.
    return Buffer.from(this.bytes.subarray(offset, offset + Math.min(length, MAX_RANDOM_READ)));
  }

  protected async fetchInto(target: Buffer, offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset >= this.size) return target.subarray(0, 0);
    return target.subarray(0, this.bytes.copy(target, 0, offset, offset + Math.min(length, target.length)));
  }

  async close(): Promise<void> {}
}
