/**
 * GGUF header reader (ggml docs/gguf.md, "File Structure"; versions 1-3): magic `GGUF`, a uint32 version,
 * the tensor count and the metadata key/value count (uint32 in v1, uint64 from v2), then the key/value
 * pairs. Strings are a length (uint32 in v1, uint64 from v2) and UTF-8 bytes; arrays are an element type,
 * a count and the elements. Every count and length is bounded, and arrays of numbers are skipped without
 * being read, so a multi-GB model costs a few reads. Bad input throws FormatError.
 */
import { FormatError, type ReadAt } from './errors.js';

export interface GgufLimits {
  /** Metadata entries; default 100,000. */
  maxKeys?: number;
  /** Bytes of any one string kept (longer strings are skipped and reported as such); default 16 MiB. */
  maxStringBytes?: number;
  /** Elements of any one array; default 50,000,000. */
  maxArrayItems?: number;
  /** Bytes of header read in all; default 512 MiB. */
  maxHeaderBytes?: number;
}

export type GgufValue = number | bigint | boolean | string | { skipped: string } | GgufValue[] | { array: string; count: number };

export interface GgufHeader {
  version: number;
  tensorCount: bigint;
  /** Metadata values: scalars and strings; arrays of strings are kept when short, other arrays summarised. */
  metadata: Map<string, GgufValue>;
  /** Byte offset of each key's value, for locating findings. */
  offsets: Map<string, number>;
}

const TYPE_NAMES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'];
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const WINDOW = 1 << 20;

/** A forward cursor over ReadAt with a read-ahead window. */
class Cursor {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  constructor(private readonly read: ReadAt, readonly size: number, public pos: number, private readonly limit: number) {}

  async take(n: number, what: string): Promise<Buffer> {
    if (n < 0 || this.pos + n > this.size) throw new FormatError(`GGUF ${what} at byte ${this.pos} runs past the end of the file`, this.pos);
    if (this.pos + n > this.limit) throw new FormatError(`GGUF header is larger than the limit of ${this.limit} bytes`, this.pos);
    const off = this.pos - this.bufStart;
    if (off < 0 || off + n > this.buf.length) {
      this.buf = await this.read(this.pos, Math.max(n, WINDOW));
      this.bufStart = this.pos;
      if (this.buf.length < n) throw new FormatError(`GGUF ${what} at byte ${this.pos} is truncated`, this.pos);
    }
    const start = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  skip(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.size) throw new FormatError(`GGUF ${what} at byte ${this.pos} runs past the end of the file`, this.pos);
    this.pos += n;
  }
}

export async function readGgufHeader(read: ReadAt, fileSize: number, limits: GgufLimits = {}): Promise<GgufHeader> {
  const maxKeys = limits.maxKeys ?? 100_000;
  const maxString = limits.maxStringBytes ?? 16 * 1024 * 1024;
  const maxItems = limits.maxArrayItems ?? 50_000_000;
  const c = new Cursor(read, fileSize, 0, limits.maxHeaderBytes ?? 512 * 1024 * 1024);
  const head = await c.take(8, 'header');
  if (head.toString('latin1', 0, 4) !== 'GGUF') throw new FormatError('not a GGUF file: no "GGUF" magic', 0);
  const version = head.readUInt32LE(4);
  if (version < 1 || version > 3) throw new FormatError(`unsupported GGUF version ${version}`, 4);
  const wide = version >= 2;
  const count = async (what: string): Promise<bigint> => (wide ? (await c.take(8, what)).readBigUInt64LE(0) : BigInt((await c.take(4, what)).readUInt32LE(0)));
  const tensorCount = await count('tensor count');
  const kvCount = await count('metadata count');
  if (kvCount > BigInt(maxKeys)) throw new FormatError(`GGUF declares ${kvCount} metadata entries, more than the limit of ${maxKeys}`, wide ? 16 : 12);

  const readString = async (what: string, keep: number): Promise<string | { skipped: string }> => {
    const at = c.pos;
    const n = await count(`${what} length`);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`GGUF ${what} at byte ${at} declares ${n} bytes`, at);
    const len = Number(n);
    if (len > keep) {
      c.skip(len, what);
      return { skipped: `${len} bytes` };
    }
    const bytes = await c.take(len, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new FormatError(`GGUF ${what} at byte ${at} is not valid UTF-8`, at);
    }
  };

  const readValue = async (type: number, depth: number, key: string): Promise<GgufValue> => {
    if (FIXED_SIZE[type] !== undefined) {
      const b = await c.take(FIXED_SIZE[type], `value of ${key}`);
      switch (type) {
        case 0: return b[0];
        case 1: return b.readInt8(0);
        case 2: return b.readUInt16LE(0);
        case 3: return b.readInt16LE(0);
        case 4: return b.readUInt32LE(0);
        case 5: return b.readInt32LE(0);
        case 6: return b.readFloatLE(0);
        case 7: return b[0] !== 0;
        case 10: return b.readBigUInt64LE(0);
        case 11: return b.readBigInt64LE(0);
        default: return b.readDoubleLE(0);
      }
    }
    if (type === 8) return readString(`string value of ${key}`, maxString);
    if (type !== 9) throw new FormatError(`GGUF key ${JSON.stringify(key)} has unknown value type ${type}`, c.pos);
    if (depth > 2) throw new FormatError(`GGUF key ${JSON.stringify(key)} nests arrays too deeply`, c.pos);
    const itemType = (await c.take(4, 'array type')).readUInt32LE(0);
    const n = await count('array length');
    if (n > BigInt(maxItems)) throw new FormatError(`GGUF array ${JSON.stringify(key)} declares ${n} items, more than the limit of ${maxItems}`, c.pos);
    const items = Number(n);
    if (FIXED_SIZE[itemType] !== undefined) {
      c.skip(items * FIXED_SIZE[itemType], `array ${key}`);
      return { array: TYPE_NAMES[itemType], count: items };
    }
    if (itemType !== 8 && itemType !== 9) throw new FormatError(`GGUF array ${JSON.stringify(key)} has unknown item type ${itemType}`, c.pos);
    const out: GgufValue[] = [];
    for (let i = 0; i < items; i++) {
      const v = await readValue(itemType, depth + 1, key);
      if (out.length < 64) out.push(v);
    }
    return items <= 64 ? out : { array: TYPE_NAMES[itemType], count: items };
  };

  const metadata = new Map<string, GgufValue>();
  const offsets = new Map<string, number>();
  for (let i = 0n; i < kvCount; i++) {
    const keyV = await readString('key', 64 * 1024);
    if (typeof keyV !== 'string') throw new FormatError(`GGUF metadata key ${i} is longer than 64 KiB`, c.pos);
    const type = (await c.take(4, 'value type')).readUInt32LE(0);
    offsets.set(keyV, c.pos);
    metadata.set(keyV, await readValue(type, 0, keyV));
  }
  return { version, tensorCount, metadata, offsets };
}
