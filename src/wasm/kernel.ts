/**
 * Loading the WebAssembly kernels (src/wasm/*.as.ts, compiled by scripts/generate.mjs): each thread instantiates
 * its own. A kernel takes its input in its own memory, from an offset it names; the memory grows to the largest
 * input it was given (it cannot shrink, so callers cap what they hand it).
 *
 * `AI_GATE_WASM=0` turns the kernels off (to compare, or where WebAssembly SIMD does not run, where they also
 * turn themselves off): the same searches then run in JavaScript.
 */

// What is used here of the runtime's WebAssembly (the project's lib, ES2022 without DOM, does not declare it).
declare namespace WebAssembly {
  class Module { constructor(bytes: Uint8Array) }
  class Instance { constructor(module: Module, imports: object); readonly exports: object }
  interface Memory { readonly buffer: ArrayBuffer; grow(pages: number): number }
}

const PAGE = 65536;

export interface KernelExports { memory: WebAssembly.Memory }

/** The module's exports, or undefined where it cannot run (no WebAssembly, no SIMD, AI_GATE_WASM=0). */
export function instantiate<T extends KernelExports>(base64: string, env: NodeJS.ProcessEnv = process.env): T | undefined {
  if (env.AI_GATE_WASM === '0' || typeof WebAssembly !== 'object') return undefined;
  try {
    const module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    return new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('WebAssembly kernel: abort'); } } }).exports as T;
  } catch {
    return undefined;
  }
}

/** The kernel's memory from `at` on, as a Buffer of at least `room` bytes (grown if need be); undefined if it cannot grow. */
export class InputArea {
  private view: Buffer;

  constructor(private readonly memory: WebAssembly.Memory, private readonly at: number) {
    this.view = this.viewOf();
  }

  room(room: number): Buffer | undefined {
    const have = this.memory.buffer.byteLength - this.at;
    if (have < room) {
      try {
        this.memory.grow(Math.ceil((room - have) / PAGE));
      } catch {
        return undefined; // out of memory for it: the JavaScript search needs less
      }
    }
    if (this.view.buffer !== this.memory.buffer) this.view = this.viewOf();
    return this.view;
  }

  private viewOf(): Buffer {
    const buffer = this.memory.buffer;
    return Buffer.from(buffer, this.at, buffer.byteLength - this.at);
  }
}
