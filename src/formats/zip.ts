/**
 * A lenient, bounded zip reader (PKWARE APPNOTE.TXT 6.3.10): the central directory, and single members,
 * read through `ReadAt` so that a 5 GB checkpoint costs a few small reads. It reads what CPython's
 * `zipfile` reads (the last end-of-central-directory record, the central directory by its size, prepended
 * bytes allowed) and reports every trick a scanner should not silently accept as an anomaly: encryption
 * and other flag bits, local names that differ from central ones, path traversal, duplicates, overlaps.
 * Broken structure throws FormatError; nothing else is thrown for bad input.
 */
import { createInflateRaw } from 'node:zlib';
import * as zlib from 'node:zlib';
import { FormatError, type ReadAt } from './errors.js';

export interface ZipEntry {
  /** Decoded as UTF-8 when flag bit 11 is set, else as CP437 (what CPython's zipfile does). */
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Absolute offset of the local file header in the file (already shifted by any prepended bytes). */
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Sentences, each naming the entry (JSON-quoted) and what is odd about it. */
  anomalies: string[];
}

export interface ZipMember {
  data: Buffer;
  /** True when the member holds more than `maxBytes` (after decompression); `data` is its first `maxBytes`. */
  truncated: boolean;
  anomalies: string[];
}

export interface ZipDirectoryOptions {
  /** More central directory entries than this is a FormatError. Default 100,000. */
  maxEntries?: number;
  /** A larger central directory is a FormatError. Default 64 MiB. */
  maxCentralDirectoryBytes?: number;
  /** Also read every local header and report names, methods and flags that differ. Default false. */
  verifyLocalHeaders?: boolean;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_SIG = 0x06064b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const EOCD64_SIZE = 56;
const LOCATOR_SIZE = 20;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_PATCHED = 0x20;
const FLAG_STRONG_ENCRYPTION = 0x40;
const FLAG_UTF8 = 0x800;
const READ_CHUNK = 1 << 20;

/** A `ReadAt` over an in-memory buffer. */
export function bufferReadAt(buf: Buffer): ReadAt {
  return async (offset, length) => {
    if (offset < 0 || length <= 0 || offset >= buf.length) return Buffer.alloc(0);
    return buf.subarray(offset, Math.min(buf.length, offset + length));
  };
}

async function readExact(read: ReadAt, offset: number, length: number, what: string): Promise<Buffer> {
  const got = length === 0 ? Buffer.alloc(0) : await read(offset, length);
  if (got.length < length) throw new FormatError(`truncated zip: ${what} at offset ${offset} needs ${length} bytes, found ${got.length}`, offset);
  return got.length > length ? got.subarray(0, length) : got;
}

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`zip64 ${what} ${v} is larger than any file`);
  return Number(v);
}

const q = (name: string): string => JSON.stringify(name);

/**
 * Read the central directory. Throws FormatError when the archive is not a zip or is broken (no end record,
 * offsets or sizes outside the file, a bad signature, more entries than the limit).
 */
export async function readZipDirectory(read: ReadAt, fileSize: number, opts: ZipDirectoryOptions = {}): Promise<ZipDirectory> {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw new FormatError(`invalid file size ${fileSize}`);
  const maxEntries = opts.maxEntries ?? 100_000;
  const maxCd = opts.maxCentralDirectoryBytes ?? 64 * 1024 * 1024;
  const anomalies: string[] = [];
  const end = await findEnd(read, fileSize, anomalies);

  // Where the central directory really starts: CPython assumes it ends right before the end record and
  // treats any difference from the recorded offset as bytes prepended to the archive.
  if (end.cdSize > maxCd) throw new FormatError(`central directory of ${end.cdSize} bytes exceeds the limit of ${maxCd}`);
  if (end.entryCount > maxEntries) throw new FormatError(`central directory claims ${end.entryCount} entries, more than the limit of ${maxEntries}`);
  if (end.cdSize > end.cdEnd) throw new FormatError(`central directory size ${end.cdSize} is larger than the bytes before its end record`);
  let delta = end.cdEnd - end.cdSize - end.cdOffset;
  if (delta < 0 || !(await hasCentralSignature(read, end.cdOffset + delta, end.cdSize))) {
    if (end.cdOffset + end.cdSize <= end.cdEnd && (await hasCentralSignature(read, end.cdOffset, end.cdSize))) {
      anomalies.push(`${end.cdEnd - end.cdOffset - end.cdSize} unexplained bytes lie between the central directory and its end record`);
      delta = 0;
    } else {
      throw new FormatError(`central directory not found at offset ${end.cdOffset} (size ${end.cdSize})`, end.cdOffset);
    }
  }
  if (delta > 0) anomalies.push(`${delta} bytes precede the archive (prepended data or a polyglot file)`);
  const cdStart = end.cdOffset + delta;
  const cd = await readExact(read, cdStart, end.cdSize, 'central directory');

  const entries = parseCentralDirectory(cd, cdStart, delta, fileSize, maxEntries, anomalies);
  if (entries.length !== end.entryCount && !(!end.zip64 && (entries.length & 0xffff) === end.entryCount)) {
    anomalies.push(`the central directory holds ${entries.length} entries but its end record says ${end.entryCount}`);
  }
  checkEntries(entries, cdStart, anomalies);
  if (opts.verifyLocalHeaders) {
    for (const e of entries) anomalies.push(...(await readLocalHeader(read, fileSize, e)).anomalies);
  }
  return { entries, anomalies };
}

interface EndRecord {
  cdOffset: number;
  cdSize: number;
  entryCount: number;
  /** Where the central directory should end: the zip64 end record if there is one, else the end record. */
  cdEnd: number;
  zip64: boolean;
}

async function findEnd(read: ReadAt, fileSize: number, anomalies: string[]): Promise<EndRecord> {
  if (fileSize < EOCD_SIZE) throw new FormatError(`not a zip archive: ${fileSize} bytes is shorter than an end-of-central-directory record`);
  const tailLen = Math.min(fileSize, MAX_COMMENT + EOCD_SIZE);
  const tailStart = fileSize - tailLen;
  const tail = await readExact(read, tailStart, tailLen, 'archive tail');
  const sig = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
  const candidates: number[] = [];
  for (let i = tail.lastIndexOf(sig, tail.length - EOCD_SIZE); i >= 0; i = i > 0 ? tail.lastIndexOf(sig, i - 1) : -1) {
    candidates.push(i);
  }
  if (candidates.length === 0) throw new FormatError('no end-of-central-directory record: not a zip archive, or truncated');
  // Prefer a record whose comment runs exactly to the end of the file; CPython takes the last signature.
  const exact = candidates.find((i) => tail.readUInt16LE(i + 20) === tail.length - i - EOCD_SIZE);
  const at = exact ?? candidates[0];
  if (exact === undefined) {
    anomalies.push(`the end-of-central-directory comment length does not match the ${tail.length - at - EOCD_SIZE} bytes after the record`);
  } else if (exact !== candidates[0]) {
    anomalies.push('the archive comment holds another end-of-central-directory signature; zip readers may disagree on the contents');
  }
  const eocd = tail.subarray(at, at + EOCD_SIZE);
  const eocdPos = tailStart + at;
  if (eocd.readUInt16LE(4) !== 0 || eocd.readUInt16LE(6) !== 0) throw new FormatError('multi-disk (spanned) zip archives are not supported', eocdPos);
  const rec: EndRecord = {
    entryCount: eocd.readUInt16LE(10), cdSize: eocd.readUInt32LE(12), cdOffset: eocd.readUInt32LE(16), cdEnd: eocdPos, zip64: false,
  };
  if (eocdPos >= LOCATOR_SIZE) {
    const loc = await readExact(read, eocdPos - LOCATOR_SIZE, LOCATOR_SIZE, 'zip64 locator');
    if (loc.readUInt32LE(0) === EOCD64_LOCATOR_SIG) {
      const rec64 = await readZip64End(read, fileSize, loc, eocdPos);
      if (rec64) return rec64;
      anomalies.push('a zip64 locator points at no zip64 end record; the 32-bit end record was used');
    }
  }
  return rec;
}

async function readZip64End(read: ReadAt, fileSize: number, loc: Buffer, eocdPos: number): Promise<EndRecord | undefined> {
  const recorded = u64(loc, 8, 'end record offset');
  // CPython looks right before the locator; the recorded offset differs when bytes were prepended.
  const beforeLocator = eocdPos - LOCATOR_SIZE - EOCD64_SIZE;
  for (const pos of [recorded, beforeLocator]) {
    if (pos < 0 || pos + EOCD64_SIZE > fileSize) continue;
    const r = await readExact(read, pos, EOCD64_SIZE, 'zip64 end record');
    if (r.readUInt32LE(0) !== EOCD64_SIG) continue;
    if (r.readUInt32LE(16) !== 0 || r.readUInt32LE(20) !== 0) throw new FormatError('multi-disk (spanned) zip64 archives are not supported', pos);
    return {
      entryCount: u64(r, 32, 'entry count'), cdSize: u64(r, 40, 'central directory size'),
      cdOffset: u64(r, 48, 'central directory offset'), cdEnd: pos, zip64: true,
    };
  }
  return undefined;
}

async function hasCentralSignature(read: ReadAt, at: number, cdSize: number): Promise<boolean> {
  if (cdSize === 0) return true;
  if (at < 0 || cdSize < 4) return false;
  const b = await read(at, 4);
  return b.length === 4 && b.readUInt32LE(0) === CENTRAL_SIG;
}

function parseCentralDirectory(
  cd: Buffer, cdStart: number, delta: number, fileSize: number, maxEntries: number, anomalies: string[],
): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos < cd.length) {
    if (cd.length - pos < 4 || cd.readUInt32LE(pos) !== CENTRAL_SIG) {
      anomalies.push(`${cd.length - pos} bytes that are not central directory entries follow entry ${entries.length}`);
      break;
    }
    if (pos + CENTRAL_SIZE > cd.length) throw new FormatError(`central directory entry ${entries.length} is truncated`, cdStart + pos);
    if (entries.length >= maxEntries) throw new FormatError(`central directory holds more than ${maxEntries} entries`);
    const nameLen = cd.readUInt16LE(pos + 28);
    const extraLen = cd.readUInt16LE(pos + 30);
    const commentLen = cd.readUInt16LE(pos + 32);
    const next = pos + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (next > cd.length) throw new FormatError(`central directory entry ${entries.length} runs past the directory`, cdStart + pos);
    const flags = cd.readUInt16LE(pos + 8);
    const nameStart = pos + CENTRAL_SIZE;
    const entry: ZipEntry = {
      name: decodeName(cd.subarray(nameStart, nameStart + nameLen), flags),
      method: cd.readUInt16LE(pos + 10),
      flags,
      crc32: cd.readUInt32LE(pos + 16),
      compressedSize: cd.readUInt32LE(pos + 20),
      uncompressedSize: cd.readUInt32LE(pos + 24),
      localHeaderOffset: cd.readUInt32LE(pos + 42),
    };
    applyZip64Extra(entry, cd.subarray(nameStart + nameLen, nameStart + nameLen + extraLen), cd.readUInt16LE(pos + 34));
    entry.localHeaderOffset += delta;
    if (entry.localHeaderOffset + LOCAL_SIZE > fileSize) {
      throw new FormatError(`entry ${q(entry.name)}: local header offset ${entry.localHeaderOffset} is beyond the end of the file`);
    }
    if (entry.localHeaderOffset + LOCAL_SIZE + entry.compressedSize > fileSize) {
      throw new FormatError(`entry ${q(entry.name)}: compressed size ${entry.compressedSize} runs past the end of the file`);
    }
    entries.push(entry);
    pos = next;
  }
  return entries;
}

/** Zip64 extended information (APPNOTE 4.5.3): 8-byte fields present only for the 32-bit fields that are all ones. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer, disk: number): void {
  const needs = [entry.uncompressedSize === 0xffffffff, entry.compressedSize === 0xffffffff, entry.localHeaderOffset === 0xffffffff];
  if (!needs.some(Boolean) && disk !== 0xffff) return;
  for (let p = 0; p + 4 <= extra.length;) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    const body = extra.subarray(p + 4, Math.min(extra.length, p + 4 + len));
    if (id === 0x0001) {
      let f = 0;
      const take = (what: string): number => {
        if (f + 8 > body.length) throw new FormatError(`entry ${q(entry.name)}: zip64 extra field lacks the ${what}`);
        const v = u64(body, f, what);
        f += 8;
        return v;
      };
      if (needs[0]) entry.uncompressedSize = take('uncompressed size');
      if (needs[1]) entry.compressedSize = take('compressed size');
      if (needs[2]) entry.localHeaderOffset = take('local header offset');
      return;
    }
    p += 4 + len;
  }
  if (needs.some(Boolean)) throw new FormatError(`entry ${q(entry.name)}: sizes or offset are 0xFFFFFFFF but there is no zip64 extra field`);
}

function checkEntries(entries: ZipEntry[], cdStart: number, anomalies: string[]): void {
  const seen = new Map<string, number>();
  for (const e of entries) {
    seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
    anomalies.push(...flagAnomalies(e.name, e.flags, 'central directory'));
    anomalies.push(...nameAnomalies(e.name));
    if (e.localHeaderOffset >= cdStart) {
      anomalies.push(`entry ${q(e.name)}: its local header lies inside or after the central directory`);
    }
  }
  for (const [name, n] of seen) if (n > 1) anomalies.push(`entry name ${q(name)} appears ${n} times; zip readers disagree on which one wins`);
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    if (prev.localHeaderOffset + LOCAL_SIZE + prev.compressedSize > byOffset[i].localHeaderOffset) {
      anomalies.push(`entries ${q(prev.name)} and ${q(byOffset[i].name)} overlap (a zip-bomb technique, or two names for the same bytes)`);
    }
  }
}

function flagAnomalies(name: string, flags: number, where: string): string[] {
  const out: string[] = [];
  if (flags & FLAG_ENCRYPTED) out.push(`entry ${q(name)}: the ${where} marks it encrypted (flag bit 0x1)`);
  if (flags & FLAG_PATCHED) out.push(`entry ${q(name)}: the ${where} marks it compressed patched data (flag bit 0x20)`);
  if (flags & FLAG_STRONG_ENCRYPTION) out.push(`entry ${q(name)}: the ${where} marks it strongly encrypted (flag bit 0x40)`);
  return out;
}

function nameAnomalies(name: string): string[] {
  const out: string[] = [];
  if (name === '') out.push('an entry has an empty name');
  if (name.includes('\\')) out.push(`entry ${q(name)}: the name contains backslashes`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) out.push(`entry ${q(name)}: the name is an absolute path`);
  if (name.split(/[/\\]/).includes('..')) out.push(`entry ${q(name)}: the name climbs out with ".."`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) out.push(`entry ${q(name)}: the name contains control characters`);
  return out;
}

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(raw: Buffer, flags: number): string {
  if (flags & FLAG_UTF8) return raw.toString('utf8');
  let s = '';
  for (const c of raw) s += c < 0x80 ? String.fromCharCode(c) : CP437_HIGH[c - 0x80];
  return s;
}

interface LocalHeader {
  dataStart: number;
  anomalies: string[];
}

async function readLocalHeader(read: ReadAt, fileSize: number, entry: ZipEntry): Promise<LocalHeader> {
  const off = entry.localHeaderOffset;
  const h = await readExact(read, off, LOCAL_SIZE, `local header of ${q(entry.name)}`);
  if (h.readUInt32LE(0) !== LOCAL_SIG) throw new FormatError(`entry ${q(entry.name)}: no local file header at offset ${off}`, off);
  const flags = h.readUInt16LE(6);
  const method = h.readUInt16LE(8);
  const nameLen = h.readUInt16LE(26);
  const extraLen = h.readUInt16LE(28);
  const localName = decodeName(await readExact(read, off + LOCAL_SIZE, nameLen, `local name of ${q(entry.name)}`), flags);
  const anomalies: string[] = [];
  if (localName !== entry.name) {
    anomalies.push(`entry ${q(entry.name)}: the local header names it ${q(localName)}; tools that read local headers see a different file`);
  }
  if (method !== entry.method) anomalies.push(`entry ${q(entry.name)}: the local header says method ${method}, the central directory ${entry.method}`);
  const diff = (flags ^ entry.flags) & (FLAG_ENCRYPTED | FLAG_PATCHED | FLAG_STRONG_ENCRYPTION);
  if (diff) anomalies.push(...flagAnomalies(entry.name, flags & diff, 'local header'));
  const dataStart = off + LOCAL_SIZE + nameLen + extraLen;
  if (dataStart + entry.compressedSize > fileSize) {
    throw new FormatError(`entry ${q(entry.name)}: data of ${entry.compressedSize} bytes at offset ${dataStart} runs past the end of the file`, dataStart);
  }
  return { dataStart, anomalies };
}

/**
 * Read one member, at most `maxBytes` of it after decompression (a zip bomb stops there). Methods 0 (stored)
 * and 8 (deflate); any other is a FormatError. The encryption flag does not stop the read: the bytes are
 * returned as stored (archives that set the flag on plain data are a known scanner bypass). A CRC or size
 * mismatch, or a deflate stream that breaks off, is an anomaly and the bytes so far are returned: a
 * pickle loader runs the opcodes it has read before it meets the damage.
 */
export async function readZipMember(read: ReadAt, fileSize: number, entry: ZipEntry, maxBytes: number): Promise<ZipMember> {
  const local = await readLocalHeader(read, fileSize, entry);
  const anomalies = local.anomalies;
  if ((entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    anomalies.push(`entry ${q(entry.name)}: marked encrypted; its bytes were read as if they were not`);
  }
  const limit = Math.max(0, Math.floor(maxBytes));
  let data: Buffer;
  let truncated: boolean;
  if (entry.method === 0) {
    data = await readExact(read, local.dataStart, Math.min(entry.compressedSize, limit), `data of ${q(entry.name)}`);
    truncated = entry.compressedSize > limit;
    if (entry.compressedSize !== entry.uncompressedSize) {
      anomalies.push(`entry ${q(entry.name)}: stored with compressed size ${entry.compressedSize} but uncompressed size ${entry.uncompressedSize}`);
    }
  } else if (entry.method === 8) {
    const r = await inflateBounded(read, local.dataStart, entry.compressedSize, limit, entry.name);
    data = r.data;
    truncated = r.truncated;
    if (r.error !== undefined) anomalies.push(`entry ${q(entry.name)}: the deflate stream breaks off after ${data.length} bytes (${r.error})`);
    else if (!truncated && data.length !== entry.uncompressedSize) {
      anomalies.push(`entry ${q(entry.name)}: inflates to ${data.length} bytes, not the recorded ${entry.uncompressedSize}`);
    }
  } else {
    throw new FormatError(`unsupported compression method ${entry.method} for entry ${q(entry.name)}`);
  }
  if (!truncated && crc32(data) !== entry.crc32) {
    anomalies.push(`entry ${q(entry.name)}: CRC-32 mismatch (recorded ${hex(entry.crc32)}, computed ${hex(crc32(data))})`);
  }
  return { data, truncated, anomalies };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

async function inflateBounded(
  read: ReadAt, start: number, size: number, maxBytes: number, name: string,
): Promise<{ data: Buffer; truncated: boolean; error?: string }> {
  const inflater = createInflateRaw();
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  let error: string | undefined;
  let finished = false;
  const done = new Promise<void>((resolve) => {
    const finish = (): void => { finished = true; resolve(); };
    inflater.on('data', (c: Buffer) => {
      if (finished) return;
      const room = maxBytes - total;
      if (c.length > room) {
        chunks.push(c.subarray(0, room));
        total += room;
        truncated = true;
        finish();
        inflater.destroy();
        return;
      }
      chunks.push(c);
      total += c.length;
    });
    inflater.on('end', finish);
    inflater.on('close', finish);
    inflater.on('error', (e: Error) => { error = e.message; finish(); });
  });
  for (let pos = 0; pos < size && !finished;) {
    const n = Math.min(READ_CHUNK, size - pos);
    const buf = await readExact(read, start + pos, n, `data of ${q(name)}`);
    pos += n;
    if (!inflater.write(buf) && !finished) {
      await Promise.race([new Promise((r) => inflater.once('drain', r)), done]);
    }
  }
  if (!finished) inflater.end();
  await done;
  return { data: Buffer.concat(chunks, total), truncated, error };
}

let crcTable: Int32Array | undefined;

/** CRC-32 (ISO 3309, as in zip and gzip); zlib's native one where Node has it (20.15+). */
export function crc32(data: Buffer): number {
  const native = (zlib as { crc32?: (d: Buffer) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export interface ZipMemberStream {
  /** The member's bytes after decompression, in chunks of about 1 MiB; memory stays bounded whatever its size. */
  chunks: AsyncIterable<Buffer>;
  /**
   * Anomalies, as `readZipMember` words them. Those about the local header are here at once; a CRC or size
   * mismatch and a broken deflate stream are added when iteration reaches the end of the member.
   */
  anomalies: string[];
}

/**
 * Stream one member (methods 0 and 8) without holding it in memory: for pickles inside multi-GB checkpoints.
 * Lenient in the same way as `readZipMember`: encryption flags do not stop the read, a deflate stream that
 * breaks off ends the chunks (with an anomaly) instead of throwing, and `maxBytes` caps what is produced.
 * Throws FormatError for a bad local header or an unsupported method, before any chunk.
 */
export async function streamZipMember(read: ReadAt, fileSize: number, entry: ZipEntry, maxBytes = Number.MAX_SAFE_INTEGER): Promise<ZipMemberStream> {
  const local = await readLocalHeader(read, fileSize, entry);
  const anomalies = local.anomalies;
  if ((entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    anomalies.push(`entry ${q(entry.name)}: marked encrypted; its bytes were read as if they were not`);
  }
  if (entry.method !== 0 && entry.method !== 8) throw new FormatError(`unsupported compression method ${entry.method} for entry ${q(entry.name)}`);
  const nativeCrc = (zlib as { crc32?: (d: Buffer, v?: number) => number }).crc32;
  async function* raw(): AsyncGenerator<Buffer> {
    for (let pos = 0; pos < entry.compressedSize;) {
      const n = Math.min(READ_CHUNK, entry.compressedSize - pos);
      const buf = await readExact(read, local.dataStart + pos, n, `data of ${q(entry.name)}`);
      pos += n;
      yield buf;
    }
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    let total = 0;
    let crc = 0;
    let capped = false;
    const source = entry.method === 0 ? raw() : inflateChunks(raw(), (message) => {
      anomalies.push(`entry ${q(entry.name)}: the deflate stream breaks off after ${total} bytes (${message})`);
    });
    for await (const chunk of source) {
      let c = chunk;
      if (total + c.length > maxBytes) {
        c = c.subarray(0, maxBytes - total);
        capped = true;
      }
      total += c.length;
      if (nativeCrc) crc = nativeCrc(c, crc) >>> 0;
      if (c.length) yield c;
      if (capped) return;
    }
    if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
      anomalies.push(`entry ${q(entry.name)}: stored with compressed size ${entry.compressedSize} but uncompressed size ${entry.uncompressedSize}`);
    } else if (entry.method === 8 && total !== entry.uncompressedSize && !anomalies.some((a) => a.includes('breaks off'))) {
      anomalies.push(`entry ${q(entry.name)}: inflates to ${total} bytes, not the recorded ${entry.uncompressedSize}`);
    }
    if (nativeCrc && crc !== entry.crc32) {
      anomalies.push(`entry ${q(entry.name)}: CRC-32 mismatch (recorded ${hex(entry.crc32)}, computed ${hex(crc)})`);
    }
  }
  return { chunks: chunks(), anomalies };
}

/** Raw-deflate decompression of an async chunk source with backpressure; a broken stream ends the output. */
async function* inflateChunks(source: AsyncIterable<Buffer>, onError: (message: string) => void): AsyncGenerator<Buffer> {
  const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
  const feed = (async () => {
    try {
      for await (const buf of source) {
        if (inflater.destroyed) return;
        if (!inflater.write(buf)) await new Promise<void>((resolve) => { inflater.once('drain', resolve); inflater.once('close', resolve); });
      }
      if (!inflater.destroyed) inflater.end();
    } catch (error) {
      inflater.destroy(error as Error);
    }
  })();
  try {
    for await (const out of inflater) yield out as Buffer;
  } catch (error) {
    if (error instanceof FormatError) throw error;
    onError((error as Error).message);
  } finally {
    inflater.destroy();
    await feed;
  }
}
