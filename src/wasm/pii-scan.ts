/**
 * The WebAssembly kernel of piiHits (src/wasm/pii-scan.as.ts): its bytesHits pass at about twice the speed of
 * the JavaScript one, which stays as the fallback and the reference the tests hold the kernel to. Each thread
 * instantiates its own (a few KB of code; memory grows to the largest text it was given, at most MAX_INPUT).
 *
 * `AI_GATE_WASM=0` turns the kernel off (to compare, or on a runtime without WebAssembly SIMD, where it also
 * turns itself off).
 */
import { WASM_BASE64 } from './pii-scan.wasm.js';

// What is used here of the runtime's WebAssembly (the project's lib, ES2022 without DOM, does not declare it).
declare namespace WebAssembly {
  class Module { constructor(bytes: Uint8Array) }
  class Instance { constructor(module: Module, imports: object); readonly exports: object }
  interface Memory { readonly buffer: ArrayBuffer; grow(pages: number): number }
}

interface Exports {
  memory: WebAssembly.Memory;
  inputBase(): number;
  outBase(): number;
  scan(length: number, from: number, hinted: number): number;
  resumeAt(): number;
}

/** The most bytes one scan takes; longer texts (a runaway record) go to the JavaScript pass. */
export const MAX_INPUT = 8 * 1024 * 1024;
const PAGE = 65536;

export class PiiScan {
  private view: Buffer;
  private readonly input: number;
  private readonly out: number;

  private constructor(private readonly x: Exports) {
    this.input = x.inputBase();
    this.out = x.outBase();
    this.view = this.viewOf();
  }

  /** The kernel, or undefined where it cannot run (no WebAssembly, no SIMD, AI_GATE_WASM=0). */
  static create(env: NodeJS.ProcessEnv = process.env): PiiScan | undefined {
    if (env.AI_GATE_WASM === '0' || typeof WebAssembly !== 'object') return undefined;
    try {
      const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
      const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('pii-scan: abort'); } } });
      return new PiiScan(instance.exports as unknown as Exports);
    } catch {
      return undefined;
    }
  }

  /**
   * A buffer of at least `room` bytes in the kernel's memory to write the text into, or undefined when `room`
   * is over MAX_INPUT. It stays valid until the next call of `room`.
   */
  room(room: number): Buffer | undefined {
    if (room > MAX_INPUT) return undefined;
    const have = this.x.memory.buffer.byteLength - this.input;
    if (have < room) {
      try {
        this.x.memory.grow(Math.ceil((room - have) / PAGE));
      } catch {
        return undefined; // out of memory for it: the JavaScript pass needs less
      }
    }
    if (this.view.buffer !== this.x.memory.buffer) this.view = this.viewOf();
    return this.view;
  }

  /** bytesHits over the first `length` bytes of the buffer `room` gave: the byte offsets of the hits. */
  hits(length: number, hinted: boolean): number[] {
    const out: number[] = [];
    let from = 0;
    do {
      const count = this.x.scan(length, from, hinted ? 1 : 0);
      const found = new Uint32Array(this.x.memory.buffer, this.out, count);
      for (let k = 0; k < count; k++) out.push(found[k]);
      from = this.x.resumeAt();
    } while (from < length);
    return out;
  }

  private viewOf(): Buffer {
    const buffer = this.x.memory.buffer;
    return Buffer.from(buffer, this.input, buffer.byteLength - this.input);
  }
}
