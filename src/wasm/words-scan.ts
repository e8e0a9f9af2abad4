/**
 * The WebAssembly kernel of AsciiWords (src/wasm/words-scan.as.ts): candidate places of a set of words and
 * marks, 16 positions at a time, from nibble tables that AsciiWords builds (FingerprintTables) and registers
 * once. AsciiWords compares every candidate, so the kernel only has to miss none.
 */
import { InputArea, instantiate, type KernelExports } from './kernel.js';
import { WASM_BASE64 } from './words-scan.wasm.js';

interface Exports extends KernelExports {
  tablesBase(): number;
  maxTables(): number;
  inputBase(): number;
  find(tables: number, from: number, end: number): number;
  stoppedAt(): number;
  newlines(end: number): number;
  lastNewline(): number;
}

/** The most bytes one search takes; longer inputs are searched in JavaScript. */
export const MAX_INPUT = 8 * 1024 * 1024;
/** Bytes copied into the kernel at a time: its memory stays this small (for each thread) whatever the input. */
export const SEGMENT_BYTES = 1024 * 1024;
/** Bytes of one set of tables: low and high nibble tables for each of the fingerprint's three bytes. */
export const TABLE_BYTES = 96;

export class WordsScan {
  private readonly area: InputArea;
  private registered = 0;

  private constructor(private readonly x: Exports) {
    this.area = new InputArea(x.memory, x.inputBase());
  }

  private static made: WordsScan | null | undefined;

  /** This thread's kernel, or undefined where it cannot run (see kernel.ts). */
  static shared(): WordsScan | undefined {
    if (WordsScan.made === undefined) WordsScan.made = WordsScan.create() ?? null;
    return WordsScan.made ?? undefined;
  }

  static create(env: NodeJS.ProcessEnv = process.env): WordsScan | undefined {
    const x = instantiate<Exports>(WASM_BASE64, env);
    return x && new WordsScan(x);
  }

  /** Copies a set of tables (TABLE_BYTES) into the kernel: the handle `find` takes, or undefined when it is full. */
  register(tables: Uint8Array): number | undefined {
    if (tables.length !== TABLE_BYTES || this.registered >= this.x.maxTables()) return undefined;
    const at = this.x.tablesBase() + TABLE_BYTES * this.registered++;
    new Uint8Array(this.x.memory.buffer, at, TABLE_BYTES).set(tables);
    return at;
  }

  /** A buffer of at least `room` bytes in the kernel's memory for the input; undefined over MAX_INPUT. */
  room(room: number): Buffer | undefined {
    return room > MAX_INPUT ? undefined : this.area.room(room);
  }

  /**
   * The first candidate position at or after `from` in the first `end` bytes of the input, or `end` when there
   * is none before stoppedAt() (the last few positions, which the caller looks at itself).
   */
  find(tables: number, from: number, end: number): number {
    return this.x.find(tables, from, end);
  }

  stoppedAt(): number {
    return this.x.stoppedAt();
  }

  /**
   * The newlines in buf[from, to) (copied into the kernel SEGMENT_BYTES at a time): how many, and the offset in
   * `buf` of the last one (-1 if none); undefined when the memory cannot grow.
   */
  newlines(buf: Uint8Array, from: number, to: number): { count: number; last: number } | undefined {
    const segment = Math.min(to - from, SEGMENT_BYTES);
    const room = this.room(segment);
    if (!room) return undefined;
    let count = 0, last = -1;
    for (let at = from; at < to; at += segment) {
      const end = Math.min(to, at + segment);
      room.set(buf.subarray(at, end), 0);
      count += this.x.newlines(end - at);
      const found = this.x.lastNewline();
      if (found >= 0) last = at + found;
    }
    return { count, last };
  }
}
