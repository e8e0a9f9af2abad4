import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { FileReader } from './rule.js';

/** The most that one `read(offset, length)` call returns, so that a lying length field cannot ask for 4 GB. */
export const MAX_RANDOM_READ = 64 * 1024 * 1024;

/**
 * One open handle per file, shared by every rule that looks at it. Reads are bounded by the policy's caps;
 * when a cap cuts a read, `capped` records it so the engine can report it (never silent).
 */
export class HandleReader implements FileReader {
  capped: string | undefined;
  private textCache: { text: string; truncated: boolean } | undefined;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly maxFileBytes: number,
    private readonly maxTextBytes: number,
  ) {}

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

  async read(offset: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.size || length <= 0) return Buffer.alloc(0);
    const want = Math.min(length, MAX_RANDOM_READ, this.size - offset);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === want ? buf : buf.subarray(0, got);
  }

  async *stream(chunkSize = 1024 * 1024): AsyncIterable<Buffer> {
    const limit = Math.min(this.size, this.maxFileBytes);
    if (this.size > this.maxFileBytes) this.capped = `read the first ${this.maxFileBytes} of ${this.size} bytes`;
    for (let offset = 0; offset < limit; ) {
      const chunk = await this.read(offset, Math.min(chunkSize, limit - offset));
      if (chunk.length === 0) break;
      offset += chunk.length;
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

  async close(): Promise<void> {
    await this.handle.close();
  }
}
