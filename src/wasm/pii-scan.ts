/**
 * The WebAssembly kernel of piiHits (src/wasm/pii-scan.as.ts): its bytesHits pass at about twice the speed of
 * the JavaScript one, which stays as the fallback and the reference the tests hold the kernel to.
 */
import { InputArea, instantiate, type KernelExports } from './kernel.js';
import { WASM_BASE64 } from './pii-scan.wasm.js';

interface Exports extends KernelExports {
  inputBase(): number;
  outBase(): number;
  scan(length: number, from: number, hinted: number): number;
  resumeAt(): number;
}

/** The most bytes one scan takes; longer texts (a runaway record) go to the JavaScript pass. */
export const MAX_INPUT = 8 * 1024 * 1024;

export class PiiScan {
  private readonly area: InputArea;
  private readonly out: number;

  private constructor(private readonly x: Exports) {
    this.area = new InputArea(x.memory, x.inputBase());
    this.out = x.outBase();
  }

  /** The kernel, or undefined where it cannot run (see kernel.ts). */
  static create(env: NodeJS.ProcessEnv = process.env): PiiScan | undefined {
    const x = instantiate<Exports>(WASM_BASE64, env);
    return x && new PiiScan(x);
  }

  /**
   * A buffer of at least `room` bytes in the kernel's memory to write the text into, or undefined when `room`
   * is over MAX_INPUT. It stays valid until the next call of `room`.
   */
  room(room: number): Buffer | undefined {
    // 16 bytes more: the kernel zeroes them past the input, for its 16-byte loads of the last bytes.
    return room > MAX_INPUT ? undefined : this.area.room(room + 16);
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
}
