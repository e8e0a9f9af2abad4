/**
 * Builders for binary test inputs: pickles, zips, PyTorch checkpoints, .npy and .npz. Tests build their
 * inputs in code, so no opaque blob is ever committed; every builder is deterministic (fixed timestamps).
 *
 * The pickles follow Lib/pickletools.py; zips follow PKWARE APPNOTE.TXT; .npy follows numpy/lib/format.py.
 * Nothing here unpickles or runs anything: the "malicious" pickles only *name* a callable.
 */
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/formats/zip.js';

export { bufferReadAt } from '../../src/formats/zip.js';

// ---------------------------------------------------------------------------------------------------------
// Pickles

export type PickleProtocol = 0 | 1 | 2 | 3 | 4 | 5;
/** A value that `buildPickleValue` can write: Python None, bool, int, str, list, dict with str keys. */
export type PickleValue = null | boolean | number | string | PickleValue[] | { [key: string]: PickleValue };

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** A pickle string opcode as the given protocol's pickler writes it (UNICODE, BINUNICODE, SHORT_BINUNICODE). */
export function pickleString(s: string, protocol: PickleProtocol): Buffer {
  if (protocol === 0) {
    const escaped = s.replace(/[\\\n\r\u0000\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return Buffer.concat([ascii('V'), Buffer.from(escaped, 'latin1'), ascii('\n')]);
  }
  const bytes = Buffer.from(s, 'utf8');
  if (protocol >= 4 && bytes.length < 256) return Buffer.concat([Buffer.from([0x8c, bytes.length]), bytes]);
  return Buffer.concat([ascii('X'), u32(bytes.length), bytes]);
}

/** A pickle integer opcode: INT for protocol 0, else BININT1 / BININT2 / BININT. */
export function pickleInt(n: number, protocol: PickleProtocol): Buffer {
  if (protocol === 0) return ascii(`I${n}\n`);
  if (n >= 0 && n < 256) return Buffer.from([0x4b, n]);
  if (n >= 0 && n < 65536) return Buffer.from([0x4d, n & 0xff, n >> 8]);
  const b = Buffer.alloc(5);
  b[0] = 0x4a;
  b.writeInt32LE(n, 1);
  return b;
}

/** A tuple of already-encoded items: MARK ... TUPLE, or for protocol ≥ 2 EMPTY_TUPLE / TUPLE1..3. */
export function pickleTuple(items: Buffer[], protocol: PickleProtocol): Buffer {
  if (protocol >= 2 && items.length <= 3) {
    const op = [0x29, 0x85, 0x86, 0x87][items.length];
    return Buffer.concat([...items, Buffer.from([op])]);
  }
  if (protocol >= 1 && items.length === 0) return ascii(')');
  return Buffer.concat([ascii('('), ...items, ascii('t')]);
}

/** The callable reference: GLOBAL (`c` module\nname\n) or STACK_GLOBAL (two strings then 0x93). */
export function pickleGlobal(module: string, name: string, protocol: PickleProtocol, opcode: 'GLOBAL' | 'STACK_GLOBAL' = protocol >= 4 ? 'STACK_GLOBAL' : 'GLOBAL'): Buffer {
  if (opcode === 'GLOBAL') return Buffer.concat([ascii('c'), Buffer.from(`${module}\n${name}\n`, 'utf8')]);
  const p = protocol === 0 ? 0 : protocol;
  return Buffer.concat([pickleString(module, p), pickleString(name, p), Buffer.from([0x93])]);
}

/** PROTO header (protocol ≥ 2) and, for protocol ≥ 4, a FRAME around the body, as CPython writes them. */
export function pickleEnvelope(body: Buffer, protocol: PickleProtocol, frame = protocol >= 4): Buffer {
  const parts: Buffer[] = [];
  if (protocol >= 2) parts.push(Buffer.from([0x80, protocol]));
  if (frame && protocol >= 4) parts.push(Buffer.from([0x95]), u64(body.length + 1));
  parts.push(body, ascii('.'));
  return Buffer.concat(parts);
}

export interface PickleCallOptions {
  protocol: PickleProtocol;
  /** The callable's module and name, e.g. `os` and `system`. */
  module: string;
  name: string;
  args?: Array<string | number>;
  /** How the callable is named: GLOBAL (default below protocol 4), STACK_GLOBAL (default from 4), or INST. */
  opcode?: 'GLOBAL' | 'STACK_GLOBAL' | 'INST';
  /** Wrap the body in a FRAME (protocol ≥ 4 only). Default true from protocol 4. */
  frame?: boolean;
  /** Bytes appended after STOP (junk after the payload is a known scanner bypass). */
  trailing?: Buffer;
}

/**
 * A pickle that calls `module.name(*args)` when loaded: GLOBAL/STACK_GLOBAL + args tuple + REDUCE, or
 * MARK + args + INST. E.g. `buildPickleCall({ protocol: 4, module: 'os', name: 'system', args: ['id'] })`.
 */
export function buildPickleCall(o: PickleCallOptions): Buffer {
  const enc = (a: string | number): Buffer => (typeof a === 'number' ? pickleInt(a, o.protocol) : pickleString(a, o.protocol));
  const args = (o.args ?? []).map(enc);
  let body: Buffer;
  if (o.opcode === 'INST') {
    body = Buffer.concat([ascii('('), ...args, ascii('i'), Buffer.from(`${o.module}\n${o.name}\n`, 'utf8')]);
  } else {
    body = Buffer.concat([pickleGlobal(o.module, o.name, o.protocol, o.opcode), pickleTuple(args, o.protocol), ascii('R')]);
  }
  const out = pickleEnvelope(body, o.protocol, o.frame ?? o.protocol >= 4);
  return o.trailing ? Buffer.concat([out, o.trailing]) : out;
}

/** A benign pickle of plain data (no GLOBAL at all), as `pickle.dumps(value, protocol)` would shape it. */
export function buildPickleValue(value: PickleValue, protocol: PickleProtocol): Buffer {
  return pickleEnvelope(pickleValueBody(value, protocol), protocol);
}

function pickleValueBody(v: PickleValue, p: PickleProtocol): Buffer {
  if (v === null) return ascii('N');
  if (typeof v === 'boolean') return p >= 2 ? Buffer.from([v ? 0x88 : 0x89]) : ascii(v ? 'I01\n' : 'I00\n');
  if (typeof v === 'number') return pickleInt(v, p);
  if (typeof v === 'string') return pickleString(v, p);
  if (Array.isArray(v)) {
    const items = v.map((x) => pickleValueBody(x, p));
    if (p === 0) return Buffer.concat([ascii('(l'), ...items.map((i) => Buffer.concat([i, ascii('a')]))]);
    return Buffer.concat([ascii(']'), ...(items.length ? [ascii('('), ...items, ascii('e')] : [])]);
  }
  const pairs = Object.entries(v).map(([k, x]) => Buffer.concat([pickleString(k, p), pickleValueBody(x, p)]));
  if (p === 0) return Buffer.concat([ascii('(d'), ...pairs.map((i) => Buffer.concat([i, ascii('s')]))]);
  return Buffer.concat([ascii('}'), ...(pairs.length ? [ascii('('), ...pairs, ascii('u')] : [])]);
}

export interface TorchTensorSpec {
  /** State-dict key, e.g. `layer.weight`. */
  name: string;
  shape: number[];
  /** Storage key: the member `archive/data/<key>`. Default: the tensor's index. */
  storageKey?: string;
  /** Storage class in `torch`, default `FloatStorage`. */
  storageType?: string;
}

/**
 * A `data.pkl` as `torch.save(state_dict)` writes it (protocol 2): an OrderedDict whose values are
 * `torch._utils._rebuild_tensor_v2(persistent_load(('storage', torch.FloatStorage, key, 'cpu', numel)), ...)`.
 */
export function buildTorchStateDictPickle(tensors: TorchTensorSpec[]): Buffer {
  const p: PickleProtocol = 2;
  const orderedDict = Buffer.concat([pickleGlobal('collections', 'OrderedDict', p), ascii(')R')]);
  const items = tensors.map((t, i) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const strides = t.shape.map((_, k) => t.shape.slice(k + 1).reduce((a, b) => a * b, 1));
    const pid = Buffer.concat([
      ascii('('), pickleString('storage', p), pickleGlobal('torch', t.storageType ?? 'FloatStorage', p),
      pickleString(t.storageKey ?? String(i), p), pickleString('cpu', p), pickleInt(numel, p), ascii('t'),
    ]);
    const args = Buffer.concat([
      ascii('('), pid, ascii('Q'), pickleInt(0, p),
      Buffer.concat([ascii('('), ...t.shape.map((d) => pickleInt(d, p)), ascii('t')]),
      Buffer.concat([ascii('('), ...strides.map((d) => pickleInt(d, p)), ascii('t')]),
      Buffer.from([0x89]), orderedDict, ascii('t'),
    ]);
    return Buffer.concat([pickleString(t.name, p), pickleGlobal('torch._utils', '_rebuild_tensor_v2', p), args, ascii('R')]);
  });
  const body = Buffer.concat([orderedDict, ...(items.length ? [ascii('('), ...items, ascii('u')] : [])]);
  return pickleEnvelope(body, p);
}

/**
 * A legacy (pre-1.6) `torch.save` file: the pickled magic number, protocol version 1001, sys_info, then
 * `payload` (default: a small dict), the storage keys list, and raw storage bytes.
 */
export function buildTorchLegacy(payload: Buffer = buildPickleValue({ weight: 1 }, 2)): Buffer {
  const magic = Buffer.concat([Buffer.from([0x80, 0x02, 0x8a, 0x0a]), Buffer.from('6cfc9c46f9206aa85019', 'hex'), ascii('.')]);
  const sysInfo = buildPickleValue({ protocol_version: 1001, little_endian: true, type_sizes: { short: 2, int: 4, long: 4 } }, 2);
  return Buffer.concat([magic, buildPickleValue(1001, 2), sysInfo, payload, buildPickleValue(['0'], 2), u64(1), Buffer.alloc(4)]);
}

// ---------------------------------------------------------------------------------------------------------
// Zips

export interface ZipMemberSpec {
  name: string;
  data: Buffer | string;
  /** 0 stored (default), 8 deflate. */
  method?: 0 | 8;
  /** Extra general-purpose flag bits, e.g. 0x1 (encrypted), 0x20 (patched), 0x40 (strong encryption). */
  flags?: number;
  /** Flag bit 0x8: the local header records zero CRC and sizes, and a data descriptor follows the data. */
  dataDescriptor?: boolean;
  /** Record this CRC-32 instead of the real one (in both headers and any descriptor). */
  crc32?: number;
  /** Record this uncompressed size instead of the real one. */
  uncompressedSize?: number;
  /** The name written in the local header, when it should differ from the central directory's. */
  localName?: string;
  /** Local-header flags, when they should differ from the central directory's. */
  localFlags?: number;
  localExtra?: Buffer;
  centralExtra?: Buffer;
  /** Pad the local extra field so the data starts at a multiple of this (torch.save aligns to 64). */
  align?: number;
}

export interface ZipBuildOptions {
  /** Write zip64 structures: zip64 extra fields, the zip64 end record and locator, all-ones 32-bit fields. */
  zip64?: boolean;
  comment?: string | Buffer;
  /** Bytes placed before the archive without adjusting any offset, as `cat stub archive.zip` does. */
  prepend?: Buffer;
  /** Record this entry count in the end record instead of the real one. */
  entryCount?: number;
}

/** One field of an extra block: id, 2-byte length, body. */
export function zipExtraField(id: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(id, 0);
  h.writeUInt16LE(body.length, 2);
  return Buffer.concat([h, body]);
}

const DOS_TIME = 0x6000; // 12:00:00
const DOS_DATE = 0x5a21; // 2025-01-01

/** Build a zip archive in memory from member specs; see ZipMemberSpec for the tricks it can play. */
export function buildZip(members: ZipMemberSpec[], opts: ZipBuildOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer): void => { parts.push(b); offset += b.length; };
  for (const m of members) {
    const raw = typeof m.data === 'string' ? Buffer.from(m.data, 'utf8') : m.data;
    const method = m.method ?? 0;
    const body = method === 8 ? deflateRawSync(raw) : raw;
    const crc = m.crc32 ?? crc32(raw);
    const usize = m.uncompressedSize ?? raw.length;
    const nameBuf = Buffer.from(m.name, 'utf8');
    const localNameBuf = Buffer.from(m.localName ?? m.name, 'utf8');
    const utf8 = /[^\x00-\x7f]/.test(m.name) ? 0x800 : 0;
    const flags = (m.flags ?? 0) | utf8 | (m.dataDescriptor ? 0x8 : 0);
    const localFlags = m.localFlags !== undefined ? m.localFlags | utf8 | (m.dataDescriptor ? 0x8 : 0) : flags;
    const headerOffset = offset;
    const version = opts.zip64 ? 45 : 20;

    let localExtra = m.localExtra ?? Buffer.alloc(0);
    if (opts.zip64) localExtra = Buffer.concat([zipExtraField(0x0001, Buffer.concat([u64(m.dataDescriptor ? 0 : usize), u64(m.dataDescriptor ? 0 : body.length)])), localExtra]);
    if (m.align) {
      const start = offset + 30 + localNameBuf.length + localExtra.length + 4;
      const pad = (m.align - (start % m.align)) % m.align;
      localExtra = Buffer.concat([localExtra, zipExtraField(0x4246 /* 'FB', as torch writes */, Buffer.alloc(pad))]);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(version, 4);
    local.writeUInt16LE(localFlags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(m.dataDescriptor ? 0 : crc, 14);
    local.writeUInt32LE(opts.zip64 ? 0xffffffff : m.dataDescriptor ? 0 : body.length, 18);
    local.writeUInt32LE(opts.zip64 ? 0xffffffff : m.dataDescriptor ? 0 : usize, 22);
    local.writeUInt16LE(localNameBuf.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    push(Buffer.concat([local, localNameBuf, localExtra]));
    push(body);
    if (m.dataDescriptor) {
      push(opts.zip64
        ? Buffer.concat([u32(0x08074b50), u32(crc), u64(body.length), u64(usize)])
        : Buffer.concat([u32(0x08074b50), u32(crc), u32(body.length), u32(usize)]));
    }

    let centralExtra = m.centralExtra ?? Buffer.alloc(0);
    if (opts.zip64) centralExtra = Buffer.concat([zipExtraField(0x0001, Buffer.concat([u64(usize), u64(body.length), u64(headerOffset)])), centralExtra]);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x0300 | version, 4); // made by: Unix
    c.writeUInt16LE(version, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(DOS_TIME, 12);
    c.writeUInt16LE(DOS_DATE, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(opts.zip64 ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(opts.zip64 ? 0xffffffff : usize, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt16LE(centralExtra.length, 30);
    c.writeUInt32LE(0o100644 * 0x10000, 38);
    c.writeUInt32LE(opts.zip64 ? 0xffffffff : headerOffset, 42);
    central.push(Buffer.concat([c, nameBuf, centralExtra]));
  }
  const cdOffset = offset;
  const cd = Buffer.concat(central);
  push(cd);
  const count = opts.entryCount ?? members.length;
  if (opts.zip64) {
    const eocd64Offset = offset;
    const r = Buffer.alloc(56);
    r.writeUInt32LE(0x06064b50, 0);
    r.writeBigUInt64LE(44n, 4);
    r.writeUInt16LE(0x032d, 12);
    r.writeUInt16LE(45, 14);
    r.writeBigUInt64LE(BigInt(count), 24);
    r.writeBigUInt64LE(BigInt(count), 32);
    r.writeBigUInt64LE(BigInt(cd.length), 40);
    r.writeBigUInt64LE(BigInt(cdOffset), 48);
    push(r);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(eocd64Offset), 8);
    loc.writeUInt32LE(1, 16);
    push(loc);
  }
  const comment = typeof opts.comment === 'string' ? Buffer.from(opts.comment, 'utf8') : opts.comment ?? Buffer.alloc(0);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(opts.zip64 ? 0xffff : count & 0xffff, 8);
  e.writeUInt16LE(opts.zip64 ? 0xffff : count & 0xffff, 10);
  e.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  e.writeUInt32LE(opts.zip64 ? 0xffffffff : cdOffset, 16);
  e.writeUInt16LE(comment.length, 20);
  push(Buffer.concat([e, comment]));
  return Buffer.concat([...(opts.prepend ? [opts.prepend] : []), ...parts]);
}

/** A zip with one deflated member of `inflatedSize` zero bytes: a small file that expands enormously. */
export function buildZipBomb(inflatedSize: number, name = 'bomb.bin'): Buffer {
  return buildZip([{ name, data: Buffer.alloc(inflatedSize), method: 8 }]);
}

export interface TorchZipOptions {
  /** The top folder inside the archive; torch uses the file's stem, older versions `archive`. */
  prefix?: string;
  /** The `data.pkl` bytes. Default: a state dict of `tensors`. */
  dataPkl?: Buffer;
  tensors?: TorchTensorSpec[];
  /** Raw storage bytes by storage key; default zeros of 4 bytes per element. */
  storages?: Record<string, Buffer>;
  /** The `version` member, default `3\n`. */
  version?: string;
  /** Members to add after the usual ones. */
  extra?: ZipMemberSpec[];
  zip64?: boolean;
  /** Store with data descriptors, as torch's writer does (default true). */
  dataDescriptor?: boolean;
}

/**
 * A PyTorch zip checkpoint like `torch.save` (1.6+) writes: `<prefix>/data.pkl`, `<prefix>/data/<key>`
 * (64-byte aligned), `<prefix>/version`, `<prefix>/byteorder`, all stored.
 */
export function buildTorchZip(o: TorchZipOptions = {}): Buffer {
  const prefix = o.prefix ?? 'archive';
  const tensors = o.tensors ?? [{ name: 'weight', shape: [2, 2] }];
  const dd = o.dataDescriptor ?? true;
  const members: ZipMemberSpec[] = [{ name: `${prefix}/data.pkl`, data: o.dataPkl ?? buildTorchStateDictPickle(tensors), dataDescriptor: dd }];
  const storages = o.storages ?? Object.fromEntries(tensors.map((t, i) => [t.storageKey ?? String(i), Buffer.alloc(4 * t.shape.reduce((a, b) => a * b, 1))]));
  members.push({ name: `${prefix}/byteorder`, data: 'little', dataDescriptor: dd });
  for (const [key, data] of Object.entries(storages)) members.push({ name: `${prefix}/data/${key}`, data, align: 64, dataDescriptor: dd });
  members.push({ name: `${prefix}/version`, data: o.version ?? '3\n', dataDescriptor: dd });
  members.push(...(o.extra ?? []));
  return buildZip(members, { zip64: o.zip64 });
}

// ---------------------------------------------------------------------------------------------------------
// NumPy

/** A structured dtype field: (name, descr) or (name, descr, shape); descr may itself be a field list. */
export type NpyField = [name: string, descr: string | NpyField[], shape?: number[]];

export interface NpySpec {
  /** `<f4`, `|O` (objects), or a structured field list such as `[['a', '<i4'], ['b', '|O']]`. */
  descr: string | NpyField[];
  shape: number[];
  fortranOrder?: boolean;
  /** 1.0 (default), 2.0 or 3.0 (UTF-8 header). */
  version?: 1 | 2 | 3;
  /** The array bytes after the header. Default: zeros for simple dtypes, a pickle for object arrays. */
  data?: Buffer;
  /** Write this header text verbatim instead of the generated dict (for malformed-header tests). */
  headerLiteral?: string;
}

const pyStr = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const pyTuple = (xs: number[]): string => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);

function pyDescr(d: string | NpyField[]): string {
  if (typeof d === 'string') return pyStr(d);
  return `[${d.map(([n, t, s]) => `(${pyStr(n)}, ${pyDescr(t)}${s ? `, ${pyTuple(s)}` : ''})`).join(', ')}]`;
}

/** The header dict as numpy writes it: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. */
export function npyHeaderLiteral(spec: NpySpec): string {
  return `{'descr': ${pyDescr(spec.descr)}, 'fortran_order': ${spec.fortranOrder ? 'True' : 'False'}, 'shape': ${pyTuple(spec.shape)}, }`;
}

/** A `.npy` file: magic, version, header padded with spaces and a newline to a multiple of 64 bytes, data. */
export function buildNpy(spec: NpySpec): Buffer {
  const version = spec.version ?? 1;
  const lenBytes = version === 1 ? 2 : 4;
  const literal = spec.headerLiteral ?? npyHeaderLiteral(spec);
  const text = Buffer.from(literal, version === 3 ? 'utf8' : 'latin1');
  const pre = 6 + 2 + lenBytes;
  const total = Math.ceil((pre + text.length + 1) / 64) * 64;
  const header = Buffer.concat([text, Buffer.alloc(total - pre - text.length - 1, 0x20), ascii('\n')]);
  const len = Buffer.alloc(lenBytes);
  if (lenBytes === 2) len.writeUInt16LE(header.length);
  else len.writeUInt32LE(header.length);
  return Buffer.concat([ascii('\x93NUMPY'), Buffer.from([version, 0]), len, header, spec.data ?? defaultNpyData(spec)]);
}

function defaultNpyData(spec: NpySpec): Buffer {
  const numel = spec.shape.reduce((a, b) => a * b, 1);
  if (typeof spec.descr === 'string') {
    if (/^[|<>=]?O\d*$/.test(spec.descr)) {
      return buildPickleCall({ protocol: 3, module: 'numpy.core.multiarray', name: '_reconstruct', args: [] });
    }
    const m = /^[|<>=]?[a-zA-Z?](\d+)?$/.exec(spec.descr);
    return Buffer.alloc(numel * Number(m?.[1] ?? 1));
  }
  return Buffer.alloc(0);
}

/** A `.npz`: a zip of `<name>.npy` members (stored unless `method` is 8, as `np.savez_compressed` does). */
export function buildNpz(arrays: Record<string, Buffer>, opts: { method?: 0 | 8 } = {}): Buffer {
  return buildZip(Object.entries(arrays).map(([name, data]) => ({ name: name.endsWith('.npy') ? name : `${name}.npy`, data, method: opts.method ?? 0 })));
}
