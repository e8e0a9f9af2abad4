/**
 * Builders for the model-file wrappers that the pickle rule opens: tar (POSIX ustar), a minimal 7z whose one
 * member is stored as LZMA2 "uncompressed" chunks (7-Zip DOC/7zFormat.txt, xz LZMA2 chunk headers), and
 * joblib's zlib/gzip dumps. Deterministic; nothing is unpickled.
 */
import { deflateSync, gzipSync } from 'node:zlib';

/** A ustar archive of regular files (POSIX.1-2017 pax, "ustar Interchange Format"). */
export function buildTar(files: Record<string, Buffer | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write('        ', 148, 'latin1');
    h[156] = 0x30;
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * A 7z archive whose packed stream is `payload` written as LZMA2 uncompressed chunks (what 7-Zip writes for
 * incompressible data), followed by a stand-in for the encoded header. `compressed` writes an LZMA chunk
 * header instead, which the gate cannot decode.
 */
export function build7z(payload: Buffer, opts: { compressed?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; i < payload.length; i += 0x10000) {
    const part = payload.subarray(i, i + 0x10000);
    const h = Buffer.alloc(3);
    h[0] = i === 0 ? 0x01 : 0x02;
    h.writeUInt16BE(part.length - 1, 1);
    chunks.push(h, part);
  }
  chunks.push(Buffer.from([0x00]));
  const packed = opts.compressed ? Buffer.concat([Buffer.from([0xe0, 0x00, 0x10, 0x00, 0x0c, 0x5d]), Buffer.alloc(16, 0x41)]) : Buffer.concat(chunks);
  const header = Buffer.from([0x17, 0x06, 0x00, 0x01, 0x09, 0x00, 0x07, 0x0b, 0x01, 0x00]);
  const sig = Buffer.alloc(32);
  Buffer.from('377abcaf271c0004', 'hex').copy(sig, 0);
  sig.writeBigUInt64LE(BigInt(packed.length), 12);
  sig.writeBigUInt64LE(BigInt(header.length), 20);
  return Buffer.concat([sig, packed, header]);
}

/** joblib's compressed dumps: zlib (joblib ≥ 0.10 with compress=zlib) or gzip. */
export const joblibZlib = (pickle: Buffer): Buffer => deflateSync(pickle);
export const joblibGzip = (pickle: Buffer): Buffer => gzipSync(pickle);

/** A safetensors file from a header object (written as given, so tests can break it) and `dataBytes` of zeros. */
export function buildSafetensors(header: unknown, dataBytes: number, opts: { rawHeader?: string; lengthOverride?: bigint } = {}): Buffer {
  const text = Buffer.from(opts.rawHeader ?? JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(opts.lengthOverride ?? BigInt(text.length));
  return Buffer.concat([len, text, Buffer.alloc(dataBytes)]);
}

export type GgufKv = [key: string, value: string | number | boolean | string[] | { u32Array: number[] }];

/** A GGUF file (ggml docs/gguf.md): header, metadata (strings, uint32, bool, string arrays, uint32 arrays), no tensors. */
export function buildGguf(kvs: GgufKv[], opts: { version?: 1 | 2 | 3; kvCountOverride?: bigint; truncate?: number } = {}): Buffer {
  const version = opts.version ?? 3;
  const wide = version >= 2;
  const n = (v: number | bigint): Buffer => {
    const b = Buffer.alloc(wide ? 8 : 4);
    if (wide) b.writeBigUInt64LE(BigInt(v)); else b.writeUInt32LE(Number(v));
    return b;
  };
  const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const str = (s: string): Buffer => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([n(b.length), b]); };
  const parts: Buffer[] = [Buffer.from('GGUF'), u32(version), n(0), n(opts.kvCountOverride ?? kvs.length)];
  for (const [key, value] of kvs) {
    parts.push(str(key));
    if (typeof value === 'string') parts.push(u32(8), str(value));
    else if (typeof value === 'number') parts.push(u32(4), u32(value));
    else if (typeof value === 'boolean') parts.push(u32(7), Buffer.from([value ? 1 : 0]));
    else if (Array.isArray(value)) parts.push(u32(9), u32(8), n(value.length), ...value.map(str));
    else parts.push(u32(9), u32(4), n(value.u32Array.length), ...value.u32Array.map(u32));
  }
  const out = Buffer.concat(parts);
  return opts.truncate ? out.subarray(0, out.length - opts.truncate) : out;
}

// ---------------------------------------------------------------------------------------------------------
// ONNX as protobuf wire format (onnx/onnx.proto3 field numbers)

const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  do { let b = v % 128; v = Math.floor(v / 128); if (v > 0) b |= 0x80; out.push(b); } while (v > 0);
  return Buffer.from(out);
};
export const pbLen = (field: number, body: Buffer | string): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([varint(field * 8 + 2), varint(b.length), b]);
};
export const pbVarint = (field: number, v: number): Buffer => Buffer.concat([varint(field * 8), varint(v)]);

export interface OnnxNodeSpec { op: string; domain?: string; subgraph?: Buffer }
/** TensorProto with external data (data_location = EXTERNAL) or inline raw bytes. */
export function onnxTensor(name: string, opts: { location?: string; raw?: Buffer }): Buffer {
  const parts = [pbVarint(1, 1), pbVarint(2, 1), pbLen(8, name)];
  if (opts.raw) parts.push(pbLen(9, opts.raw));
  if (opts.location !== undefined) {
    parts.push(pbLen(13, Buffer.concat([pbLen(1, 'location'), pbLen(2, opts.location)])));
    parts.push(pbLen(13, Buffer.concat([pbLen(1, 'offset'), pbLen(2, '0')])));
    parts.push(pbVarint(14, 1));
  }
  return Buffer.concat(parts);
}
export function onnxGraph(nodes: OnnxNodeSpec[], initializers: Buffer[] = []): Buffer {
  const n = nodes.map((x) => pbLen(1, Buffer.concat([pbLen(1, 'x'), pbLen(2, 'y'), pbLen(4, x.op), ...(x.domain ? [pbLen(7, x.domain)] : []),
    ...(x.subgraph ? [pbLen(5, Buffer.concat([pbLen(1, 'body'), pbLen(6, x.subgraph), pbVarint(20, 5)]))] : [])])));
  return Buffer.concat([...n, pbLen(2, 'main'), ...initializers.map((t) => pbLen(5, t))]);
}
export function buildOnnx(graph: Buffer, opts: { opsets?: Array<[string, number]>; functionDomain?: string; functionOp?: string } = {}): Buffer {
  const parts = [pbVarint(1, 9), pbLen(2, 'pytorch'), pbLen(7, graph)];
  for (const [domain, version] of opts.opsets ?? [['', 17]]) parts.push(pbLen(8, Buffer.concat([pbLen(1, domain), pbVarint(2, version)])));
  if (opts.functionDomain) parts.push(pbLen(25, Buffer.concat([pbLen(1, opts.functionOp ?? 'F'), pbLen(10, opts.functionDomain), pbLen(7, Buffer.concat([pbLen(4, 'Relu')]))])));
  return Buffer.concat(parts);
}

/**
 * A stand-in for a legacy Keras `.h5`: the HDF5 signature and superblock bytes, then the root group's
 * `model_config` attribute written as HDF5 stores a fixed-length string attribute (name, then the JSON
 * bytes), then filler. Enough for a reader that finds the attribute by a bounded scan.
 */
export function buildKerasH5(modelConfig: unknown, opts: { filler?: number } = {}): Buffer {
  const sig = Buffer.from('894844460d0a1a0a', 'hex');
  const superblock = Buffer.alloc(88);
  superblock[0] = 0; // superblock version 0
  const attrName = Buffer.from('model_config\0\0\0\0', 'latin1');
  const json = Buffer.from(JSON.stringify(modelConfig), 'utf8');
  return Buffer.concat([sig, superblock, Buffer.alloc(64, 0xff), attrName, Buffer.from([0x13, 0, 0, 0]), json, Buffer.alloc(opts.filler ?? 256)]);
}

// ---------------------------------------------------------------------------------------------------------
// joblib dumps (joblib/numpy_pickle.py): each array is a pickled NumpyArrayWrapper followed by raw bytes

const sb = (s: string): Buffer => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([0x8c, b.length]), b, Buffer.from([0x94])]); };
const sg = (m: string, n: string): Buffer => Buffer.concat([sb(m), sb(n), Buffer.from([0x93, 0x94])]);
const k1 = (n: number): Buffer => Buffer.from([0x4b, n]);

export interface JoblibArray { descr: string; shape: number[]; itemsize: number; aligned?: boolean }

/** The wrapper, its state dict and the array bytes, as NumpyPickler.save writes them (protocol 4). */
function joblibArrayOps(a: JoblibArray, offsetAfter: number): { ops: Buffer; raw: Buffer } {
  const shape = a.shape.length <= 3 ? Buffer.concat([...a.shape.map(k1), Buffer.from([[0x29, 0x85, 0x86, 0x87][a.shape.length]])])
    : Buffer.concat([Buffer.from('('), ...a.shape.map(k1), Buffer.from('t')]);
  const dtype = Buffer.concat([sg('numpy', 'dtype'), sb(a.descr), Buffer.from([0x89, 0x88, 0x87, 0x94, 0x52, 0x94]),
    Buffer.from('('), k1(3), sb('<'), Buffer.from('NNN'), Buffer.from([0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff]), k1(0), Buffer.from('tb')]);
  const state = Buffer.concat([Buffer.from([0x7d, 0x94, 0x28]),
    sb('subclass'), sg('numpy', 'ndarray'), sb('shape'), shape, sb('order'), sb('C'), sb('dtype'), dtype,
    sb('allow_mmap'), Buffer.from([0x88]), ...(a.aligned === false ? [] : [sb('numpy_array_alignment_bytes'), k1(16)]), Buffer.from('u')]);
  const ops = Buffer.concat([sg('joblib.numpy_pickle', 'NumpyArrayWrapper'), Buffer.from([0x29, 0x81, 0x94]), state, Buffer.from('b')]);
  const count = a.shape.reduce((x, y) => x * y, 1);
  let pad = Buffer.alloc(0);
  if (a.aligned !== false) {
    const padLen = 16 - ((offsetAfter + ops.length + 1) % 16);
    pad = Buffer.concat([Buffer.from([padLen]), Buffer.alloc(padLen, 0xff)]);
  }
  // Array bytes that are not pickle opcodes (0xff is none): a scanner that does not skip them breaks.
  return { ops, raw: Buffer.concat([pad, Buffer.alloc(count * a.itemsize, 0xff)]) };
}

/** `joblib.dump([arrays...], f)`: a list whose items are wrapped arrays; `tail` is pickled after the arrays. */
export function buildJoblibDump(arrays: JoblibArray[], tail: Buffer = Buffer.from('N')): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80, 0x04]), Buffer.from([0x5d, 0x94, 0x28])];
  let offset = 5;
  for (const a of arrays) {
    if (/O/.test(a.descr)) {
      // Object arrays: the wrapper, then a complete protocol-2 pickle of the array.
      const { ops } = joblibArrayOps({ ...a, aligned: false }, offset);
      const inner = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\nndarray\nq\x01K\x00\x85C\x01b\x87R.', 'latin1')]);
      parts.push(ops, inner);
      offset += ops.length + inner.length;
      continue;
    }
    const { ops, raw } = joblibArrayOps(a, offset);
    parts.push(ops, raw);
    offset += ops.length + raw.length;
  }
  parts.push(tail, Buffer.from('e.'));
  return Buffer.concat(parts);
}
