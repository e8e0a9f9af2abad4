/**
 * A tiny pickle assembler for tests that need opcode sequences no pickler writes (scanner-evasion tricks).
 * Opcodes follow Lib/pickletools.py. Nothing here unpickles anything.
 */
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: number | bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const op = (code: number, ...rest: Buffer[]): Buffer => Buffer.concat([Buffer.from([code]), ...rest]);

export const P = {
  proto: (v: number) => op(0x80, Buffer.from([v])),
  frame: (len: number) => op(0x95, u64(len)),
  stop: Buffer.from('.'),
  mark: Buffer.from('('),
  pop: Buffer.from('0'),
  none: Buffer.from('N'),
  emptyTuple: Buffer.from(')'),
  emptyDict: Buffer.from('}'),
  emptyList: Buffer.from(']'),
  tuple: Buffer.from('t'),
  tuple1: Buffer.from([0x85]),
  tuple2: Buffer.from([0x86]),
  reduce: Buffer.from('R'),
  build: Buffer.from('b'),
  setitem: Buffer.from('s'),
  appends: Buffer.from('e'),
  newobj: Buffer.from([0x81]),
  memoize: Buffer.from([0x94]),
  stackGlobal: Buffer.from([0x93]),
  nextBuffer: Buffer.from([0x97]),
  readonlyBuffer: Buffer.from([0x98]),
  global: (module: string, name: string) => Buffer.concat([Buffer.from('c'), Buffer.from(`${module}\n${name}\n`, 'utf8')]),
  inst: (module: string, name: string) => Buffer.concat([Buffer.from('i'), Buffer.from(`${module}\n${name}\n`, 'utf8')]),
  str: (s: string) => { const b = Buffer.from(s, 'utf8'); return b.length < 256 ? op(0x8c, Buffer.from([b.length]), b) : op(0x58, u32(b.length), b); },
  unicode0: (s: string) => Buffer.from(`V${s}\n`, 'latin1'),
  string0: (s: string) => Buffer.from(`S'${s}'\n`, 'latin1'),
  binstring: (s: string) => op(0x55, Buffer.from([s.length]), Buffer.from(s, 'latin1')),
  bytes: (b: Buffer) => (b.length < 256 ? op(0x43, Buffer.from([b.length]), b) : op(0x42, u32(b.length), b)),
  bytes8: (b: Buffer) => op(0x8e, u64(b.length), b),
  bytearray8: (b: Buffer) => op(0x96, u64(b.length), b),
  int1: (n: number) => op(0x4b, Buffer.from([n])),
  int4: (n: number) => { const b = Buffer.alloc(4); b.writeInt32LE(n); return op(0x4a, b); },
  binput: (k: number) => op(0x71, Buffer.from([k])),
  binget: (k: number) => op(0x68, Buffer.from([k])),
  longBinget: (k: number) => op(0x6a, u32(k)),
  put0: (k: number) => Buffer.from(`p${k}\n`),
  get0: (k: number) => Buffer.from(`g${k}\n`),
  ext1: (n: number) => op(0x82, Buffer.from([n])),
};

/** Concatenates opcodes. */
export const asm = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

/** A protocol 4 pickle: PROTO 4, FRAME around the body, STOP, as CPython writes it. */
export const p4 = (...body: Buffer[]): Buffer => {
  const inner = Buffer.concat([...body, P.stop]);
  return Buffer.concat([P.proto(4), P.frame(inner.length), inner]);
};

/** `module.name(*args)` with STACK_GLOBAL, in protocol 4. */
export const callP4 = (module: string, name: string, ...args: Buffer[]): Buffer =>
  p4(P.str(module), P.memoize, P.str(name), P.memoize, P.stackGlobal, P.memoize, ...args, args.length === 1 ? P.tuple1 : P.tuple2, P.reduce);
