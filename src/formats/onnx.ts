/**
 * An ONNX model read as protobuf wire format (protobuf encoding spec; message layouts from onnx/onnx.proto3),
 * without a native dependency and without reading tensor bytes: only the fields a security check needs are
 * decoded (operator domains and types, opset imports, model-local functions, and each tensor's
 * `data_location` and `external_data` entries), everything else, `raw_data` included, is skipped by length.
 * Reads go through ReadAt with a small window, so a multi-GB model costs its structure, not its weights.
 * Nesting (graphs inside node attributes) and field counts are bounded; bad input throws FormatError.
 */
import { FormatError, type ReadAt } from './errors.js';

export interface OnnxExternalData {
  /** The tensor's name. */
  tensor: string;
  /** The `location` entry as written (a path relative to the model's folder, per the spec). */
  location: string;
  /** Byte offset of the tensor's message in the file, for locating a finding. */
  offset: number;
}

export interface OnnxModel {
  irVersion?: number;
  opsets: Array<{ domain: string; version: number }>;
  /** Operator domain → op types used by nodes (main graph, subgraphs, functions, training graphs). */
  nodeDomains: Map<string, Set<string>>;
  /** Domains of functions defined inside the model (their ops are not native custom operators). */
  functionDomains: Set<string>;
  externalData: OnnxExternalData[];
}

const MAX_DEPTH = 24;
const MAX_FIELDS = 5_000_000;
const MAX_STRING = 64 * 1024;
const WINDOW = 256 * 1024;

class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  fields = 0;
  constructor(private readonly read: ReadAt, readonly size: number) {}

  private async ensure(pos: number, n: number): Promise<Buffer> {
    const off = pos - this.bufStart;
    if (off >= 0 && off + n <= this.buf.length) return this.buf.subarray(off, off + n);
    this.buf = await this.read(pos, Math.max(n, WINDOW));
    this.bufStart = pos;
    if (this.buf.length < n) throw new FormatError(`the protobuf data is truncated at byte ${pos}`, pos);
    return this.buf.subarray(0, n);
  }

  /** A varint at `pos` (up to 10 bytes); returns value and next position. Values above 2^53 are capped. */
  async varint(pos: number, end: number): Promise<[number, number]> {
    const b = await this.ensure(pos, Math.min(10, end - pos));
    let v = 0;
    let mul = 1;
    for (let i = 0; i < b.length; i++) {
      v += (b[i] & 0x7f) * mul;
      if ((b[i] & 0x80) === 0) return [Math.min(v, Number.MAX_SAFE_INTEGER), pos + i + 1];
      mul *= 128;
    }
    throw new FormatError(`a malformed varint at byte ${pos}`, pos);
  }

  async string(pos: number, len: number): Promise<string> {
    return (await this.ensure(pos, Math.min(len, MAX_STRING))).toString('utf8');
  }
}

type Handler = (field: number, pos: number, len: number) => Promise<void>;

/** Walks the fields of a message in [start, end); `onLen` gets each length-delimited field. */
async function fields(r: Reader, start: number, end: number, onLen: Handler, onVarint?: (field: number, value: number) => void): Promise<void> {
  let pos = start;
  while (pos < end) {
    if (++r.fields > MAX_FIELDS) throw new FormatError(`more than ${MAX_FIELDS} protobuf fields`, pos);
    const [key, p1] = await r.varint(pos, end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new FormatError(`a protobuf field number 0 at byte ${pos}`, pos);
    if (wire === 0) {
      const [v, p2] = await r.varint(p1, end);
      onVarint?.(field, v);
      pos = p2;
    } else if (wire === 1) pos = p1 + 8;
    else if (wire === 5) pos = p1 + 4;
    else if (wire === 2) {
      const [len, p2] = await r.varint(p1, end);
      if (p2 + len > end) throw new FormatError(`field ${field} at byte ${pos} runs past its message (${len} bytes)`, pos);
      await onLen(field, p2, len);
      pos = p2 + len;
    } else {
      throw new FormatError(`unsupported protobuf wire type ${wire} at byte ${pos}`, pos);
    }
  }
  if (pos !== end) throw new FormatError(`a protobuf field runs past its message at byte ${end}`, end);
}

export async function readOnnxModel(read: ReadAt, size: number): Promise<OnnxModel> {
  const r = new Reader(read, size);
  const model: OnnxModel = { opsets: [], nodeDomains: new Map(), functionDomains: new Set(), externalData: [] };

  const opset = async (pos: number, len: number, into: OnnxModel['opsets']): Promise<void> => {
    let domain = '';
    let version = 0;
    await fields(r, pos, pos + len, async (f, p, l) => { if (f === 1) domain = await r.string(p, l); }, (f, v) => { if (f === 2) version = v; });
    into.push({ domain, version });
  };

  const tensor = async (pos: number, len: number): Promise<void> => {
    let name = '';
    let external = false;
    const locations: string[] = [];
    await fields(r, pos, pos + len, async (f, p, l) => {
      if (f === 8) name = await r.string(p, l);
      else if (f === 13) {
        let key = '';
        let value = '';
        await fields(r, p, p + l, async (f2, p2, l2) => {
          if (f2 === 1) key = await r.string(p2, l2);
          else if (f2 === 2) value = await r.string(p2, l2);
        });
        if (key === 'location') locations.push(value);
      }
    }, (f, v) => { if (f === 14 && v === 1) external = true; });
    if (external || locations.length) for (const location of locations) model.externalData.push({ tensor: name, location, offset: pos });
  };

  const graph = async (pos: number, len: number, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new FormatError(`graphs nested more than ${MAX_DEPTH} deep`, pos);
    await fields(r, pos, pos + len, async (f, p, l) => {
      if (f === 1) await node(p, l, depth);
      else if (f === 5) await tensor(p, l);
      else if (f === 15) await sparse(p, l);
    });
  };

  const sparse = async (pos: number, len: number): Promise<void> => {
    await fields(r, pos, pos + len, async (f, p, l) => { if (f === 1 || f === 2) await tensor(p, l); });
  };

  const attribute = async (pos: number, len: number, depth: number): Promise<void> => {
    await fields(r, pos, pos + len, async (f, p, l) => {
      if (f === 5 || f === 10) await tensor(p, l);
      else if (f === 6 || f === 11) await graph(p, l, depth + 1);
      else if (f === 22 || f === 23) await sparse(p, l);
    });
  };

  const node = async (pos: number, len: number, depth: number): Promise<void> => {
    let opType = '';
    let domain = '';
    await fields(r, pos, pos + len, async (f, p, l) => {
      if (f === 4) opType = await r.string(p, l);
      else if (f === 7) domain = await r.string(p, l);
      else if (f === 5) await attribute(p, l, depth);
    });
    const set = model.nodeDomains.get(domain) ?? new Set<string>();
    if (set.size < 100) set.add(opType);
    model.nodeDomains.set(domain, set);
  };

  const fn = async (pos: number, len: number): Promise<void> => {
    await fields(r, pos, pos + len, async (f, p, l) => {
      if (f === 7) await node(p, l, 1);
      else if (f === 10) model.functionDomains.add(await r.string(p, l));
    });
  };

  await fields(r, 0, size, async (f, p, l) => {
    if (f === 8) await opset(p, l, model.opsets);
    else if (f === 7) await graph(p, l, 0);
    else if (f === 25) await fn(p, l);
    else if (f === 20) await fields(r, p, p + l, async (f2, p2, l2) => { if (f2 === 1 || f2 === 2) await graph(p2, l2, 1); });
  }, (f, v) => { if (f === 1) model.irVersion = v; });
  if (model.irVersion === undefined && model.nodeDomains.size === 0) throw new FormatError('no ONNX model fields (ir_version, graph) found');
  return model;
}
