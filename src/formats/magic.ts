/**
 * Magic numbers: the first bytes that decide a file's format whatever its name. Each constant cites the
 * specification it comes from. Predicates here look at a file's head only (a Buffer of its first bytes)
 * and never throw.
 */

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** ZIP local file header signature `PK\3\4` (PKWARE APPNOTE.TXT 6.3.10, section 4.3.7). */
export const ZIP_LOCAL = b('PK\x03\x04');
/** ZIP end of central directory signature `PK\5\6`: all an empty archive holds (APPNOTE section 4.3.16). */
export const ZIP_EOCD = b('PK\x05\x06');
/** ZIP central directory file header signature `PK\1\2` (APPNOTE section 4.3.12). */
export const ZIP_CENTRAL = b('PK\x01\x02');
/** ZIP spanning marker `PK\7\8`, which may precede the first local header (APPNOTE section 8.5.4). */
export const ZIP_SPANNED = b('PK\x07\x08');
/** NumPy `.npy`: `\x93NUMPY` then major and minor version bytes (numpy/lib/format.py, NEP 1). */
export const NPY = b('\x93NUMPY');
/** GGUF: ASCII `GGUF` (ggml docs/gguf.md, "File Structure"). */
export const GGUF = b('GGUF');
/** HDF5 superblock signature, at offset 0, 512, 1024, ... (HDF5 File Format Specification, section II.A). */
export const HDF5 = b('\x89HDF\r\n\x1a\n');
/** TensorFlow Lite FlatBuffer file identifier `TFL3` at offset 4 (tensorflow/lite/schema/schema.fbs). */
export const TFLITE = b('TFL3');
export const TFLITE_OFFSET = 4;
/** 7-Zip signature header (7-Zip DOC/7zFormat.txt, "SignatureHeader"). */
export const SEVEN_ZIP = b('7z\xbc\xaf\x27\x1c');
/** gzip member header ID1 ID2 (RFC 1952, section 2.3.1). */
export const GZIP = b('\x1f\x8b');
/** bzip2 stream header `BZh` then block size `1`..`9` (bzip2 format, Seward; libbzip2 manual). */
export const BZIP2 = b('BZh');
/** xz stream header magic (The .xz File Format 1.1.0, section 2.1.1.1). */
export const XZ = b('\xfd7zXZ\x00');
/** Zstandard frame magic 0xFD2FB528 little-endian (RFC 8878, section 3.1.1). */
export const ZSTD = b('\x28\xb5\x2f\xfd');
/** LZ4 frame magic 0x184D2204 little-endian (lz4 Frame Format Description, "General Structure"). */
export const LZ4 = b('\x04\x22\x4d\x18');
/** POSIX ustar magic `ustar` at offset 257 (POSIX.1-2017 pax, "ustar Interchange Format"). */
export const TAR_USTAR = b('ustar');
export const TAR_OFFSET = 257;
/** Apache Parquet: `PAR1` at the start and the end of the file (parquet-format README, "File format"). */
export const PARQUET = b('PAR1');
/** Apache Arrow IPC file format: `ARROW1` then two padding bytes (Arrow Columnar Format, "IPC File Format"). */
export const ARROW = b('ARROW1');
/**
 * Legacy (pre-1.6) `torch.save`: the file opens with a protocol-2 pickle of the magic number
 * 0x1950a86a20f9469cfc6c as a LONG1 (torch/serialization.py `MAGIC_NUMBER`, `_legacy_save`):
 * PROTO 2, LONG1 with 10 bytes, the number little-endian.
 */
export const TORCH_LEGACY = b('\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19');
/** joblib's pre-0.10 compressed-pickle prefix `ZF` (joblib/numpy_pickle_compat.py `_ZFILE_PREFIX`). */
export const JOBLIB_ZF = b('ZF');
/** LZMA "alone" header: properties byte 0x5d, then dictionary size (xz-utils, lzma_alone; joblib `_LZMA_PREFIX`). */
export const LZMA_ALONE = b('\x5d\x00\x00');

// Formats that are surely not models, so that a model-like name does not make them one.
/** PNG signature (PNG specification, section 5.2). */
export const PNG = b('\x89PNG\r\n\x1a\n');
/** JPEG SOI marker then a marker byte (ITU T.81, Annex B). */
export const JPEG = b('\xff\xd8\xff');
/** GIF header (GIF89a specification, section 17). */
export const GIF = b('GIF8');
/** PDF header (ISO 32000-1, section 7.5.2). */
export const PDF = b('%PDF-');
/** ELF identification (System V ABI, e_ident). */
export const ELF = b('\x7fELF');

export function startsWith(head: Buffer, magic: Buffer, offset = 0): boolean {
  return head.length >= offset + magic.length && head.subarray(offset, offset + magic.length).equals(magic);
}

export function isZip(head: Buffer): boolean {
  return startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EOCD) ||
    (startsWith(head, ZIP_SPANNED) && startsWith(head, ZIP_LOCAL, 4));
}

export function isBzip2(head: Buffer): boolean {
  return startsWith(head, BZIP2) && head.length > 3 && head[3] >= 0x31 && head[3] <= 0x39;
}

/** zlib stream header: CM = 8 (deflate), CINFO ≤ 7, and (CMF*256 + FLG) divisible by 31 (RFC 1950, section 2.2). */
export function isZlib(head: Buffer): boolean {
  if (head.length < 2) return false;
  const cmf = head[0];
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | head[1]) % 31 === 0;
}

/**
 * safetensors: an unsigned 64-bit little-endian header length N, then N bytes of JSON starting with `{`
 * (huggingface/safetensors README, "Format"; the header is capped at 100 MB).
 */
export function isSafetensors(head: Buffer, size: number): boolean {
  if (head.length < 10) return false;
  const n = head.readBigUInt64LE(0);
  if (n < 2n || n > 100_000_000n || n > BigInt(Math.max(0, size - 8))) return false;
  return head[8] === 0x7b && (head[9] === 0x22 || head[9] === 0x7d || head[9] === 0x20 || head[9] === 0x0a);
}

export function isHdf5(head: Buffer): boolean {
  // The superblock may follow a user block of 512, 1024, 2048, ... bytes.
  for (let off = 0; off + HDF5.length <= head.length; off = off === 0 ? 512 : off * 2) {
    if (startsWith(head, HDF5, off)) return true;
  }
  return false;
}

export function isTar(head: Buffer): boolean {
  return startsWith(head, TAR_USTAR, TAR_OFFSET);
}

/** Bytes that are surely some non-model format (an image, a PDF, an executable). */
export function isForeignBinary(head: Buffer): boolean {
  return [PNG, JPEG, GIF, PDF, ELF].some((m) => startsWith(head, m));
}

export type CompressionFormat = 'gzip' | 'bzip2' | 'xz' | 'zstd' | '7z';

export function compressionOf(head: Buffer): CompressionFormat | undefined {
  if (startsWith(head, GZIP)) return 'gzip';
  if (isBzip2(head)) return 'bzip2';
  if (startsWith(head, XZ)) return 'xz';
  if (startsWith(head, ZSTD)) return 'zstd';
  if (startsWith(head, SEVEN_ZIP)) return '7z';
  return undefined;
}

/*
 * Pickle sniffing. Protocols 2-5 open with PROTO (0x80) and the protocol number (PEP 307, PEP 3154,
 * PEP 574; Lib/pickletools.py); protocols 0 and 1 have no header, so their first opcodes are checked by a
 * small bounded simulation of the pickle machine's stack depth: ordinary text fails it within a few bytes
 * (an opcode that pops an empty stack, an argument of the wrong shape, a byte that is no opcode).
 */

type PickleArg = 'none' | 'u1' | 'u2' | 'u4' | 'u8' | 'line' | 'line2' | 'len1' | 'len4' | 'len8';
interface PickleOp {
  arg: PickleArg;
  /** Items popped (after a popped mark, if `mark` is 'pop'). */
  pop: number;
  push: number;
  mark?: 'push' | 'pop';
  /** For a text argument: the shape it must have. */
  re?: RegExp;
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_.]*$/u;
const op = (arg: PickleArg, pop: number, push: number, extra: Partial<PickleOp> = {}): PickleOp =>
  ({ arg, pop, push, ...extra });

/** Lib/pickletools.py opcode table: argument and stack effect for every opcode of protocols 0-5. */
const PICKLE_OPS: ReadonlyMap<number, PickleOp> = new Map<number, PickleOp>([
  [0x28 /* ( MARK */, op('none', 0, 0, { mark: 'push' })],
  [0x2e /* . STOP */, op('none', 1, 0)],
  [0x30 /* 0 POP */, op('none', 1, 0)],
  [0x31 /* 1 POP_MARK */, op('none', 0, 0, { mark: 'pop' })],
  [0x32 /* 2 DUP */, op('none', 1, 2)],
  [0x46 /* F FLOAT */, op('line', 0, 1, { re: /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^[+-]?(nan|inf|infinity)$/i })],
  [0x49 /* I INT */, op('line', 0, 1, { re: /^\s*[+-]?\d+\s*$/ })],
  [0x4a /* J BININT */, op('u4', 0, 1)],
  [0x4b /* K BININT1 */, op('u1', 0, 1)],
  [0x4c /* L LONG */, op('line', 0, 1, { re: /^\s*[+-]?\d+L?\s*$/ })],
  [0x4d /* M BININT2 */, op('u2', 0, 1)],
  [0x4e /* N NONE */, op('none', 0, 1)],
  [0x50 /* P PERSID */, op('line', 0, 1)],
  [0x51 /* Q BINPERSID */, op('none', 1, 1)],
  [0x52 /* R REDUCE */, op('none', 2, 1)],
  [0x53 /* S STRING */, op('line', 0, 1, { re: /^(['"]).*\1$/s })],
  [0x54 /* T BINSTRING */, op('len4', 0, 1)],
  [0x55 /* U SHORT_BINSTRING */, op('len1', 0, 1)],
  [0x56 /* V UNICODE */, op('line', 0, 1)],
  [0x58 /* X BINUNICODE */, op('len4', 0, 1)],
  [0x61 /* a APPEND */, op('none', 2, 1)],
  [0x62 /* b BUILD */, op('none', 2, 1)],
  [0x63 /* c GLOBAL */, op('line2', 0, 1)],
  [0x64 /* d DICT */, op('none', 0, 1, { mark: 'pop' })],
  [0x7d /* } EMPTY_DICT */, op('none', 0, 1)],
  [0x65 /* e APPENDS */, op('none', 1, 1, { mark: 'pop' })],
  [0x67 /* g GET */, op('line', 0, 1, { re: /^\d+$/ })],
  [0x68 /* h BINGET */, op('u1', 0, 1)],
  [0x69 /* i INST */, op('line2', 0, 1, { mark: 'pop' })],
  [0x6a /* j LONG_BINGET */, op('u4', 0, 1)],
  [0x6c /* l LIST */, op('none', 0, 1, { mark: 'pop' })],
  [0x5d /* ] EMPTY_LIST */, op('none', 0, 1)],
  [0x6f /* o OBJ */, op('none', 0, 1, { mark: 'pop' })],
  [0x70 /* p PUT */, op('line', 1, 1, { re: /^\d+$/ })],
  [0x71 /* q BINPUT */, op('u1', 1, 1)],
  [0x72 /* r LONG_BINPUT */, op('u4', 1, 1)],
  [0x73 /* s SETITEM */, op('none', 3, 1)],
  [0x74 /* t TUPLE */, op('none', 0, 1, { mark: 'pop' })],
  [0x29 /* ) EMPTY_TUPLE */, op('none', 0, 1)],
  [0x75 /* u SETITEMS */, op('none', 1, 1, { mark: 'pop' })],
  [0x47 /* G BINFLOAT */, op('u8', 0, 1)],
  [0x80 /* PROTO */, op('u1', 0, 0)],
  [0x81 /* NEWOBJ */, op('none', 2, 1)],
  [0x82 /* EXT1 */, op('u1', 0, 1)],
  [0x83 /* EXT2 */, op('u2', 0, 1)],
  [0x84 /* EXT4 */, op('u4', 0, 1)],
  [0x85 /* TUPLE1 */, op('none', 1, 1)],
  [0x86 /* TUPLE2 */, op('none', 2, 1)],
  [0x87 /* TUPLE3 */, op('none', 3, 1)],
  [0x88 /* NEWTRUE */, op('none', 0, 1)],
  [0x89 /* NEWFALSE */, op('none', 0, 1)],
  [0x8a /* LONG1 */, op('len1', 0, 1)],
  [0x8b /* LONG4 */, op('len4', 0, 1)],
  [0x42 /* B BINBYTES */, op('len4', 0, 1)],
  [0x43 /* C SHORT_BINBYTES */, op('len1', 0, 1)],
  [0x8c /* SHORT_BINUNICODE */, op('len1', 0, 1)],
  [0x8d /* BINUNICODE8 */, op('len8', 0, 1)],
  [0x8e /* BINBYTES8 */, op('len8', 0, 1)],
  [0x8f /* EMPTY_SET */, op('none', 0, 1)],
  [0x90 /* ADDITEMS */, op('none', 1, 1, { mark: 'pop' })],
  [0x91 /* FROZENSET */, op('none', 0, 1, { mark: 'pop' })],
  [0x92 /* NEWOBJ_EX */, op('none', 3, 1)],
  [0x93 /* STACK_GLOBAL */, op('none', 2, 1)],
  [0x94 /* MEMOIZE */, op('none', 1, 1)],
  [0x95 /* FRAME */, op('u8', 0, 0)],
  [0x96 /* BYTEARRAY8 */, op('len8', 0, 1)],
  [0x97 /* NEXT_BUFFER */, op('none', 0, 1)],
  [0x98 /* READONLY_BUFFER */, op('none', 1, 1)],
]);

/** Opcodes that can open a pickle's body: those that need nothing on the stack. */
const FIRST_OPS = new Set([...PICKLE_OPS].filter(([, o]) => o.pop === 0 && o.mark !== 'pop').map(([c]) => c));

export interface PickleProbe {
  /** False when an opcode was impossible at its position (unknown byte, stack underflow, bad argument). */
  ok: boolean;
  /** True when a STOP was reached with a value on the stack. */
  stopped: boolean;
  /** Opcodes accepted before stopping, failing or running out of bytes. */
  ops: number;
  /** The first accepted opcodes (up to four). */
  first: number[];
  /** How many different opcodes were accepted. */
  distinct: number;
}

const ARG_FIXED: Partial<Record<PickleArg, number>> = { none: 0, u1: 1, u2: 2, u4: 4, u8: 8 };
const ARG_LEN: Partial<Record<PickleArg, number>> = { len1: 1, len4: 4, len8: 8 };

/** Where the argument of an opcode at `pos` ends, `-1` when it runs past the head, `-2` when it is malformed. */
function argEnd(head: Buffer, pos: number, o: PickleOp): number {
  const fixed = ARG_FIXED[o.arg];
  if (fixed !== undefined) return pos + fixed <= head.length ? pos + fixed : -1;
  const lenBytes = ARG_LEN[o.arg];
  if (lenBytes !== undefined) {
    if (pos + lenBytes > head.length) return -1;
    const n = lenBytes === 1 ? head[pos] : lenBytes === 4 ? head.readUInt32LE(pos) : Number(head.readBigUInt64LE(pos));
    const end = pos + lenBytes + n;
    return end <= head.length ? end : -1;
  }
  const lines = o.arg === 'line2' ? 2 : 1;
  let p = pos;
  for (let i = 0; i < lines; i++) {
    const nl = head.indexOf(0x0a, p);
    if (nl < 0) return -1;
    const text = head.toString('latin1', p, nl);
    if (o.arg === 'line2' ? !IDENT.test(Buffer.from(text, 'latin1').toString('utf8')) : o.re && !o.re.test(text)) return -2;
    p = nl + 1;
  }
  return p;
}

/**
 * Run the first opcodes of `head` (at most `maxOps`) through a model of the pickle machine's stack that
 * tracks only depths and marks. Never reads past `head`.
 */
export function probePickle(head: Buffer, maxOps = 4096): PickleProbe {
  let depth = 0;
  const marks: number[] = [];
  const first: number[] = [];
  const seen = new Set<number>();
  let pos = 0;
  let opsCount = 0;
  const result = (ok: boolean, stopped: boolean): PickleProbe => ({ ok, stopped, ops: opsCount, first, distinct: seen.size });
  const accept = (code: number): void => { opsCount++; seen.add(code); if (first.length < 4) first.push(code); };
  while (pos < head.length && opsCount < maxOps) {
    const code = head[pos];
    const o = PICKLE_OPS.get(code);
    if (!o) return result(false, false);
    const end = argEnd(head, pos + 1, o);
    if (end === -2) return result(false, false);
    if (end === -1) return result(true, false);
    if (code === 0x80 && head[pos + 1] > 5) return result(false, false);
    if (o.mark === 'push') { marks.push(depth); depth = 0; }
    if (o.mark === 'pop') {
      if (marks.length === 0) return result(false, false);
      if (code === 0x6f /* OBJ needs the class after the mark */ && depth < 1) return result(false, false);
      depth = marks.pop() as number;
    }
    if (depth < o.pop) {
      // POP with nothing above the mark discards the mark itself (Lib/pickle.py load_pop).
      if (code !== 0x30 || depth !== 0 || marks.length === 0) return result(false, false);
      depth = marks.pop() as number;
    } else {
      depth += o.push - o.pop;
    }
    accept(code);
    if (code === 0x2e) return result(true, true);
    pos = end;
  }
  return result(true, false);
}

/** What picklers write right after a GLOBAL: a memo PUT, or a MARK / tuple for the call's arguments. */
const GLOBAL_FOLLOWERS = new Set([0x28, 0x29, 0x70, 0x71, 0x72, 0x94, 0x85, 0x5d, 0x7d]);

/**
 * True when the head is (very probably) a pickle: PROTO 2..5 followed by an opcode that can start a body,
 * or a protocol 0/1 stream whose opcodes check out up to STOP (or, for a head cut short, for at least
 * eight opcodes of three kinds), or that opens with a GLOBAL and a memo PUT or MARK. README files, CSV,
 * JSON and Python source fail within their first bytes.
 */
export function looksLikePickle(head: Buffer): boolean {
  if (head.length >= 3 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return FIRST_OPS.has(head[2]);
  const start = head.length >= 2 && head[0] === 0x80 && head[1] <= 1 ? 2 : 0;
  if (start >= head.length || !FIRST_OPS.has(head[start])) return false;
  const p = probePickle(start ? head.subarray(start) : head);
  if (p.ok && p.stopped && p.ops >= 2) return true;
  // Cut off by the end of the head: enough varied opcodes (a word list of `c...` lines is only GLOBALs).
  if (p.ok && !p.stopped && p.ops >= 8 && p.distinct >= 3) return true;
  // A GLOBAL then what picklers write after one: a pickle even if damage follows (the payload still runs).
  return p.first[0] === 0x63 && p.first.length >= 2 && GLOBAL_FOLLOWERS.has(p.first[1]);
}
