/**
 * A streaming, bounded pickle opcode reader (protocols 0-5; opcode table from CPython Lib/pickletools.py and
 * the loader's behaviour from Lib/pickle.py and Modules/_pickle.c). Nothing is unpickled: the reader models
 * the unpickler's stack and memo just enough to say which globals a load would import, how each name was
 * produced (a constant string, or something computed at load time), and which calls a load would make.
 *
 * It reads like CPython's C unpickler, which is what `pickle.load` and `torch.load` use: FRAME is only a
 * prefetch hint (an opcode may straddle a frame's end), garbage after STOP is never read by the loader, and
 * a broken stream still runs every opcode before the break. So the reader keeps every finding made before
 * a break and records the break; after a STOP it tries the next bytes as another (stacked) pickle, as
 * `torch.load` of a legacy file and `np.load` of concatenated pickles do.
 *
 * Memory is bounded whatever the input: arguments longer than a few KiB are skipped rather than kept, runs
 * of uninteresting stack values are counted rather than stored, and the memo keeps only strings and globals
 * up to a fixed number of entries.
 */
import { FormatError } from './errors.js';

/** How a global's module and name were given. */
export type GlobalOpcode = 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT';

export interface PickleGlobal {
  module: string;
  name: string;
  opcode: GlobalOpcode;
  /** Byte offset of the opcode in the scanned stream. */
  offset: number;
  /** False when the module or name was not a constant string (computed at load time, a missing memo key...). */
  resolved: boolean;
  /** Why it is unresolved, e.g. `the module operand is an int`. */
  why?: string;
  /** True when it is unresolved only because the scan's memo bound dropped an entry. */
  bounded?: boolean;
  /** Index of the stacked pickle (0 for the first) it was found in. */
  pickle: number;
  /** Nesting depth: 0 for the stream itself, 1 for a pickle passed as bytes to `pickle.loads`, ... */
  depth: number;
}

/** A call whose callable was itself computed at load time (the result of another call or attribute fetch). */
export interface ComputedCall {
  offset: number;
  /** The global whose result is called, e.g. `builtins.getattr`, or undefined when unknown. */
  via?: string;
  pickle: number;
  depth: number;
}

/** BUILD or SETITEM applied to an imported object itself: overwrites a module's or class's attributes at load time. */
export interface GlobalMutation {
  offset: number;
  /** The imported object that is changed, e.g. `torch._utils`. */
  target: string;
  pickle: number;
  depth: number;
}

export interface PickleBreak {
  offset: number;
  message: string;
  /** Index of the stacked pickle that broke (0: the first). */
  pickle: number;
}

export interface PickleScan {
  /** Every distinct (module, name, opcode, resolved) import, first occurrence, in stream order. */
  globals: PickleGlobal[];
  calls: ComputedCall[];
  mutations: GlobalMutation[];
  /** Complete pickles (ended by STOP). */
  pickles: number;
  /** The highest PROTO seen. */
  protocol: number;
  opcodes: number;
  /** Bytes consumed. */
  bytes: number;
  /** Set when the stream broke (bad opcode, truncation, a bound hit) before the data ran out. */
  broken?: PickleBreak;
  /** Bytes after the last complete pickle that do not start another one (a loader never reads them). */
  trailing?: { offset: number };
  /** True when the bound on distinct globals (or calls) was reached and some were not recorded. */
  bounded: boolean;
}

export interface PickleScanOptions {
  /** Stop after this many complete pickles (a legacy torch file holds 5, then raw storage bytes). */
  maxPickles?: number;
  /** Depth of pickles nested in `pickle.loads(b'...')` arguments that are scanned too. Default 3. */
  maxNestedDepth?: number;
  /** Offset added to reported offsets. */
  baseOffset?: number;
}

const MAX_LINE = 64 * 1024;
/** Strings longer than this are not kept (module and attribute names are short). */
const MAX_KEPT_STRING = 4096;
/** Bytes arguments up to this size are kept, so a nested `pickle.loads(b'...')` can be scanned. */
const MAX_KEPT_BYTES = 1 << 20;
const MAX_MEMO_VALUES = 500_000;
const MAX_MEMO_BYTES = 64 * 1024;
/** Memo keys below this live in an array (MAX_MEMO_VALUES caps what is stored, not the key range). */
const DENSE_MEMO = 4 * MAX_MEMO_VALUES;
const MAX_EXPLICIT_MEMO_KEYS = 4_000_000;
const MAX_STACK_ENTRIES = 2_000_000;
const MAX_MARKS = 1_000_000;
const MAX_GLOBALS = 10_000;
const MAX_CALLS = 1_000;

// Values on the modelled stack. OTHER stands for anything the scan does not need to know.
interface Run { k: 'run'; n: number }
interface Bytes { k: 'bytes'; b: Buffer }
interface Glob { k: 'global'; q: string }
interface Call { k: 'call'; via?: string; arg?: Value }
interface Tuple { k: 'tuple'; items: Value[] }
/** A dict with string keys (kept small: enough for joblib's array wrapper state). */
interface Dict { k: 'dict'; e: Map<string, Value> }
/** Strings and small ints are kept as JS primitives: no allocation per pushed value. */
type Value = string | number | Bytes | Glob | Call | Tuple | Dict | typeof NONE | typeof OTHER;
const OTHER = { k: 'other' } as const;
type Entry = Value | Run;
type Obj = Exclude<Entry, string | number>;
const is = <K extends Obj['k']>(v: Entry | undefined, k: K): v is Extract<Obj, { k: K }> => typeof v === 'object' && v.k === k;

const enum A { None, U1, U2, U4, U8, I4, Line, Line2, Len1, Len4, Len8, Float8 }

// argument kind per opcode byte; -1 marks a byte that is not an opcode
const ARG = new Int8Array(256).fill(-1);
const def = (c: string | number, a: A): void => { ARG[typeof c === 'number' ? c : c.charCodeAt(0)] = a; };
for (const c of '(.012NQRabde}lo]st)u\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98') def(c, A.None);
def('F', A.Line); def('I', A.Line); def('L', A.Line); def('P', A.Line); def('S', A.Line); def('V', A.Line);
def('g', A.Line); def('p', A.Line); def('c', A.Line2); def('i', A.Line2);
def('J', A.I4); def('K', A.U1); def('M', A.U2); def('G', A.Float8);
def('T', A.Len4); def('U', A.Len1); def('X', A.Len4); def('h', A.U1); def('j', A.U4); def('q', A.U1); def('r', A.U4);
def(0x80, A.U1); def(0x82, A.U1); def(0x83, A.U2); def(0x84, A.U4); def(0x8a, A.Len1); def(0x8b, A.Len4);
def('B', A.Len4); def('C', A.Len1); def(0x8c, A.Len1); def(0x8d, A.Len8); def(0x8e, A.Len8); def(0x95, A.U8); def(0x96, A.Len8);

/** Per argument kind: the fixed argument size (-1 when not fixed), and the size of a length prefix (0 when none). */
const FIXED = Int8Array.from([0, 1, 2, 4, 8, 4, -1, -1, -1, -1, -1, 8]);
const LEN_BYTES = Int8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 8, 0]);
/** Opcodes that pop nothing: what a stacked pickle can start with (besides PROTO). */
const OPENERS = new Set([...'(NFIJKLMPSTUVXBCGcg)]}hj'].map((c) => c.charCodeAt(0)).concat([0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x95, 0x96, 0x97, 0x82, 0x83, 0x84]));
const BYTES_OPS = new Set([0x42, 0x43, 0x8e, 0x96]);
/** Loaders of nested pickles: a bytes argument passed to one of these is scanned as a pickle too. */
const NESTED_LOADERS = new Set(['pickle.loads', '_pickle.loads', 'cPickle.loads', 'dill.loads', 'cloudpickle.loads', 'joblib.load', 'torch.load', 'numpy.loads']);

const opName = (c: number): string => `0x${c.toString(16).padStart(2, '0')}${c >= 0x20 && c < 0x7f ? ` (${JSON.stringify(String.fromCharCode(c))})` : ''}`;

/** Thrown inside the machine to end the current stream; turned into `broken`. */
class Break extends Error {
  constructor(message: string, readonly at: number) { super(message); }
}

/**
 * Feed chunks with `push`, then call `end`. The work per byte is small and no chunk is kept after `push`
 * returns except an incomplete opcode's tail (at most a line or a short argument).
 */
export class PickleScanner {
  private readonly res: PickleScan = { globals: [], calls: [], mutations: [], pickles: 0, protocol: 0, opcodes: 0, bytes: 0, bounded: false };
  private readonly seen = new Set<string>();
  private readonly maxPickles: number;
  private readonly maxNested: number;
  private readonly base: number;
  private readonly depth: number;
  private pending: Buffer | undefined;
  /** Bytes of a long argument still to skip, and what to push when it is done. */
  private skipLeft = 0;
  private skipPush: Value | typeof NOTHING = OTHER;
  /** joblib: a padding-length byte comes next, then padding, then `afterPad` bytes of array data. */
  private padPending = false;
  private afterPad = 0;
  /** Outer machines suspended while a pickle embedded mid-stream (a joblib object array) is read. */
  private suspended: Array<{ stack: Entry[]; size: number; marks: number[]; memoDense: Array<Value | undefined>; memo: Map<number, Value>; memoCount: number; memoLen: number; explicitKeys?: Set<number>; dropFrom: number }> = [];
  private skipKeep: Buffer[] | undefined;
  private pos = 0; // absolute offset of the next unread byte
  private done = false;
  private inPickle = false;
  private pickleStart = 0;
  private stack: Entry[] = [];
  private size = 0; // logical stack depth (runs count n each)
  private marks: number[] = [];
  /** Memo values by key: an array for the usual keys 0..n, a Map for far ones. Only kept kinds are stored. */
  private memoDense: Array<Value | undefined> = [];
  private memo = new Map<number, Value>();
  private memoCount = 0;
  private memoLen = 0;
  private explicitKeys: Set<number> | undefined;
  /** Memo keys from this one on may have been dropped by MAX_MEMO_VALUES. */
  private dropFrom = Infinity;

  constructor(opts: PickleScanOptions = {}, depth = 0) {
    this.maxPickles = opts.maxPickles ?? Infinity;
    this.maxNested = opts.maxNestedDepth ?? 3;
    this.base = opts.baseOffset ?? 0;
    this.depth = depth;
  }

  get finished(): boolean { return this.done; }

  push(chunk: Buffer): void {
    if (this.done || chunk.length === 0) return;
    let buf = chunk;
    let start = 0;
    if (this.skipLeft > 0) {
      const n = Math.min(this.skipLeft, buf.length);
      if (this.skipKeep) this.skipKeep.push(buf.subarray(0, n));
      this.skipLeft -= n;
      this.pos += n;
      if (this.skipLeft > 0) return;
      this.finishSkip();
      start = n;
      if (start === buf.length) return;
    }
    if (this.pending) {
      buf = Buffer.concat([this.pending, buf.subarray(start)]);
      start = 0;
      this.pending = undefined;
    }
    this.run(buf, start, false);
  }

  end(): PickleScan {
    if (!this.done) {
      if (this.pending && this.skipLeft === 0) {
        const rest = this.pending;
        this.pending = undefined;
        this.run(rest, 0, true);
      }
      if (!this.done) {
        if (this.skipLeft > 0) this.fail(`the stream ends ${this.skipLeft} bytes short inside an argument`, this.pos);
        else if (this.inPickle) this.fail('the stream ends before STOP (truncated)', this.pos);
      }
      this.done = true;
    }
    this.res.bytes = this.pos;
    this.res.globals.sort((a, b) => a.offset - b.offset);
    return this.res;
  }

  private fail(message: string, at: number): void {
    this.res.broken ??= { offset: this.base + at, message, pickle: this.res.pickles };
    this.done = true;
  }

  private run(buf: Buffer, start: number, final: boolean): void {
    let p = start;
    try {
      while (p < buf.length && !this.done) {
        if (this.skipLeft > 0) { // raw bytes inside the stream (joblib array data)
          const n = Math.min(this.skipLeft, buf.length - p);
          this.skipLeft -= n;
          this.pos += n;
          p += n;
          if (this.skipLeft === 0) this.finishSkip();
          continue;
        }
        if (this.padPending) { // joblib's padding-length byte, then the padding and the array
          this.padPending = false;
          this.skipLeft = buf[p] + this.afterPad;
          this.skipPush = NOTHING;
          this.pos++;
          p++;
          if (this.skipLeft === 0) this.finishSkip();
          continue;
        }
        const next = this.step(buf, p, final);
        if (next < 0) break; // need more bytes (or a skip began)
        p = next;
      }
    } catch (error) {
      if (!(error instanceof Break)) throw error;
      this.fail(error.message, error.at);
      return;
    }
    if (this.done || this.skipLeft > 0) return;
    if (p < buf.length) {
      const rest = buf.subarray(p);
      if (final) {
        this.fail(`the stream ends inside the opcode at byte ${this.pos}${this.inPickle ? '' : ' (truncated)'}`, this.pos);
      } else {
        if (rest.length > MAX_LINE + 16) this.fail(`a text argument runs past ${MAX_LINE} bytes without a newline`, this.pos);
        else this.pending = Buffer.from(rest); // copy: the caller may reuse its chunk
      }
    }
  }

  /** Decode and apply one opcode at buf[p]; returns the next position, or -1 when more bytes are needed. */
  private step(buf: Buffer, p: number, final: boolean): number {
    const code = buf[p];
    const at = this.pos;
    const kind = ARG[code];
    if (!this.inPickle) {
      if (this.res.pickles >= this.maxPickles) { this.done = true; return -1; }
      if (kind < 0 || !this.canStart(code, buf, p)) {
        if (this.res.pickles > 0) {
          this.res.trailing = { offset: this.base + at };
          this.done = true;
          return -1;
        }
        throw new Break(`byte ${opName(code)} at offset ${at} is not a pickle opcode`, at);
      }
      this.inPickle = true;
      this.pickleStart = at;
    }
    if (kind < 0) throw new Break(`byte ${opName(code)} at offset ${at} is not a pickle opcode`, at);
    const fixed = FIXED[kind];
    let argStart = p + 1;
    let argEnd: number;
    let line2At = -1;
    if (fixed >= 0) {
      argEnd = argStart + fixed;
      if (argEnd > buf.length) return -1;
    } else if (kind === A.Line || kind === A.Line2) {
      let nl = buf.indexOf(0x0a, argStart);
      if (nl < 0) return this.needLine(buf, argStart, at);
      if (kind === A.Line2) {
        line2At = nl;
        nl = buf.indexOf(0x0a, nl + 1);
        if (nl < 0) return this.needLine(buf, argStart, at);
      }
      argEnd = nl + 1;
    } else {
      const lb = LEN_BYTES[kind];
      if (argStart + lb > buf.length) return -1;
      let n: number;
      if (lb === 1) n = buf[argStart];
      else if (lb === 4) n = buf.readUInt32LE(argStart);
      else {
        const big = buf.readBigUInt64LE(argStart);
        if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Break(`opcode ${opName(code)} at offset ${at} declares ${big} bytes`, at);
        n = Number(big);
      }
      if (code === 0x54 && buf.readInt32LE(argStart) < 0) throw new Break(`BINSTRING at offset ${at} has a negative length`, at);
      argStart += lb;
      argEnd = argStart + n;
      if (argEnd > buf.length) {
        if (n <= MAX_LINE && !final) return -1; // small: wait for the rest
        // Long argument: consume what is here and skip the rest without keeping it (bytes up to a cap are kept).
        this.beginSkip(code, buf, p, argStart, n, at);
        return -1;
      }
    }
    this.res.opcodes++;
    this.pos += argEnd - p;
    this.apply(code, buf, argStart, argEnd, line2At, at);
    return argEnd;
  }

  private needLine(buf: Buffer, argStart: number, at: number): number {
    if (buf.length - argStart > MAX_LINE) throw new Break(`a text argument at offset ${at} runs past ${MAX_LINE} bytes without a newline`, at);
    return -1;
  }

  /** What may open a stacked pickle after a STOP: PROTO 0..5, or an opcode that pops nothing. */
  private canStart(code: number, buf: Buffer, p: number): boolean {
    if (this.res.pickles === 0) return true;
    if (code === 0x80) return p + 1 >= buf.length || buf[p + 1] <= 5;
    return OPENERS.has(code);
  }

  private beginSkip(code: number, buf: Buffer, p: number, argStart: number, n: number, at: number): void {
    this.res.opcodes++;
    this.pos = at + (buf.length - p);
    this.skipLeft = n - (buf.length - argStart);
    const keep = BYTES_OPS.has(code) && n <= MAX_KEPT_BYTES;
    this.skipKeep = keep ? [Buffer.from(buf.subarray(argStart))] : undefined;
    this.skipPush = OTHER;
  }

  private finishSkip(): void {
    const keep = this.skipKeep;
    this.skipKeep = undefined;
    if (this.skipPush === NOTHING && !keep) return;
    const v: Value = keep ? { k: 'bytes', b: Buffer.concat(keep) } : this.skipPush as Value;
    this.pushV(v);
  }

  // ---- the modelled machine ----

  private pushV(v: Value): void {
    if (v === OTHER) {
      const top = this.stack[this.stack.length - 1];
      if (is(top, 'run')) { top.n++; this.size++; return; }
      this.stack.push({ k: 'run', n: 1 });
      this.size++;
      return;
    }
    if (this.stack.length >= MAX_STACK_ENTRIES) throw new Break(`the pickle's stack grew past ${MAX_STACK_ENTRIES} distinct entries; the scan stopped at byte ${this.pos}`, this.pos);
    this.stack.push(v);
    this.size++;
  }

  private pop(at: number): Value {
    const top = this.stack[this.stack.length - 1];
    const floor = this.marks.length ? this.marks[this.marks.length - 1] : 0;
    if (top === undefined || this.size <= floor) throw new Break(`an opcode at offset ${at} pops an empty stack`, at);
    this.size--;
    if (is(top, 'run')) {
      if (--top.n === 0) this.stack.pop();
      return OTHER;
    }
    this.stack.pop();
    return top;
  }

  private peek(at: number): Value {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || this.size <= (this.marks.length ? this.marks[this.marks.length - 1] : 0)) {
      throw new Break(`an opcode at offset ${at} reads an empty stack`, at);
    }
    return is(top, 'run') ? OTHER : top;
  }

  /** Pops everything above the last mark and the mark; returns up to `keep` of the popped items (bottom first). */
  private popMark(at: number, keep = 0): Value[] | undefined {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Break(`an opcode at offset ${at} needs a MARK and there is none`, at);
    let count = this.size - mark;
    const items: Value[] = [];
    const tooMany = count > keep;
    while (count > 0) {
      const top = this.stack[this.stack.length - 1];
      if (is(top, 'run')) {
        const n = Math.min(top.n, count);
        top.n -= n;
        count -= n;
        this.size -= n;
        if (top.n === 0) this.stack.pop();
        if (!tooMany) for (let i = 0; i < n; i++) items.push(OTHER);
      } else {
        this.stack.pop();
        this.size--;
        count--;
        if (!tooMany) items.push(top);
      }
    }
    return tooMany ? undefined : items.reverse();
  }

  private popN(n: number, at: number): void {
    for (let i = 0; i < n; i++) this.pop(at);
  }

  private memoPut(key: number, v: Value, at: number): void {
    if (!Number.isSafeInteger(key) || key < 0) throw new Break(`memo key ${key} at offset ${at} is invalid`, at);
    if (this.explicitKeys) {
      if (!this.explicitKeys.has(key)) {
        if (this.explicitKeys.size >= MAX_EXPLICIT_MEMO_KEYS) throw new Break(`the memo grew past ${MAX_EXPLICIT_MEMO_KEYS} entries`, at);
        this.explicitKeys.add(key);
        this.memoLen++;
      }
    } else if (key === this.memoLen) {
      this.memoLen++;
    } else if (key > this.memoLen) {
      // Keys are no longer 0..n-1: track them exactly so MEMOIZE numbers entries as the loader does.
      if (this.memoLen > MAX_EXPLICIT_MEMO_KEYS) throw new Break(`the memo grew past ${MAX_EXPLICIT_MEMO_KEYS} entries`, at);
      this.explicitKeys = new Set(Array.from({ length: this.memoLen }, (_, i) => i));
      this.explicitKeys.add(key);
      this.memoLen++;
    }
    const kept: Value | undefined = v === OTHER || is(v, 'tuple') || is(v, 'dict') || (is(v, 'bytes') && v.b.length > MAX_MEMO_BYTES) ? undefined
      : is(v, 'call') && v.via !== 'numpy.dtype' ? { k: 'call', via: v.via } : v;
    const old = this.memoRead(key);
    if (kept === undefined) {
      if (old !== undefined) this.memoDrop(key);
      return;
    }
    if (old === undefined && this.memoCount >= MAX_MEMO_VALUES) {
      // Not `bounded`: a STACK_GLOBAL that later reads a dropped entry is reported as unresolved instead.
      this.dropFrom = Math.min(this.dropFrom, key);
      return;
    }
    if (old === undefined) this.memoCount++;
    if (key < this.memoDense.length + 1024 && key < DENSE_MEMO) {
      // Keep the array dense (V8 turns an array with a far write into a slow dictionary).
      while (this.memoDense.length < key) this.memoDense.push(undefined);
      this.memoDense[key] = kept;
      if (this.memo.size) this.memo.delete(key);
    } else {
      this.memo.set(key, kept);
    }
  }

  private memoRead(key: number): Value | undefined {
    const v = key < this.memoDense.length ? this.memoDense[key] : undefined;
    return v !== undefined || this.memo.size === 0 ? v : this.memo.get(key);
  }

  private memoDrop(key: number): void {
    this.memoCount--;
    if (key < this.memoDense.length) this.memoDense[key] = undefined;
    this.memo.delete(key);
  }

  private memoGet(key: number, at: number): Value {
    const v = this.memoRead(key);
    if (v !== undefined) return v;
    const known = this.explicitKeys ? this.explicitKeys.has(key) : key < this.memoLen;
    if (!known) return { k: 'call', via: `missing memo key ${key}` };
    return key >= this.dropFrom ? DROPPED : OTHER;
  }

  private resetMachine(): void {
    this.stack = [];
    this.size = 0;
    this.marks = [];
    this.memo = new Map();
    this.memoDense = [];
    this.memoCount = 0;
    this.memoLen = 0;
    this.explicitKeys = undefined;
    this.dropFrom = Infinity;
  }

  private apply(code: number, buf: Buffer, s: number, e: number, line2At: number, at: number): void {
    switch (code) {
      case 0x80: { // PROTO
        const v = buf[s];
        if (v > 5) throw new Break(`unsupported pickle protocol ${v} at offset ${at}`, at);
        this.res.protocol = Math.max(this.res.protocol, v);
        return;
      }
      case 0x95: return; // FRAME: a prefetch hint for the C loader, which does not enforce frame boundaries
      case 0x2e: // STOP
        this.pop(at);
        if (this.suspended.length) { // the end of a joblib object array: back to the outer pickle
          Object.assign(this, this.suspended.pop());
          return;
        }
        this.res.pickles++;
        this.inPickle = false;
        this.resetMachine();
        return;
      case 0x28: // MARK
        if (this.marks.length >= MAX_MARKS) throw new Break(`more than ${MAX_MARKS} nested MARKs`, at);
        this.marks.push(this.size);
        return;
      case 0x30: // POP: with nothing above the mark it drops the mark (Lib/pickle.py load_pop)
        if (this.marks.length && this.size === this.marks[this.marks.length - 1]) this.marks.pop();
        else this.pop(at);
        return;
      case 0x31: this.popMark(at); return; // POP_MARK
      case 0x32: this.pushV(this.peek(at)); return; // DUP
      // Constants
      case 0x7d: this.pushV({ k: 'dict', e: new Map() }); return; // EMPTY_DICT
      case 0x4e: case 0x88: case 0x89: case 0x46: case 0x47: case 0x4c: case 0x8a: case 0x8b: case 0x5d: case 0x29: case 0x8f:
        this.pushV(code === 0x29 ? EMPTY_TUPLE : code === 0x88 ? 1 : code === 0x89 ? 0 : code === 0x4e ? NONE : OTHER); return;
      case 0x49: { // INT
        const t = buf.toString('latin1', s, e - 1).trim();
        this.pushV(/^[+-]?\d{1,15}$/.test(t) ? Number(t) : OTHER);
        return;
      }
      case 0x4a: this.pushV(buf.readInt32LE(s)); return;
      case 0x4b: this.pushV(buf[s]); return;
      case 0x4d: this.pushV(buf.readUInt16LE(s)); return;
      case 0x58: case 0x8c: case 0x8d: // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
        this.pushV(e - s <= MAX_KEPT_STRING ? decodeUtf8(buf, s, e) : OTHER); return;
      case 0x54: case 0x55: // BINSTRING, SHORT_BINSTRING: Python 2 str, decoded by the loader as ASCII/latin-1
        this.pushV(e - s <= MAX_KEPT_STRING ? buf.toString('latin1', s, e) : OTHER); return;
      case 0x56: // UNICODE: raw-unicode-escape text
        this.pushV(e - s <= MAX_KEPT_STRING ? rawUnicodeEscape(buf.toString('latin1', s, e - 1)) : OTHER); return;
      case 0x53: { // STRING: a quoted Python 2 literal
        const text = buf.toString('latin1', s, e - 1).replace(/\r$/, '');
        if (text.length < 2 || !/^(['"]).*\1$/s.test(text)) throw new Break(`STRING at offset ${at} is not a quoted string`, at);
        this.pushV(text.length <= MAX_KEPT_STRING ? unescapePy(text.slice(1, -1)) : OTHER);
        return;
      }
      case 0x42: case 0x43: case 0x8e: case 0x96: // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8
        this.pushV(e - s <= MAX_KEPT_BYTES ? { k: 'bytes', b: Buffer.from(buf.subarray(s, e)) } : OTHER); return;
      case 0x97: this.pushV(OTHER); return; // NEXT_BUFFER
      case 0x98: this.pop(at); this.pushV(OTHER); return; // READONLY_BUFFER
      case 0x50: this.pushV(OTHER); return; // PERSID
      case 0x51: this.pop(at); this.pushV(OTHER); return; // BINPERSID
      // Containers
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = code - 0x84;
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.unshift(this.pop(at));
        this.pushV({ k: 'tuple', items });
        return;
      }
      case 0x74: { // TUPLE
        const items = this.popMark(at, 32);
        this.pushV(items ? { k: 'tuple', items } : OTHER);
        return;
      }
      case 0x64: { // DICT
        const items = this.popMark(at, 64);
        const d: Dict = { k: 'dict', e: new Map() };
        for (let i = 0; items && i + 1 < items.length; i += 2) setKey(d, items[i], items[i + 1]);
        this.pushV(d);
        return;
      }
      case 0x6c: case 0x91: this.popMark(at); this.pushV(OTHER); return; // LIST, FROZENSET
      case 0x61: this.popN(2, at); this.pushV(OTHER); return; // APPEND
      case 0x65: case 0x75: case 0x90: { // APPENDS, SETITEMS, ADDITEMS
        const items = this.popMark(at, 64);
        const target = this.pop(at);
        if (is(target, 'dict') && code === 0x75) for (let i = 0; items && i + 1 < items.length; i += 2) setKey(target, items[i], items[i + 1]);
        if (is(target, 'global') && code === 0x75) this.mutate(target.q, at);
        this.pushV(target === OTHER ? OTHER : target);
        return;
      }
      case 0x73: { // SETITEM
        const value = this.pop(at);
        const key = this.pop(at);
        const target = this.pop(at);
        if (is(target, 'dict')) setKey(target, key, value);
        if (is(target, 'global')) this.mutate(target.q, at);
        this.pushV(target === OTHER ? OTHER : target);
        return;
      }
      // Memo
      case 0x70: { // PUT
        const key = parseDecimal(buf, s, e - 1, at);
        this.memoPut(key, this.peek(at), at);
        return;
      }
      case 0x71: this.memoPut(buf[s], this.peek(at), at); return;
      case 0x72: this.memoPut(buf.readUInt32LE(s), this.peek(at), at); return;
      case 0x94: this.memoPut(this.memoLen, this.peek(at), at); return; // MEMOIZE
      case 0x67: this.pushV(this.memoGet(parseDecimal(buf, s, e - 1, at), at)); return;
      case 0x68: this.pushV(this.memoGet(buf[s], at)); return;
      case 0x6a: this.pushV(this.memoGet(buf.readUInt32LE(s), at)); return;
      // Imports and calls
      case 0x63: { // GLOBAL module\nname\n
        const module = utf8Line(buf, s, line2At, at);
        const name = utf8Line(buf, line2At + 1, e - 1, at);
        this.pushV(this.addGlobal(module, name, 'GLOBAL', at, true));
        return;
      }
      case 0x69: { // INST module\nname\n: the class is instantiated with the items above the mark
        const module = utf8Line(buf, s, line2At, at);
        const name = utf8Line(buf, line2At + 1, e - 1, at);
        const g = this.addGlobal(module, name, 'INST', at, true);
        const args = this.popMark(at, 4);
        this.pushV({ k: 'call', via: g.q, arg: args ? { k: 'tuple', items: args } : OTHER });
        return;
      }
      case 0x93: { // STACK_GLOBAL
        const nameV = this.pop(at);
        const moduleV = this.pop(at);
        this.pushV(this.stackGlobal(moduleV, nameV, at));
        return;
      }
      case 0x82: case 0x83: case 0x84: { // EXT1/2/4: a global from the copyreg extension registry
        const n = code === 0x82 ? buf[s] : code === 0x83 ? buf.readUInt16LE(s) : buf.readInt32LE(s);
        this.pushV(this.addGlobal('copyreg extension registry', `code ${n}`, 'EXT', at, false, 'the name comes from copyreg\'s extension registry at load time'));
        return;
      }
      case 0x52: { // REDUCE
        const args = this.pop(at);
        const fn = this.pop(at);
        this.pushV(this.call(fn, args, at));
        return;
      }
      case 0x6f: { // OBJ: MARK cls args... OBJ
        const items = this.popMark(at, 8);
        const cls = items?.[0] ?? OTHER;
        this.pushV(this.call(cls, items ? { k: 'tuple', items: items.slice(1) } : OTHER, at));
        return;
      }
      case 0x81: { // NEWOBJ cls args
        const args = this.pop(at);
        const cls = this.pop(at);
        this.pushV(this.call(cls, args, at, true));
        return;
      }
      case 0x92: { // NEWOBJ_EX cls args kwargs
        this.pop(at);
        const args = this.pop(at);
        const cls = this.pop(at);
        this.pushV(this.call(cls, args, at, true));
        return;
      }
      case 0x62: { // BUILD: obj.__setstate__(state) or obj.__dict__.update(state)
        const state = this.pop(at);
        const obj = this.pop(at);
        if (is(obj, 'global')) this.mutate(obj.q, at);
        this.pushV(obj);
        if (is(obj, 'call') && obj.via === 'joblib.numpy_pickle.NumpyArrayWrapper' && is(state, 'dict')) this.joblibArray(state, at);
        return;
      }
      default:
        throw new Break(`opcode ${opName(code)} at offset ${at} is not handled`, at);
    }
  }

  /**
   * joblib writes an array's bytes right after its NumpyArrayWrapper (joblib/numpy_pickle.py write_array):
   * for an object dtype a protocol-2 pickle, else an optional padding-length byte and padding, then
   * prod(shape) x itemsize raw bytes. They are skipped (or the embedded pickle read) as joblib.load does.
   */
  private joblibArray(state: Dict, at: number): void {
    const shape = state.e.get('shape');
    const dtype = state.e.get('dtype');
    const descr = is(dtype, 'call') && dtype.via === 'numpy.dtype' && is(dtype.arg, 'tuple') && typeof dtype.arg.items[0] === 'string' ? dtype.arg.items[0] : undefined;
    if (descr !== undefined && /^[|<>=]?O\d*$/.test(descr)) {
      this.suspended.push({ stack: this.stack, size: this.size, marks: this.marks, memoDense: this.memoDense, memo: this.memo, memoCount: this.memoCount, memoLen: this.memoLen, explicitKeys: this.explicitKeys, dropFrom: this.dropFrom });
      if (this.suspended.length > 64) throw new Break('joblib object arrays nested more than 64 deep', at);
      this.resetMachine();
      return;
    }
    const item = descr === undefined ? undefined : itemSize(descr);
    const dims = shape === EMPTY_TUPLE ? [] : is(shape, 'tuple') ? shape.items : undefined;
    if (item === undefined || !dims || !dims.every((d) => typeof d === 'number' && d >= 0)) {
      throw new Break(`joblib array data after the NumpyArrayWrapper at offset ${at} has a shape or dtype this scan cannot size; the rest of the stream was not read`, at);
    }
    const count = (dims as number[]).reduce((a, b) => a * b, 1);
    const bytes = count * item;
    if (!Number.isSafeInteger(bytes)) throw new Break(`joblib array at offset ${at} declares more bytes than a file can hold`, at);
    const alignment = state.e.get('numpy_array_alignment_bytes');
    if (typeof alignment === 'number') {
      this.padPending = true;
      this.afterPad = bytes;
    } else {
      this.skipLeft = bytes;
      this.skipPush = NOTHING;
    }
  }

  private stackGlobal(moduleV: Value, nameV: Value, at: number): Glob {
    const describe = (v: Value, what: string): string | undefined => {
      if (typeof v === 'string') return undefined;
      if (typeof v === 'number') return `the ${what} operand is the integer ${v}, not a string`;
      if (v === NONE) return `the ${what} operand is None, not a string`;
      if (v === DROPPED) return `the ${what} operand is a memo entry the scan did not keep (more than ${MAX_MEMO_VALUES} memoized values)`;
      if (is(v, 'call') && v.via?.startsWith('missing memo key')) return `the ${what} operand reads ${v.via}`;
      if (is(v, 'call')) return `the ${what} operand is computed at load time${v.via ? ` by ${v.via}` : ''}`;
      if (is(v, 'global')) return `the ${what} operand is the object ${v.q}, not a string`;
      return `the ${what} operand is not a constant string`;
    };
    const whyM = describe(moduleV, 'module');
    const whyN = describe(nameV, 'name');
    const show = (v: Value): string => typeof v === 'string' || typeof v === 'number' ? String(v) : is(v, 'global') ? v.q : '?';
    const why = [whyM, whyN].filter(Boolean).join('; ');
    const g = this.addGlobal(show(moduleV), show(nameV), 'STACK_GLOBAL', at, !why, why || undefined);
    if (moduleV === DROPPED || nameV === DROPPED) {
      const rec = this.res.globals.find((x) => x.offset === this.base + at);
      if (rec) rec.bounded = true;
    }
    return g;
  }

  private addGlobal(module: string, name: string, opcode: GlobalOpcode, at: number, resolved: boolean, why?: string): Glob {
    const q = `${module}.${name}`;
    const key = `${q}\0${opcode}\0${resolved}`;
    if (!this.seen.has(key)) {
      if (this.res.globals.length >= MAX_GLOBALS) this.res.bounded = true;
      else {
        this.seen.add(key);
        this.res.globals.push({ module, name, opcode, offset: this.base + at, resolved, why, pickle: this.res.pickles, depth: this.depth });
      }
    }
    return { k: 'global', q };
  }

  private call(fn: Value, args: Value, at: number, isNew = false): Value {
    if (is(fn, 'call') && !isNew && this.res.calls.length < MAX_CALLS) {
      this.res.calls.push({ offset: this.base + at, via: fn.via, pickle: this.res.pickles, depth: this.depth });
    }
    const via = is(fn, 'global') ? fn.q : is(fn, 'call') ? fn.via : undefined;
    if (is(fn, 'global') && NESTED_LOADERS.has(fn.q) && is(args, 'tuple') && is(args.items[0], 'bytes')) {
      this.scanNested(args.items[0].b, at);
    }
    // `_codecs.encode(str, 'latin1')` is how protocol 0-2 pickles carry bytes; keep them for a nested scan.
    if (is(fn, 'global') && fn.q === '_codecs.encode' && is(args, 'tuple') && typeof args.items[0] === 'string') {
      return { k: 'bytes', b: Buffer.from(args.items[0], 'latin1') };
    }
    return { k: 'call', via, arg: args };
  }

  private mutate(target: string, at: number): void {
    if (this.res.mutations.length < MAX_CALLS) this.res.mutations.push({ offset: this.base + at, target, pickle: this.res.pickles, depth: this.depth });
  }

  private scanNested(bytes: Buffer, at: number): void {
    if (this.depth >= this.maxNested) return;
    const inner = new PickleScanner({ maxNestedDepth: this.maxNested, baseOffset: this.base + at }, this.depth + 1);
    inner.push(bytes);
    const r = inner.end();
    for (const g of r.globals) {
      const key = `${g.module}.${g.name}\0${g.opcode}\0${g.resolved}\0nested`;
      if (!this.seen.has(key) && this.res.globals.length < MAX_GLOBALS) {
        this.seen.add(key);
        this.res.globals.push({ ...g, offset: this.base + at, pickle: this.res.pickles });
      }
    }
    for (const m of r.mutations) if (this.res.mutations.length < MAX_CALLS) this.res.mutations.push({ ...m, offset: this.base + at, pickle: this.res.pickles });
    for (const c of r.calls) if (this.res.calls.length < MAX_CALLS) this.res.calls.push({ ...c, offset: this.base + at, pickle: this.res.pickles });
  }
}

const EMPTY_TUPLE: Tuple = { k: 'tuple', items: [] };
/** None: distinct from OTHER so that joblib's `numpy_array_alignment_bytes=None` is told from a number. */
const NONE = { k: 'none' } as const;
/** Pushes nothing when a skip ends. */
const NOTHING = { k: 'nothing' } as const;

const MAX_DICT_KEYS = 32;
function setKey(d: Dict, key: Value, value: Value): void {
  if (typeof key === 'string' && d.e.size < MAX_DICT_KEYS) d.e.set(key, value);
}

/** Bytes per element of a NumPy dtype string such as `<f8`, `|b1`, `<U10`, `|S5` (numpy dtype.itemsize). */
function itemSize(descr: string): number | undefined {
  const m = /^[|<>=]?([biufcmMSaUV?])(\d*)/.exec(descr);
  if (!m) return undefined;
  const n = m[2] ? Number(m[2]) : m[1] === 'b' || m[1] === '?' ? 1 : NaN;
  if (!Number.isFinite(n)) return undefined;
  return m[1] === 'U' ? n * 4 : n;
}
/** A memo entry that the scan's bound dropped: unknown, and not the file's fault. */
const DROPPED: Call = { k: 'call', via: 'a memo entry beyond the scan\'s bound' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Buffer's own slice decoders skip toString's argument handling, which dominates for millions of short strings.
type SliceFn = (this: Buffer, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as { utf8Slice?: SliceFn; latin1Slice?: SliceFn };
const fastUtf8 = typeof proto.utf8Slice === 'function' ? proto.utf8Slice : undefined;

function decodeUtf8(buf: Buffer, s: number, e: number): string {
  return fastUtf8 ? fastUtf8.call(buf, s, e) : buf.toString('utf8', s, e);
}

/** A GLOBAL/INST line as the loader decodes it (strict UTF-8, trailing \r dropped as `readline` leaves it). */
function utf8Line(buf: Buffer, s: number, e: number, at: number): string {
  try {
    return utf8.decode(buf.subarray(s, e));
  } catch {
    throw new Break(`the module or name of the opcode at offset ${at} is not UTF-8; the loader stops here`, at);
  }
}

function parseDecimal(buf: Buffer, s: number, e: number, at: number): number {
  const t = buf.toString('latin1', s, e).trim();
  if (!/^\d{1,12}$/.test(t)) throw new Break(`memo key ${JSON.stringify(t.slice(0, 40))} at offset ${at} is not a number`, at);
  return Number(t);
}

/** raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes. */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u, U) => String.fromCodePoint(parseInt(u ?? U, 16)));
}

/** The escapes of a Python 2 string literal (repr): \\ \' \" \n \r \t \xHH and octal. */
function unescapePy(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[e] ?? `\\${e}`;
  });
}

/** Scan a whole stream of chunks. Never throws on bad input: breaks are in the result. */
export async function scanPickleStream(chunks: AsyncIterable<Buffer>, opts: PickleScanOptions = {}): Promise<PickleScan> {
  const scanner = new PickleScanner(opts);
  for await (const chunk of chunks) {
    scanner.push(chunk);
    if (scanner.finished) break;
  }
  return scanner.end();
}

export function scanPickleBuffer(buf: Buffer, opts: PickleScanOptions = {}): PickleScan {
  const scanner = new PickleScanner(opts);
  scanner.push(buf);
  return scanner.end();
}

export { FormatError };
