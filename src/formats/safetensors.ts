/**
 * The safetensors header (huggingface/safetensors README "Format" and safetensors/src/tensor.rs): an
 * unsigned 64-bit little-endian length N, N bytes of UTF-8 JSON (optionally padded with spaces), then the
 * tensor bytes. Each tensor entry is `{dtype, shape, data_offsets: [begin, end]}` relative to the byte
 * buffer; offsets must cover the buffer exactly, without gaps or overlaps; `__metadata__` maps strings to
 * strings. Only the header is read, never the weights.
 *
 * `readSafetensorsHeader` throws FormatError when there is no header to speak of (too short, length past
 * the file or the 100 MB cap, not JSON, not an object); every other departure from the format is listed in
 * `problems` so that a rule can report all of them.
 */
import { FormatError, type ReadAt } from './errors.js';

/** The reference implementation refuses headers above 100,000,000 bytes (MAX_HEADER_SIZE in tensor.rs). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bits per element of each dtype the reference implementation knows (Dtype in tensor.rs). */
export const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
  I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64,
};

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  headerBytes: number;
  tensors: SafetensorsTensor[];
  metadata?: Record<string, string>;
  /** Sentences, each naming the tensor or key at fault and what is wrong. */
  problems: string[];
}

const MAX_PROBLEMS = 50;
const q = (s: string): string => JSON.stringify(s);

export async function readSafetensorsHeader(read: ReadAt, fileSize: number): Promise<SafetensorsHeader> {
  if (fileSize < 8) throw new FormatError(`the file is ${fileSize} bytes, too short for the 8-byte header length`);
  const lenBuf = await read(0, 8);
  const n = lenBuf.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new FormatError(`the header length ${n} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`, 0);
  const headerBytes = Number(n);
  if (8 + headerBytes > fileSize) throw new FormatError(`the header length ${headerBytes} runs past the end of the ${fileSize}-byte file`, 0);
  const raw = await read(8, headerBytes);
  if (raw.length < headerBytes) throw new FormatError('the header is truncated', 8);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new FormatError('the header is not valid UTF-8', 8);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`the header is not valid JSON (${(error as Error).message})`, 8);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new FormatError('the header is not a JSON object', 8);
  const problems: string[] = [];
  const add = (p: string): void => { if (problems.length < MAX_PROBLEMS) problems.push(p); };
  if (!text.startsWith('{')) add('the header does not start with "{" (the format allows padding only at the end)');
  const tensors: SafetensorsTensor[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(value, add);
      continue;
    }
    const t = checkTensor(name, value, add);
    if (t) tensors.push(t);
  }
  checkLayout(tensors, fileSize - 8 - headerBytes, add);
  return { headerBytes, tensors, metadata, problems };
}

function checkMetadata(value: unknown, add: (p: string) => void): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    add('__metadata__ is not an object of strings');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') add(`__metadata__ key ${q(k)} holds a ${Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v}, not a string`);
    else out[k] = v;
  }
  return out;
}

function checkTensor(name: string, value: unknown, add: (p: string) => void): SafetensorsTensor | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    add(`tensor ${q(name)} is not an object with dtype, shape and data_offsets`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => !['dtype', 'shape', 'data_offsets'].includes(k));
  if (extra.length) add(`tensor ${q(name)} has unknown keys ${extra.map(q).join(', ')}`);
  const { dtype, shape, data_offsets: offsets } = v;
  let ok = true;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BITS)) {
    add(`tensor ${q(name)} has unknown dtype ${JSON.stringify(dtype)}`);
    ok = false;
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    add(`tensor ${q(name)} has a shape that is not a list of non-negative integers`);
    ok = false;
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    add(`tensor ${q(name)} has data_offsets that are not [begin, end] with 0 <= begin <= end`);
    ok = false;
  }
  if (!ok) return undefined;
  const t: SafetensorsTensor = { name, dtype: dtype as string, shape: shape as number[], begin: (offsets as number[])[0], end: (offsets as number[])[1] };
  const elements = t.shape.reduce((a, b) => a * b, 1);
  const bits = elements * DTYPE_BITS[t.dtype];
  const want = Number.isSafeInteger(bits) && bits % 8 === 0 ? bits / 8 : NaN;
  if (want !== t.end - t.begin) {
    add(`tensor ${q(name)}: shape [${t.shape.join(', ')}] of ${t.dtype} needs ${Number.isNaN(want) ? 'a whole number of' : want} bytes, but data_offsets span ${t.end - t.begin}`);
  }
  return t;
}

/** Offsets sorted by begin must tile [0, bufferBytes) exactly (tensor.rs `validate`). */
function checkLayout(tensors: SafetensorsTensor[], bufferBytes: number, add: (p: string) => void): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let prev: SafetensorsTensor | undefined;
  for (const t of sorted) {
    if (t.begin < expected) add(`tensor ${q(t.name)} (bytes ${t.begin}-${t.end}) overlaps ${prev ? q(prev.name) : 'the previous tensor'}`);
    else if (t.begin > expected) add(`${t.begin - expected} bytes before tensor ${q(t.name)} (from byte ${expected}) belong to no tensor`);
    expected = Math.max(expected, t.end);
    prev = t;
  }
  if (expected !== bufferBytes) {
    add(expected > bufferBytes
      ? `the tensors need ${expected} bytes of data but only ${bufferBytes} follow the header`
      : `${bufferBytes - expected} bytes after the last tensor belong to no tensor (the data should end at the end of the file)`);
  }
}
