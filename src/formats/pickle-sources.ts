/**
 * Where the pickles of a model file are: the whole file (raw pickles, joblib dumps, legacy torch files), the
 * bytes after an object-dtype .npy header, every pickle member of a zip (PyTorch checkpoints, .npz, any zip,
 * under any member name), members of a tar, the stored streams of a 7z, a gzip/zlib wrapper. Each source is
 * a stream of chunks, so a pickle inside a multi-GB checkpoint is read with bounded memory.
 *
 * Wrappers that cannot be opened (xz, bzip2, zstd, lz4, a compressed 7z, a truly encrypted member) are
 * returned as issues: unscannable is never clean.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip, createInflate } from 'node:zlib';
import { Readable } from 'node:stream';
import { FormatError, type ReadAt } from './errors.js';
import { JOBLIB_ZF, looksLikePickle, NPY, SEVEN_ZIP, startsWith, isZlib, GZIP } from './magic.js';
import { npyHeaderEnd, parseNpyHeader } from './npy.js';
import { readZipDirectory, readZipMember, streamZipMember, type ZipEntry } from './zip.js';

export interface PickleSource {
  /** The archive member, when the pickle is inside one. */
  member?: string;
  chunks: AsyncIterable<Buffer>;
  /** Offsets in findings are relative to this member (or file) plus `baseOffset`. */
  baseOffset: number;
  /** How many stacked pickles a loader reads here (a legacy torch file: 5, then raw storage bytes). */
  maxPickles?: number;
  /** Anomalies of the member's container, filled in as it is read. */
  anomalies: string[];
}

export interface SourceIssue {
  member?: string;
  kind: 'unscannable' | 'anomaly';
  message: string;
}

export interface SourceFile {
  format: string;
  kind: string;
  size: number;
  head: Buffer;
}

export interface SourceIO {
  read: ReadAt;
  stream(chunkSize?: number): AsyncIterable<Buffer>;
}

const CHUNK = 1 << 20;
const MAX_SNIFFED_MEMBERS = 10_000;
const SNIFF_BYTES = 512;
const MAX_TAR_MEMBERS = 10_000;
/** Names whose owners load them as pickles (PyTorch, joblib, plain pickle), whatever their bytes. */
const PICKLE_NAME = /\.(pkl|pickle|pt|pth|bin|ckpt|joblib|dat|data)$|(^|\/)data\.pkl$/i;
/** torch.save's raw tensor storages: `<prefix>/data/<key>`; data, never unpickled, and can be huge. */
const STORAGE_NAME = /(^|\/)data\/\d+$|(^|\/)(version|byteorder|\.data\/serialization_id|\.format_version|\.storage_alignment)$/;

/** Chunks of `read` from `start` to `end`. */
export async function* rangeChunks(read: ReadAt, start: number, end: number): AsyncGenerator<Buffer> {
  for (let pos = start; pos < end;) {
    const buf = await read(pos, Math.min(CHUNK, end - pos));
    if (buf.length === 0) return;
    pos += buf.length;
    yield buf;
  }
}

/** Drops the first `n` bytes of a chunk stream. */
async function* skipBytes(chunks: AsyncIterable<Buffer>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const c of chunks) {
    if (left >= c.length) { left -= c.length; continue; }
    yield left > 0 ? c.subarray(left) : c;
    left = 0;
  }
}

async function* through(chunks: AsyncIterable<Buffer>, transform: NodeJS.ReadWriteStream, onError: (m: string) => void): AsyncGenerator<Buffer> {
  const out = Readable.from(chunks).pipe(transform as unknown as NodeJS.WritableStream) as unknown as AsyncIterable<Buffer>;
  try {
    for await (const c of out) yield c;
  } catch (error) {
    if (error instanceof FormatError) throw error;
    onError((error as Error).message);
  }
}

/** The pickle streams in a file, by its format. Issues (unscannable wrappers, zip anomalies) go to `issues`. */
export async function* pickleSources(file: SourceFile, io: SourceIO, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  switch (file.format) {
    case 'pickle':
      yield { chunks: io.stream(CHUNK), baseOffset: 0, anomalies: [] };
      return;
    case 'torch-legacy':
      // torch.load reads five pickles (magic number, protocol version, sys_info, the object, storage keys).
      yield { chunks: io.stream(CHUNK), baseOffset: 0, maxPickles: 5, anomalies: [] };
      return;
    case 'joblib':
      yield* joblibSources(file, io, issues);
      return;
    case 'npy': {
      const end = npyHeaderEnd(file.head);
      const header = parseNpyHeader(await io.read(0, end));
      if (header.hasObjects) yield { chunks: rangeChunks(io.read, end, file.size), baseOffset: end, anomalies: [] };
      return;
    }
    case 'npz': case 'pytorch-zip': case 'zip': case 'keras':
      yield* zipSources(file, io, issues);
      return;
    case '7z':
      yield* sevenZipSources(file, io, issues);
      return;
    case 'tar':
      yield* tarSources(file, io, issues);
      return;
    case 'gzip':
      yield* gzipSources(file, io, issues);
      return;
    case 'bzip2': case 'xz': case 'zstd':
      if (file.kind === 'model') {
        issues.push({ kind: 'unscannable', message: `${file.format}-compressed model file; the gate does not decompress ${file.format}, so any pickle inside was not checked` });
      }
      return;
    default:
      return;
  }
}

async function* joblibSources(file: SourceFile, io: SourceIO, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  const onError = (m: string) => issues.push({ kind: 'anomaly', message: `the compressed stream breaks off (${m})` });
  if (looksLikePickle(file.head) || file.head[0] === 0x80) {
    yield { chunks: io.stream(CHUNK), baseOffset: 0, anomalies: [] };
  } else if (isZlib(file.head)) {
    yield { chunks: through(io.stream(CHUNK), createInflate(), onError), baseOffset: 0, anomalies: [] };
  } else if (startsWith(file.head, GZIP)) {
    yield { chunks: through(io.stream(CHUNK), createGunzip(), onError), baseOffset: 0, anomalies: [] };
  } else if (startsWith(file.head, JOBLIB_ZF) && isZlib(file.head.subarray(21))) {
    // joblib < 0.10: `ZF`, the length as hex padded to 19 characters, then a zlib stream (numpy_pickle_compat.py).
    yield { chunks: through(rangeChunks(io.read, 21, file.size), createInflate(), onError), baseOffset: 0, anomalies: [] };
  } else {
    issues.push({ kind: 'unscannable', message: 'joblib dump compressed with a method the gate does not decompress (lzma, xz, bz2 or lz4); its pickle was not checked' });
  }
}

async function* gzipSources(file: SourceFile, io: SourceIO, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  // Peek at the decompressed head: a gzipped pickle is scanned; anything else inside (a zip, a tar) is not.
  let head = Buffer.alloc(0);
  for await (const c of through(rangeChunks(io.read, 0, Math.min(file.size, 64 * 1024)), createGunzip(), () => undefined)) {
    head = Buffer.concat([head, c]);
    if (head.length >= SNIFF_BYTES) break;
  }
  const onError = (m: string) => issues.push({ kind: 'anomaly', message: `the gzip stream breaks off (${m})` });
  if (looksLikePickle(head)) {
    yield { chunks: through(io.stream(CHUNK), createGunzip(), onError), baseOffset: 0, anomalies: [] };
  } else if (head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar') {
    // model.tar.gz (SageMaker's artifact layout, torch hub archives): a tar cannot be walked inside gzip in
    // place, so it is inflated once into a bounded temp file and its members are read from there.
    yield* gunzippedTarSources(io, onError, issues);
  } else if (file.kind === 'model') {
    issues.push({ kind: 'unscannable', message: 'gzip-compressed model file whose content is not a raw pickle (an archive inside gzip cannot be read in place); it was not checked' });
  }
}

/** The most a .tar.gz is inflated to; past it the rest of the archive is reported unscanned. */
const MAX_GUNZIPPED_TAR = 8 * 1024 ** 3;

async function* gunzippedTarSources(io: SourceIO, onError: (m: string) => void, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  const dir = await mkdtemp(join(tmpdir(), 'ai-gate-tgz-'));
  const path = join(dir, 'archive.tar');
  try {
    let size = 0;
    const out = await open(path, 'w');
    try {
      for await (const chunk of through(io.stream(CHUNK), createGunzip(), onError)) {
        const room = MAX_GUNZIPPED_TAR - size;
        await out.write(chunk.subarray(0, Math.max(0, room)));
        size += Math.min(chunk.length, Math.max(0, room));
        if (room <= chunk.length) {
          issues.push({ kind: 'unscannable', message: `the gzip-compressed tar inflates past ${MAX_GUNZIPPED_TAR} bytes; members after that were not checked` });
          break;
        }
      }
    } finally {
      await out.close();
    }
    const handle = await open(path, 'r');
    try {
      const read: ReadAt = async (offset, length) => {
        const want = Math.max(0, Math.min(length, size - offset));
        const buf = Buffer.alloc(want);
        const { bytesRead } = await handle.read(buf, 0, want, offset);
        return buf.subarray(0, bytesRead);
      };
      const inner: SourceIO = { read, stream: () => rangeChunks(read, 0, size) };
      yield* tarSources({ format: 'tar', kind: 'model', size, head: await read(0, 8192) }, inner, issues);
    } finally {
      await handle.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function directory(file: SourceFile, io: SourceIO, issues: SourceIssue[]): Promise<ZipEntry[]> {
  try {
    const dir = await readZipDirectory(io.read, file.size, { verifyLocalHeaders: true });
    for (const a of dir.anomalies) issues.push({ kind: 'anomaly', message: a });
    return dir.entries;
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (file.kind === 'model') issues.push({ kind: 'unscannable', message: `the zip directory cannot be read (${error.message}); its members were not checked` });
    return [];
  }
}

async function memberHead(file: SourceFile, io: SourceIO, entry: ZipEntry, bytes: number): Promise<Buffer | undefined> {
  try {
    return (await readZipMember(io.read, file.size, entry, bytes)).data;
  } catch (error) {
    if (error instanceof FormatError) return undefined;
    throw error;
  }
}

async function* zipSources(file: SourceFile, io: SourceIO, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  let sniffed = 0;
  for (const entry of await directory(file, io, issues)) {
    if (STORAGE_NAME.test(entry.name) || entry.name.endsWith('/')) continue;
    if (sniffed++ >= MAX_SNIFFED_MEMBERS) {
      issues.push({ kind: 'unscannable', message: `the archive holds more than ${MAX_SNIFFED_MEMBERS} members; the rest were not checked` });
      return;
    }
    const head = await memberHead(file, io, entry, 64 * 1024);
    if (head === undefined) {
      issues.push({ kind: 'unscannable', member: entry.name, message: `member ${JSON.stringify(entry.name)} cannot be read (method ${entry.method}); it was not checked` });
      continue;
    }
    let skip = -1;
    if (startsWith(head, NPY)) {
      try {
        const header = parseNpyHeader(head);
        if (header.hasObjects) skip = header.headerEnd;
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    } else if (looksLikePickle(head.subarray(0, SNIFF_BYTES)) || (/\.(pkl|pickle)$/i.test(entry.name) && (entry.flags & 0x41) === 0)) {
      skip = 0;
    } else if (PICKLE_NAME.test(entry.name) && (entry.flags & 0x41) !== 0) {
      issues.push({ kind: 'unscannable', member: entry.name, message: `member ${JSON.stringify(entry.name)} is encrypted; a pickle inside cannot be checked` });
    }
    if (skip < 0) continue;
    let stream;
    try {
      stream = await streamZipMember(io.read, file.size, entry);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      issues.push({ kind: 'unscannable', member: entry.name, message: `member ${JSON.stringify(entry.name)} cannot be read (${error.message})` });
      continue;
    }
    yield { member: entry.name, chunks: skip ? skipBytes(stream.chunks, skip) : stream.chunks, baseOffset: skip, anomalies: stream.anomalies };
  }
}

/**
 * 7z (7-Zip DOC/7zFormat.txt): a 32-byte signature header, then packed streams, then the (usually
 * compressed) header. Without an LZMA decoder the gate reads the packed streams as they are: a member
 * stored with the Copy method is plain bytes there, and 7-Zip's LZMA2 writes incompressible data (such as
 * a small pickle) as "uncompressed" LZMA2 chunks, which are read here too. Anything else is unscannable.
 */
async function* sevenZipSources(file: SourceFile, io: SourceIO, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  const sig = await io.read(0, 32);
  if (sig.length < 32 || !startsWith(sig, SEVEN_ZIP)) return;
  const next = sig.readBigUInt64LE(12);
  const end = next > BigInt(file.size - 32) ? file.size : 32 + Number(next);
  const first = await io.read(32, SNIFF_BYTES);
  const partial = '7z archive read without decompression (the gate has no LZMA decoder); members compressed inside it were not checked';
  if (looksLikePickle(first)) {
    yield { chunks: rangeChunks(io.read, 32, end), baseOffset: 32, anomalies: [] };
    issues.push({ kind: 'anomaly', message: partial });
    return;
  }
  const state = { compressed: false };
  const stored = lzma2StoredChunks(io.read, 32, end, state);
  const peek = await stored.next();
  if (!peek.done && looksLikePickle(peek.value.subarray(0, SNIFF_BYTES))) {
    yield { chunks: (async function* () { yield peek.value; yield* stored; })(), baseOffset: 0, anomalies: [] };
    if (state.compressed) issues.push({ kind: 'anomaly', message: partial });
    return;
  }
  issues.push({ kind: 'unscannable', message: '7z archive whose members are compressed; the gate cannot decompress them, so any pickle inside was not checked' });
}

/**
 * The uncompressed chunks of an LZMA2 stream (xz-file-format / LZMA2: control byte 0x01 or 0x02, then the
 * size minus one as 16-bit big-endian, then the bytes as they are). Stops at the end marker 0x00 or at the
 * first LZMA-compressed chunk (control ≥ 0x80), which it flags in `state`.
 */
async function* lzma2StoredChunks(read: ReadAt, start: number, end: number, state: { compressed: boolean }): AsyncGenerator<Buffer> {
  for (let pos = start; pos < end;) {
    const h = await read(pos, 3);
    if (h.length === 0 || h[0] === 0x00) return;
    if (h[0] !== 0x01 && h[0] !== 0x02) { state.compressed = true; return; }
    if (h.length < 3) return;
    const size = h.readUInt16BE(1) + 1;
    const data = await read(pos + 3, Math.min(size, end - pos - 3));
    if (data.length === 0) return;
    yield data;
    pos += 3 + size;
  }
}

/** POSIX ustar (and the legacy torch tar layout): each regular member that is a pickle by its bytes. */
async function* tarSources(file: SourceFile, io: SourceIO, issues: SourceIssue[]): AsyncGenerator<PickleSource> {
  let pos = 0;
  for (let n = 0; pos + 512 <= file.size; n++) {
    if (n >= MAX_TAR_MEMBERS) {
      issues.push({ kind: 'unscannable', message: `the tar archive holds more than ${MAX_TAR_MEMBERS} members; the rest were not checked` });
      return;
    }
    const h = await io.read(pos, 512);
    if (h.length < 512 || h.every((b) => b === 0)) return;
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const sizeText = h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim();
    const size = /^[0-7]+$/.test(sizeText) ? parseInt(sizeText, 8) : NaN;
    if (!Number.isSafeInteger(size)) {
      issues.push({ kind: 'unscannable', message: `tar member header at byte ${pos} has an unreadable size; the rest was not checked` });
      return;
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const start = pos + 512;
    if ((type === '0' || type === '7') && size > 0) {
      const body = await io.read(start, Math.min(size, SNIFF_BYTES));
      if (looksLikePickle(body)) yield { member: name, chunks: rangeChunks(io.read, start, Math.min(file.size, start + size)), baseOffset: 0, anomalies: [] };
    }
    pos = start + Math.ceil(size / 512) * 512;
  }
}
