/**
 * The Keras model configuration inside a legacy HDF5 model (`model.save('m.h5')`): Keras stores it as the
 * root group's `model_config` attribute, a JSON string (keras/src/legacy/saving/legacy_h5_format.py). A full
 * HDF5 reader (object headers, B-trees, fractal and global heaps) is out of this module's scope: instead
 * the file is scanned, bounded in bytes read, for JSON text that opens like a Keras config (`{"class_name":`
 * or `{"module":`), and each candidate is cut out by brace matching (strings and escapes respected) and
 * parsed. HDF5 stores string attribute values contiguously (inline or in a global heap collection), so the
 * JSON is found wherever the attribute lives; what this cannot see is a value split by a compression filter,
 * which Keras does not apply to attributes. Nothing here throws on bad input except FormatError.
 */
import { FormatError, type ReadAt } from './errors.js';

export interface Hdf5JsonAttribute {
  offset: number;
  value: Record<string, unknown>;
}

export interface Hdf5ScanResult {
  configs: Hdf5JsonAttribute[];
  /** Bytes scanned; less than the file when the cap stopped the scan. */
  scanned: number;
  /** True when a candidate looked like a config but did not parse or was cut by the size cap. */
  unreadable: boolean;
}

const STARTS = [Buffer.from('{"class_name"'), Buffer.from('{"module"'), Buffer.from('{"class_name" '), Buffer.from('{"keras_version"')];
const CHUNK = 1 << 20;
const MAX_JSON = 32 * 1024 * 1024;
const MAX_CONFIGS = 16;

export async function scanHdf5ForKerasConfig(read: ReadAt, size: number, maxBytes = 256 * 1024 * 1024): Promise<Hdf5ScanResult> {
  const limit = Math.min(size, maxBytes);
  const configs: Hdf5JsonAttribute[] = [];
  let unreadable = false;
  const overlap = 32;
  for (let pos = 0; pos < limit && configs.length < MAX_CONFIGS;) {
    const chunk = await read(pos, Math.min(CHUNK + overlap, limit - pos));
    if (chunk.length === 0) break;
    let next = pos + Math.max(1, Math.min(CHUNK, chunk.length));
    let hit = -1;
    for (const s of STARTS) {
      const i = chunk.indexOf(s);
      if (i >= 0 && (hit < 0 || i < hit)) hit = i;
    }
    if (hit >= 0) {
      const start = pos + hit;
      const json = await extractJson(read, start, size);
      if (json.text !== undefined) {
        try {
          const value = JSON.parse(json.text) as unknown;
          if (value && typeof value === 'object' && !Array.isArray(value)) configs.push({ offset: start, value: value as Record<string, unknown> });
        } catch {
          unreadable = true;
        }
        next = start + json.text.length;
      } else {
        unreadable ||= json.cut;
        next = start + 1;
      }
    }
    pos = next;
  }
  return { configs, scanned: limit, unreadable };
}

/** The balanced JSON object text at `start`, or `cut` when it runs past the cap or the file. */
async function extractJson(read: ReadAt, start: number, size: number): Promise<{ text?: string; cut: boolean }> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const parts: Buffer[] = [];
  for (let pos = start; pos < size && pos - start < MAX_JSON;) {
    const chunk = await read(pos, Math.min(CHUNK, size - pos));
    if (chunk.length === 0) break;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          parts.push(chunk.subarray(0, i + 1));
          return { text: Buffer.concat(parts).toString('utf8'), cut: false };
        }
      } else if (c === 0) {
        return { cut: false }; // a NUL outside a string: not JSON text
      }
    }
    parts.push(chunk);
    pos += chunk.length;
  }
  return { cut: true };
}

export { FormatError };
