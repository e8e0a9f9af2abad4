/**
 * NumPy `.npy` header (numpy/lib/format.py; NEP 1): magic `\x93NUMPY`, major and minor version bytes, a
 * little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), then a Python dict literal with exactly
 * the keys `descr`, `fortran_order` and `shape`. The literal is parsed by a small bounded parser: nothing is
 * evaluated. `hasObjects` says whether the array holds Python objects, which `np.load(allow_pickle=True)`
 * unpickles from the bytes after the header.
 */
import { FormatError } from './errors.js';
import { NPY } from './magic.js';

export interface NpyHeader {
  version: [number, number];
  /** The dtype: a string such as `<f4`, or for a structured dtype the literal text of its field list. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the first data byte: the size of magic, version, length and header. */
  headerEnd: number;
  /** True when the dtype, or any field of a structured dtype, is an object (`O`). */
  hasObjects: boolean;
}

/** numpy refuses headers above 10,000 bytes by default; structured dtypes may need more, so allow 1 MiB. */
const MAX_HEADER = 1 << 20;
const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

/**
 * The size of the whole header (where data starts), from at least the first 12 bytes; use it to know how
 * much to read before `parseNpyHeader`.
 */
export function npyHeaderEnd(prefix: Buffer): number {
  if (prefix.length < 10 || !prefix.subarray(0, 6).equals(NPY)) throw new FormatError('not a .npy file: no \\x93NUMPY magic', 0);
  const major = prefix[6];
  if (major === 1) return 10 + prefix.readUInt16LE(8);
  if (major !== 2 && major !== 3) throw new FormatError(`unsupported .npy format version ${major}.${prefix[7]}`, 6);
  if (prefix.length < 12) throw new FormatError('.npy header length is truncated', 8);
  const len = prefix.readUInt32LE(8);
  if (len > MAX_HEADER) throw new FormatError(`.npy header of ${len} bytes exceeds the limit of ${MAX_HEADER}`, 8);
  return 12 + len;
}

export function parseNpyHeader(buf: Buffer): NpyHeader {
  const headerEnd = npyHeaderEnd(buf);
  const major = buf[6];
  const minor = buf[7];
  const start = major === 1 ? 10 : 12;
  if (buf.length < headerEnd) throw new FormatError(`.npy header needs ${headerEnd} bytes, only ${buf.length} given`, buf.length);
  const text = buf.toString(major === 3 ? 'utf8' : 'latin1', start, headerEnd);
  const parser = new LiteralParser(text);
  const dict = parser.parseTop();
  if (!(dict instanceof Map)) throw new FormatError('.npy header is not a dict literal', start);
  const keys = [...dict.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new FormatError(`.npy header keys are ${JSON.stringify(keys)}; expected descr, fortran_order, shape`, start);
  }
  const descrNode = dict.get('descr') as Node;
  const fortran = dict.get('fortran_order') as Node;
  const shapeNode = dict.get('shape') as Node;
  if (typeof fortran.value !== 'boolean') throw new FormatError('.npy fortran_order is not True or False', start + fortran.start);
  const shape = shapeOf(shapeNode, start);
  let descr: string;
  if (typeof descrNode.value === 'string') descr = descrNode.value;
  else if (Array.isArray(descrNode.value) && descrNode.kind === 'list') descr = text.slice(descrNode.start, descrNode.end);
  else throw new FormatError('.npy descr is neither a string nor a list of fields', start + descrNode.start);
  return { version: [major, minor], descr, fortranOrder: fortran.value, shape, headerEnd, hasObjects: dtypeHasObjects(descrNode, start) };
}

function shapeOf(node: Node, base: number): number[] {
  if (node.kind !== 'tuple' || !Array.isArray(node.value)) throw new FormatError('.npy shape is not a tuple', base + node.start);
  return node.value.map((d) => {
    if (typeof d.value !== 'number' || !Number.isSafeInteger(d.value) || d.value < 0) {
      throw new FormatError('.npy shape holds something other than a non-negative integer', base + d.start);
    }
    return d.value;
  });
}

const OBJECT_DESCR = /^[|<>=]?O\d*$/;

/** A dtype descr: a type string, or a list of (name, descr) / (name, descr, shape) fields, nested. */
function dtypeHasObjects(node: Node, base: number, depth = 0): boolean {
  if (depth > MAX_DEPTH) throw new FormatError('.npy dtype nests too deeply', base + node.start);
  if (typeof node.value === 'string') return OBJECT_DESCR.test(node.value);
  if (node.kind !== 'list' || !Array.isArray(node.value)) throw new FormatError('.npy dtype is not a string or field list', base + node.start);
  let objects = false;
  for (const field of node.value) {
    if (field.kind !== 'tuple' || !Array.isArray(field.value) || field.value.length < 2 || field.value.length > 3) {
      throw new FormatError('.npy structured dtype field is not a (name, dtype[, shape]) tuple', base + field.start);
    }
    if (dtypeHasObjects(field.value[1], base, depth + 1)) objects = true;
  }
  return objects;
}

type Value = string | number | boolean | null | Node[] | Map<string, Node>;
interface Node {
  kind: 'str' | 'num' | 'const' | 'list' | 'tuple' | 'dict';
  value: Value;
  start: number;
  end: number;
}

/** Python literals as numpy writes them: dicts, lists, tuples, str, int, True/False/None. */
class LiteralParser {
  private pos = 0;
  private nodes = 0;
  constructor(private readonly s: string) {}

  parseTop(): Value {
    const v = this.value(0);
    this.ws();
    if (this.pos < this.s.length) throw this.err('unexpected text after the header dict');
    return v.value;
  }

  private err(msg: string): FormatError {
    return new FormatError(`.npy header: ${msg} at character ${this.pos}`);
  }

  private ws(): void {
    while (this.pos < this.s.length && ' \t\n\r\f\v'.includes(this.s[this.pos])) this.pos++;
  }

  private value(depth: number): Node {
    if (depth > MAX_DEPTH) throw this.err('literal nests too deeply');
    if (++this.nodes > MAX_NODES) throw this.err('literal is too large');
    this.ws();
    const start = this.pos;
    const c = this.s[this.pos];
    if (c === undefined) throw this.err('literal ends early');
    if (c === '{') return this.dict(depth, start);
    if (c === '[' || c === '(') return this.seq(depth, start, c === '[' ? ']' : ')');
    if (c === "'" || c === '"') return { kind: 'str', value: this.str(), start, end: this.pos };
    const m = /^(?:[+-]?\d+L?|True|False|None)/.exec(this.s.slice(this.pos, this.pos + 40));
    if (!m) throw this.err(`unexpected ${JSON.stringify(c)}`);
    this.pos += m[0].length;
    const t = m[0];
    if (t === 'True' || t === 'False' || t === 'None') {
      return { kind: 'const', value: t === 'None' ? null : t === 'True', start, end: this.pos };
    }
    const n = Number(t.replace(/L$/, ''));
    if (!Number.isSafeInteger(n)) throw this.err('integer out of range');
    return { kind: 'num', value: n, start, end: this.pos };
  }

  private dict(depth: number, start: number): Node {
    this.pos++;
    const map = new Map<string, Node>();
    for (;;) {
      this.ws();
      if (this.s[this.pos] === '}') { this.pos++; break; }
      const key = this.value(depth + 1);
      if (typeof key.value !== 'string') throw this.err('dict key is not a string');
      this.ws();
      if (this.s[this.pos] !== ':') throw this.err('expected ":"');
      this.pos++;
      if (map.has(key.value)) throw this.err(`duplicate key ${JSON.stringify(key.value)}`);
      map.set(key.value, this.value(depth + 1));
      this.ws();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== '}') throw this.err('expected "," or "}"');
    }
    return { kind: 'dict', value: map, start, end: this.pos };
  }

  private seq(depth: number, start: number, close: string): Node {
    this.pos++;
    const items: Node[] = [];
    let sawComma = false;
    for (;;) {
      this.ws();
      if (this.s[this.pos] === close) { this.pos++; break; }
      items.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.pos] === ',') { this.pos++; sawComma = true; }
      else if (this.s[this.pos] !== close) throw this.err(`expected "," or "${close}"`);
    }
    // `(x)` is just x in Python; only `(x,)` is a one-tuple.
    if (close === ')' && items.length === 1 && !sawComma) return items[0];
    return { kind: close === ']' ? 'list' : 'tuple', value: items, start, end: this.pos };
  }

  private str(): string {
    const quote = this.s[this.pos++];
    let out = '';
    for (;;) {
      const c = this.s[this.pos++];
      if (c === undefined || c === '\n') throw this.err('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') { out += c; continue; }
      const e = this.s[this.pos++];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'x' || e === 'u') {
        const len = e === 'x' ? 2 : 4;
        const h = this.s.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw this.err('bad escape');
        out += String.fromCharCode(parseInt(h, 16));
        this.pos += len;
      } else throw this.err('bad escape');
    }
  }
}
