/**
 * Decide a file's kind and format from its first bytes and its path. Bytes win where they are decisive:
 * a pickle named `notes.txt` is a model, a zip named `data.csv` is not a dataset, a PNG named `model.pt`
 * is not a model. Where the bytes say nothing (ONNX protobuf, YAML, CSV), the name decides.
 */
import { inflateRawSync, constants as zc } from 'node:zlib';
import type { FileFormat, FileKind } from './types.js';
import {
  ARROW, GGUF, JOBLIB_ZF, LZ4, LZMA_ALONE, NPY, PARQUET, TFLITE, TFLITE_OFFSET, TORCH_LEGACY, ZIP_CENTRAL, ZIP_LOCAL,
  compressionOf, isForeignBinary, isHdf5, isSafetensors, isTar, isZip, isZlib, looksLikePickle, startsWith,
} from '../formats/magic.js';

export interface Classification {
  kind: FileKind;
  format: FileFormat;
}

/** Extensions that make a file a model whatever its bytes (unless the bytes are surely something else). */
const MODEL_EXT: Record<string, FileFormat> = {
  '.pt': 'unknown', '.pth': 'unknown', '.bin': 'unknown', '.ckpt': 'unknown', '.mlmodel': 'unknown',
  '.pkl': 'pickle', '.pickle': 'pickle', '.joblib': 'joblib', '.h5': 'hdf5', '.hdf5': 'hdf5', '.keras': 'keras',
  '.onnx': 'onnx', '.gguf': 'gguf', '.safetensors': 'safetensors', '.tflite': 'tflite', '.npy': 'npy', '.npz': 'npz',
};
const DATASET_EXT: Record<string, FileFormat> = {
  '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.parquet': 'parquet', '.arrow': 'arrow',
  '.feather': 'arrow',
};
/** Compressed datasets (`train.csv.gz`) stay datasets; rules check `format` before parsing. */
const COMPRESSED_EXT = new Set(['.gz', '.bz2', '.xz', '.zst', '.zstd', '.7z', '.lz4', '.z', '.lzma']);
const JOBLIB_NAME = /\.joblib$|\.(pkl|pickle|joblib)\.(z|gz|bz2|xz|lzma|lz4|zst)$/;
const DEPENDENCY: Array<[RegExp, FileFormat]> = [
  [/^requirements[^/]*\.(txt|in)$|^constraints[^/]*\.txt$/, 'text'],
  [/^(pyproject\.toml|pipfile|poetry\.lock|uv\.lock)$/, 'toml'],
  [/^setup\.py$/, 'python'],
  [/^setup\.cfg$/, 'text'],
  [/^(pipfile\.lock|package\.json|package-lock\.json)$/, 'json'],
  [/^(environment|conda)\.ya?ml$/, 'yaml'],
];
const DOCKERFILE = /^(docker|container)file(\.[\w.-]+)?$|\.(docker|container)file$/;
const WORKFLOW = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/;
const DATA_DIR = /(^|\/)(data|datasets?)\//;
const TEXT_FORMAT: Record<string, FileFormat> = {
  '.yml': 'yaml', '.yaml': 'yaml', '.json': 'json', '.toml': 'toml', '.py': 'python', '.sh': 'shell',
  '.bash': 'shell', '.md': 'markdown', '.markdown': 'markdown', '.ipynb': 'ipynb',
};
const CONFIG_EXT = new Set(['.yml', '.yaml', '.json', '.toml', '.ini', '.cfg', '.conf']);

export function classify(path: string, head: Buffer, size: number): Classification {
  const lower = path.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  const ext = extOf(base);
  return sniff(head, size, base, ext) ?? byName(lower, base, ext, head);
}

function extOf(base: string): string {
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

/** The classification that the bytes decide, or undefined when they are not decisive. */
function sniff(head: Buffer, size: number, base: string, ext: string): Classification | undefined {
  const joblibName = JOBLIB_NAME.test(base);
  if (startsWith(head, TORCH_LEGACY)) return { kind: 'model', format: 'torch-legacy' };
  if (isZip(head)) return zipClassification(head, base, ext);
  if (looksLikePickle(head)) return { kind: 'model', format: joblibName ? 'joblib' : 'pickle' };
  if (startsWith(head, NPY)) return { kind: 'model', format: 'npy' };
  if (startsWith(head, GGUF)) return { kind: 'model', format: 'gguf' };
  if (isHdf5(head)) return { kind: 'model', format: 'hdf5' };
  if (startsWith(head, TFLITE, TFLITE_OFFSET)) return { kind: 'model', format: 'tflite' };
  if (startsWith(head, PARQUET)) return { kind: 'dataset', format: 'parquet' };
  if (startsWith(head, ARROW)) return { kind: 'dataset', format: 'arrow' };
  const compression = compressionOf(head);
  if (compression) {
    if (joblibName) return { kind: 'model', format: 'joblib' };
    return { kind: kindOfContainer(base, ext), format: compression };
  }
  if (isTar(head)) return { kind: kindOfContainer(base, ext), format: 'tar' };
  if (joblibName && (isZlib(head) || startsWith(head, LZ4) || startsWith(head, JOBLIB_ZF) || startsWith(head, LZMA_ALONE))) {
    return { kind: 'model', format: 'joblib' };
  }
  if (isSafetensors(head, size)) return { kind: 'model', format: 'safetensors' };
  if (isForeignBinary(head)) return { kind: 'binary', format: 'unknown' };
  return undefined;
}

/** A compressed file or archive is a model or dataset when its name says so (`model.pt.gz`, `train.csv.gz`). */
function kindOfContainer(base: string, ext: string): FileKind {
  const inner = COMPRESSED_EXT.has(ext) ? extOf(base.slice(0, -ext.length)) : ext;
  if (inner in MODEL_EXT || ext in MODEL_EXT) return 'model';
  if (inner in DATASET_EXT) return 'dataset';
  return 'binary';
}

function zipClassification(head: Buffer, base: string, ext: string): Classification {
  const { names, storedPickle } = zipPeek(head);
  const torchName = names.some((n) => /\.(pkl|pickle)$/i.test(n) || /(^|\/)data\.pkl$/.test(n) || /[^/]\/version$/.test(n));
  if (torchName || storedPickle) return { kind: 'model', format: 'pytorch-zip' };
  if (ext === '.keras') return { kind: 'model', format: 'keras' };
  if (ext === '.npz' || (names.length > 0 && names.every((n) => n.endsWith('.npy')))) return { kind: 'model', format: 'npz' };
  return { kind: ext in MODEL_EXT ? 'model' : 'binary', format: 'zip' };
}

/**
 * Member names visible in the head (local headers and, for small archives, the central directory), and
 * whether a member's visible bytes are a pickle (a `data.txt` that is a pickle is still a pickle).
 */
function zipPeek(head: Buffer): { names: string[]; storedPickle: boolean } {
  const names: string[] = [];
  let storedPickle = false;
  for (const [sig, lenAt, fixed] of [[ZIP_LOCAL, 26, 30], [ZIP_CENTRAL, 28, 46]] as const) {
    for (let at = head.indexOf(sig); at >= 0 && names.length < 256; at = head.indexOf(sig, at + 4)) {
      if (at + fixed > head.length) break;
      const nameLen = head.readUInt16LE(at + lenAt);
      const nameEnd = Math.min(head.length, at + fixed + nameLen);
      names.push(head.toString('utf8', at + fixed, nameEnd));
      if (sig === ZIP_LOCAL && !storedPickle) storedPickle = memberLooksLikePickle(head, at, nameEnd);
    }
  }
  return { names, storedPickle };
}

function memberLooksLikePickle(head: Buffer, at: number, nameEnd: number): boolean {
  const dataStart = nameEnd + head.readUInt16LE(at + 28);
  if (dataStart >= head.length) return false;
  const method = head.readUInt16LE(at + 8);
  const visible = head.subarray(dataStart);
  if (method === 0) return looksLikePickle(visible);
  if (method !== 8) return false;
  try {
    // A partial inflate of what the head holds: SYNC_FLUSH returns what it can without an end-of-stream error.
    return looksLikePickle(inflateRawSync(visible, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: 1 << 16 }));
  } catch {
    return false;
  }
}

/** A Git LFS pointer (spec v1): the real content is elsewhere, so no format rule may read these bytes as it. */
const LFS_POINTER = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\r?\n/;

function byName(lower: string, base: string, ext: string, head: Buffer): Classification {
  if (head.length <= 1024 && head[0] === 0x76 /* v */ && LFS_POINTER.test(head.toString('latin1'))) {
    return { kind: ext in MODEL_EXT || ext === '.pkl' || ext === '.pickle' ? 'model' : 'text', format: 'lfs-pointer' };
  }
  // A name that says text wins over bytes that look binary (a NUL, Latin-1): otherwise one stray byte in a
  // .py or .csv would hide it from every text rule. Model and archive formats were decided by their bytes before.
  const text = isText(head) || namedAsText(lower, base, ext);
  if (head.length === 0 && ext in MODEL_EXT) return { kind: 'model', format: MODEL_EXT[ext] };
  if (!text) {
    if (ext in MODEL_EXT) return { kind: 'model', format: MODEL_EXT[ext] };
    if (['.parquet', '.arrow', '.feather'].includes(ext)) return { kind: 'dataset', format: DATASET_EXT[ext] };
    return { kind: 'binary', format: 'unknown' };
  }
  // Text from here on.
  if (ext === '.pkl' || ext === '.pickle') return { kind: 'model', format: 'pickle' };
  if (ext in MODEL_EXT && ext !== '.bin') return { kind: 'model', format: 'text' };
  if (WORKFLOW.test(lower)) return { kind: 'workflow', format: 'yaml' };
  if (/^action\.ya?ml$/.test(base)) {
    const headText = head.toString('utf8');
    const composite = /^\s*using\s*:\s*['"]?composite['"]?\s*(#.*)?$/m.test(headText);
    return { kind: composite ? 'workflow' : 'config', format: 'yaml' };
  }
  for (const [re, format] of DEPENDENCY) if (re.test(base)) return { kind: 'dependency', format };
  if (/(^|\/)requirements\/[^/]+\.(txt|in)$/.test(lower)) return { kind: 'dependency', format: 'text' };
  if (DOCKERFILE.test(base) && !/\.(md|txt|rst)$/.test(base)) return { kind: 'dockerfile', format: 'dockerfile' };
  if (ext === '.ipynb') return { kind: 'notebook', format: 'ipynb' };
  if (ext in DATASET_EXT) return { kind: 'dataset', format: DATASET_EXT[ext] };
  if (ext === '.json' && DATA_DIR.test(lower)) return { kind: 'dataset', format: 'json' };
  if (ext === '.yml' || ext === '.yaml') {
    const headText = head.toString('utf8');
    const k8s = /^\s*(-\s+)?apiVersion\s*:/m.test(headText) && /^\s*(-\s+)?kind\s*:/m.test(headText);
    // A compiled Kubeflow Pipelines v2 spec has no apiVersion/kind; its components (first, in key order) name their
    // executors, and deploymentSpec.executors holds the containers.
    const kfp = (/^(components|pipelineSpec|deploymentSpec)\s*:/m.test(headText) && /^\s+executor(s|Label)\s*:/m.test(headText));
    return { kind: k8s || kfp ? 'k8s' : 'config', format: 'yaml' };
  }
  if (CONFIG_EXT.has(ext)) return { kind: 'config', format: TEXT_FORMAT[ext] ?? 'text' };
  return { kind: 'text', format: TEXT_FORMAT[ext] ?? 'text' };
}

function namedAsText(lower: string, base: string, ext: string): boolean {
  if (WORKFLOW.test(lower) || DOCKERFILE.test(base) || DEPENDENCY.some(([re]) => re.test(base))) return true;
  if (['.ipynb', '.env', '.txt', '.rst', '.r', '.js', '.ts', '.sql'].includes(ext) || base.startsWith('.env')) return true;
  if (ext in DATASET_EXT && !['.parquet', '.arrow', '.feather'].includes(ext)) return true;
  return ext in TEXT_FORMAT || CONFIG_EXT.has(ext);
}

/**
 * Text: a UTF-16 byte-order mark, or no NUL byte and at most 5% of bytes that are control characters or
 * invalid UTF-8 (a multi-byte character cut off by the end of the head does not count).
 */
export function isText(head: Buffer): boolean {
  if (head.length === 0) return true;
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
  if (head.includes(0)) return false;
  let bad = 0;
  let i = 0;
  while (i < head.length) {
    const c = head[i];
    if (c < 0x80) {
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b && c !== 0x08 && c !== 0x1b) || c === 0x7f) bad++;
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) { bad++; i++; continue; }
    if (i + need >= head.length) break; // cut off by the end of the head
    let ok = true;
    for (let k = 1; k <= need; k++) if ((head[i + k] & 0xc0) !== 0x80) ok = false;
    if (ok) i += need + 1;
    else { bad++; i++; }
  }
  return bad * 20 <= head.length;
}
