/**
 * One streaming row source over the dataset formats: CSV/TSV, JSON Lines, JSON arrays, Parquet, plain text,
 * and gzip of the text formats. A file is read in full up to a byte budget; past it, fixed windows spread
 * evenly over the rest are read (deterministic: the same file gives the same sample). `stats` says exactly
 * how much was read, and every data rule repeats it in its findings.
 */
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { FileReader } from '../engine/rule.js';
import type { ScannedFile } from '../discovery/types.js';
import { MAX_RECORD_BYTES, csvBatches, sniffDelimiter } from './csv.js';
import { HitCursor, type RowFilter } from './row-filter.js';
import { FormatError, TooLongError } from './errors.js';
import { incompleteTail } from './utf8.js';
import { jsonArrayElements, jsonLineBatches, jsonLines } from './jsonl.js';
import { openParquet, parquetRows } from './parquet.js';

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'text';

export interface ReadBudget {
  /** Bytes read in full from the start of the file. */
  budgetBytes: number;
  /** Bytes read past the budget, in `sampleWindows` windows spread evenly over the rest. */
  sampleBytes: number;
  sampleWindows: number;
}

export const DEFAULT_BUDGET: ReadBudget = { budgetBytes: 256 * 1024 * 1024, sampleBytes: 32 * 1024 * 1024, sampleWindows: 32 };

export interface DatasetRow {
  /** 1-based position among the rows read (header excluded). */
  index: number;
  /** 1-based line where the row starts (text formats, within the fully read part). */
  line?: number;
  /** 1-based row number in the file (Parquet). */
  row?: number;
  /** Byte offset of the sample window the row came from (rows past the budget). */
  sampleOffset?: number;
  values: Record<string, unknown>;
}

export interface ReadStats {
  format: DatasetFormat;
  compressed: boolean;
  totalBytes: number;
  /** Bytes of the file read (compressed bytes for .gz). */
  bytesRead: number;
  rows: number;
  /** True when everything was read; false when the budget cut it (sampled or stopped). */
  complete: boolean;
  sampled: boolean;
  /** Rows that did not parse (JSON Lines), with the first one's line and reason. */
  badRows: number;
  firstBadRow?: { line: number; reason: string };
  /** Byte offset (in the decoded stream) of the first bytes that are not UTF-8. */
  undecodableAt?: number;
  /** Sample windows that did not parse (e.g. cut inside a quoted CSV field) and were skipped. */
  skippedWindows: number;
}

export interface DatasetSource {
  format: DatasetFormat;
  /** Column names (CSV header, Parquet schema; for JSON, the keys seen so far, growing while rows are read). */
  columns: string[];
  /** Column types where the format declares them (Parquet). */
  columnTypes?: Record<string, string>;
  /**
   * The rows, in order. `filter`, when given, is asked about the raw text (CSV/TSV records, JSON Lines lines,
   * text lines) before rows are built: a row with no hit is counted (`index` and `stats.rows` stay the file's)
   * but neither parsed nor yielded, which is most of the cost of a row. Formats without raw rows (Parquet,
   * JSON arrays, one JSON object) ignore it and yield every row.
   */
  rows(filter?: RowFilter): AsyncIterable<DatasetRow>;
  stats: ReadStats;
}

const INNER_FORMAT: Record<string, DatasetFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json', '.txt': 'text' };

/** The dataset format of a file, looking through `.gz`; undefined for formats that are not read (arrow, zip…). */
export function datasetFormat(file: Pick<ScannedFile, 'path' | 'format'>): { format: DatasetFormat; gzip: boolean } | undefined {
  if (['csv', 'tsv', 'jsonl', 'json', 'parquet'].includes(file.format)) return { format: file.format as DatasetFormat, gzip: false };
  if (file.format === 'text') return { format: 'text', gzip: false };
  if (file.format === 'gzip') {
    const inner = /(\.[a-z]+)\.gz$/i.exec(file.path)?.[1]?.toLowerCase();
    const format = inner ? INNER_FORMAT[inner] : undefined;
    return format ? { format, gzip: true } : undefined;
  }
  return undefined;
}

/** A sentence fragment for messages: "read all 1.2 MB" or "read 256 MB of 1.0 GB in full plus 32 sampled windows". */
export function describeRead(s: ReadStats): string {
  const rows = `${s.rows.toLocaleString('en-US')} row${s.rows === 1 ? '' : 's'}`;
  if (s.complete) return `read in full: ${rows}, ${size(s.totalBytes)}`;
  if (s.compressed) return `read the first ${size(s.bytesRead)} of ${size(s.totalBytes)} compressed (${rows}); the rest was not read`;
  if (s.sampled) return `read ${size(s.bytesRead)} of ${size(s.totalBytes)} (the start in full, then evenly spaced samples; ${rows})`;
  return `read the first ${size(s.bytesRead)} of ${size(s.totalBytes)} (${rows})`;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export async function openDataset(file: Pick<ScannedFile, 'path' | 'format' | 'size'>, reader: DatasetReader, budget: ReadBudget = DEFAULT_BUDGET): Promise<DatasetSource> {
  const kind = datasetFormat(file);
  if (!kind) throw new FormatError(`${file.format} is not a dataset format this gate reads`);
  const stats: ReadStats = {
    format: kind.format, compressed: kind.gzip, totalBytes: file.size, bytesRead: 0, rows: 0, complete: true,
    sampled: false, badRows: 0, skippedWindows: 0,
  };
  if (kind.format === 'parquet') return openParquetSource(file.size, reader, budget, stats);
  if (kind.format === 'json' && !kind.gzip) {
    const first = (await reader.read(0, 256)).toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
    // A JSON file holding one object (a config or a card in a data folder) is one row; objects on successive
    // lines are JSON Lines.
    if (first === '{') return objectSource(file.size, reader, budget, stats);
  }
  // A JSON array cannot be entered mid-way: it is read up to the budget and no further.
  const own = kind.format === 'json' ? { ...budget, sampleWindows: 0 } : budget;
  const plan = kind.gzip ? gzipPlan(file.size, reader, own, stats) : rawPlan(file.size, reader, own, stats, kind.format === 'json' ? undefined : MAX_LINE);
  const source: DatasetSource = { format: kind.format, columns: [], stats, rows: (filter) => textRows(source, plan, filter) };
  return source;
}

/** What a dataset is read through: a FileReader, or (tests, profiles) anything that reads at an offset. */
export type DatasetReader = Pick<FileReader, 'read'> & Partial<Pick<FileReader, 'stream'>>;

/** A run of bytes to parse as one piece: the file's start, or one sample window. */
interface Piece { chunks: AsyncIterable<Buffer>; sampleOffset?: number; mayBeCut: boolean }

/** The longest line any text dataset row may be (CSV records and JSON Lines lines share the limit). */
const MAX_LINE = MAX_RECORD_BYTES;

/** `maxLine`: the longest line the format allows (undefined for a JSON array, which may be one long line). */
function* rawPlan(total: number, reader: DatasetReader, budget: ReadBudget, stats: ReadStats, maxLine?: number): Iterable<Piece> {
  const head = Math.min(total, budget.budgetBytes);
  const cut = total > head;
  if (cut) stats.complete = false;
  // A start cut by the budget ends mid-line: that partial line is dropped, not parsed as a short row. A JSON
  // array (no line limit) is not cut at a line: it is often one line, which would then be held whole and
  // dropped; its elements stream, and one cut by the budget ends the piece.
  const start = validated(readStart(reader, head, stats), stats, 0);
  yield { chunks: cut && maxLine !== undefined ? withoutPartialLine(start, maxLine) : start, mayBeCut: cut };
  if (!cut) return;
  const rest = total - head;
  const windows = Math.max(0, budget.sampleWindows);
  if (windows === 0 || budget.sampleBytes <= 0) return;
  stats.sampled = true;
  const windowBytes = Math.max(4096, Math.floor(budget.sampleBytes / windows));
  if (rest <= budget.sampleBytes) {
    yield { chunks: readRange(reader, head, rest, stats), sampleOffset: head, mayBeCut: false };
    return;
  }
  for (let w = 0; w < windows; w++) {
    const offset = head + Math.floor(((rest - windowBytes) * (w + 1)) / windows);
    yield { chunks: readRange(reader, offset, windowBytes, stats), sampleOffset: offset, mayBeCut: true };
  }
}

function* gzipPlan(total: number, reader: Pick<FileReader, 'read'>, budget: ReadBudget, stats: ReadStats): Iterable<Piece> {
  async function* inflate(): AsyncIterable<Buffer> {
    const gunzip = createGunzip();
    const input = Readable.from(readRange(reader, 0, total, stats));
    input.on('error', (e) => gunzip.destroy(e));
    input.pipe(gunzip);
    let produced = 0;
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        const room = budget.budgetBytes + budget.sampleBytes - produced;
        if (room <= 0) { stats.complete = false; break; }
        produced += chunk.length;
        yield chunk.length > room ? chunk.subarray(0, room) : chunk;
        if (chunk.length > room) { stats.complete = false; break; }
      }
    } catch (error) {
      if (error instanceof FormatError) throw error;
      throw new FormatError(`invalid gzip data: ${(error as Error).message}`);
    } finally {
      input.destroy();
      gunzip.destroy();
    }
  }
  // The cut (if any) is only known while reading; textRows tolerates a cut last row when complete is false.
  yield { chunks: validated(inflate(), stats, 0), mayBeCut: true };
}

async function* readRange(reader: Pick<FileReader, 'read'>, start: number, length: number, stats: ReadStats): AsyncIterable<Buffer> {
  for (let at = start; at < start + length;) {
    const part = await reader.read(at, Math.min(READ_BYTES, start + length - at));
    if (part.length === 0) return;
    at += part.length;
    stats.bytesRead += part.length;
    for (let p = 0; p < part.length; p += PIECE_BYTES) yield part.subarray(p, p + PIECE_BYTES);
  }
}

/**
 * The file's first `length` bytes, as readRange hands them on, but read into one reused buffer when the reader
 * streams (FileReader.stream with `reuse`): a piece is then valid only until the next is asked for, and every
 * stage after this that keeps bytes longer (a line without its end yet, an incomplete character) copies them.
 * Fresh buffers for every megabyte cost V8 a full collection every ~64 MB of them.
 */
async function* readStart(reader: DatasetReader, length: number, stats: ReadStats): AsyncIterable<Buffer> {
  if (!reader.stream) {
    yield* readRange(reader, 0, length, stats);
    return;
  }
  if (length <= 0) return;
  let at = 0;
  for await (const part of reader.stream(READ_BYTES, { reuse: true })) {
    const take = Math.min(part.length, length - at);
    at += take;
    stats.bytesRead += take;
    for (let p = 0; p < take; p += PIECE_BYTES) yield part.subarray(p, Math.min(take, p + PIECE_BYTES));
    if (at >= length) return;
  }
}

/**
 * Reads of 1 MiB, handed on in pieces of 64 KiB: the text decoded from a piece (and anything built from all of
 * it) stays below V8's large-object size, so it dies young and is swept by the cheap scavenges. Decoded whole,
 * each megabyte left a string in the large-object space until a full collection, and the heap of a thread
 * reading a 150 MB dataset grew by ~100 MB.
 */
const READ_BYTES = 1024 * 1024;
const PIECE_BYTES = 64 * 1024;

/** Passes chunks through, recording the offset of the first bytes that are not UTF-8. */
async function* validated(chunks: AsyncIterable<Buffer>, stats: ReadStats, base: number): AsyncIterable<Buffer> {
  let carry = Buffer.alloc(0);
  let offset = base;
  for await (const chunk of chunks) {
    if (stats.undecodableAt === undefined) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = incompleteTail(buf);
      if (!isUtf8(buf.subarray(0, cut))) stats.undecodableAt = offset - carry.length + firstInvalid(buf.subarray(0, cut));
      carry = Buffer.from(buf.subarray(cut));
    }
    offset += chunk.length;
    yield chunk;
  }
  if (stats.undecodableAt === undefined && carry.length && !isUtf8(carry)) stats.undecodableAt = offset - carry.length;
}

function firstInvalid(buf: Buffer): number {
  let lo = 0, hi = buf.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (isUtf8(buf.subarray(0, incompleteTail(buf.subarray(0, mid))))) lo = mid; else hi = mid;
  }
  return lo;
}

/** Holds back the bytes after the last newline. */
async function* withoutPartialLine(chunks: AsyncIterable<Buffer>, maxLine: number | undefined): AsyncIterable<Buffer> {
  // The pending bytes are kept as parts and joined only once a newline arrives: joining on every chunk made a
  // single long line (a one-line CSV) cost quadratic time. A line longer than any row may be is not held until
  // the budget ends (and then dropped unseen): it is an error, as it is in a file read whole.
  let carry: Buffer[] = [];
  let carried = 0, offset = 0;
  for await (const c of chunks) {
    const last = c.lastIndexOf(10);
    if (last < 0) {
      carry.push(Buffer.from(c)); // a copy: the piece's memory may be read into again (readStart)
      carried += c.length;
      if (maxLine !== undefined && carried > maxLine) {
        throw new TooLongError(`a line longer than ${maxLine} bytes starts at byte ${offset + c.length - carried}`);
      }
      offset += c.length;
      continue;
    }
    const head = carry.length ? Buffer.concat([...carry, c.subarray(0, last + 1)]) : c.subarray(0, last + 1);
    carry = last + 1 < c.length ? [Buffer.from(c.subarray(last + 1))] : [];
    carried = c.length - last - 1;
    offset += c.length;
    yield head;
  }
}

/** Drops the partial first and last lines of a sample window. */
async function* wholeLines(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  const buf = Buffer.concat(parts);
  const first = buf.indexOf(10);
  const last = buf.lastIndexOf(10);
  if (first >= 0 && last > first) yield buf.subarray(first + 1, last + 1);
}

async function* textRows(source: DatasetSource, plan: Iterable<Piece>, filter?: RowFilter): AsyncIterable<DatasetRow> {
  const { stats } = source;
  let header: string[] | undefined;
  let delimiter: ',' | '\t' | ';' | '|' = ',';
  for (const piece of plan) {
    const sampled = piece.sampleOffset !== undefined;
    const chunks = sampled ? wholeLines(piece.chunks) : piece.chunks;
    try {
      if (source.format === 'csv' || source.format === 'tsv') {
        const [delim, rows] = header ? [delimiter, chunks] as const : await sniffFirst(chunks);
        // The header is never declined (nor anything parsed with it, in the same chunk).
        const csvFilter: RowFilter | undefined = filter && { hits: (text) => (header === undefined ? undefined : filter.hits(text)) };
        for await (const batch of csvBatches(rows, { delimiter: delim, ...(csvFilter ? { filter: csvFilter } : {}) })) {
          for (const rec of batch) {
            if (typeof rec === 'number') { stats.rows += rec; continue; }
            if (!header) { header = uniqueNames(rec.fields); source.columns = header; continue; }
            yield emit(stats, { line: sampled ? undefined : rec.line, sampleOffset: piece.sampleOffset, values: zip(header, rec.fields) });
          }
        }
      } else if (source.format === 'jsonl' || source.format === 'json') {
        const batches = source.format === 'json' && !sampled ? oneByOne(jsonArrayElements(chunks)) : jsonLineBatches(chunks, filter ? { filter } : {});
        for await (const batch of batches) {
          for (const item of batch) {
            if (typeof item === 'number') { stats.rows += item; continue; }
            if (item.error !== undefined) {
              stats.badRows++;
              stats.firstBadRow ??= { line: item.line, reason: item.error };
              continue;
            }
            const values = isRecord(item.value) ? item.value : { value: item.value };
            for (const k of Object.keys(values)) if (!source.columns.includes(k) && source.columns.length < 10_000) source.columns.push(k);
            yield emit(stats, { line: sampled ? undefined : item.line, sampleOffset: piece.sampleOffset, values });
          }
        }
      } else {
        let line = 0;
        for await (const text of textLines(chunks)) {
          line++;
          if (text.trim() === '') continue;
          if (filter && !new HitCursor(filter.hits(text)).any(0, text.length)) { stats.rows++; continue; }
          yield emit(stats, { line: sampled ? undefined : line, sampleOffset: piece.sampleOffset, values: { text } });
        }
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      // A window cut inside a quoted field, or a file cut by the budget, ends mid-record: not the file's fault.
      if (sampled) { stats.skippedWindows++; continue; }
      if (piece.mayBeCut && !stats.complete && !(error instanceof TooLongError)) continue;
      throw error;
    }
  }

  /**
   * The delimiter, from the header line in the first chunk (a .tsv is tab by name; a .csv may be `;` or `|`
   * separated, as spreadsheets in many locales write it), and the chunks with the peeked one put back.
   */
  async function sniffFirst(chunks: AsyncIterable<Buffer>): Promise<readonly [',' | '\t' | ';' | '|', AsyncIterable<Buffer>]> {
    const it = chunks[Symbol.asyncIterator]();
    const first = await it.next();
    const head = first.done ? '' : first.value.subarray(0, 64 * 1024).toString('utf8').replace(/^\uFEFF/, '');
    delimiter = sniffDelimiter(source.format, head);
    async function* again(): AsyncIterable<Buffer> {
      if (first.done) return;
      yield first.value;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    }
    return [delimiter, again()] as const;
  }
}

async function* oneByOne<T>(items: AsyncIterable<T>): AsyncIterable<T[]> {
  for await (const item of items) yield [item];
}

function emit(stats: ReadStats, row: Omit<DatasetRow, 'index'>): DatasetRow {
  stats.rows++;
  const out: DatasetRow = { index: stats.rows, values: row.values };
  if (row.line !== undefined) out.line = row.line;
  if (row.sampleOffset !== undefined) out.sampleOffset = row.sampleOffset;
  return out;
}

async function* textLines(chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of chunks) {
    rest += decoder.decode(chunk, { stream: true });
    if (rest.length > 8 * 1024 * 1024 && !rest.includes('\n')) throw new TooLongError('a line longer than 8 MiB');
    const lines = rest.split(/\r?\n/);
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

function uniqueNames(fields: string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((f, i) => {
    const name = f.trim() || `column ${i + 1}`;
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return n ? `${name} (${n + 1})` : name;
  });
}

function zip(header: string[], fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) out[i < header.length ? header[i] : `column ${i + 1}`] = fields[i];
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function openParquetSource(total: number, reader: Pick<FileReader, 'read'>, budget: ReadBudget, stats: ReadStats): Promise<DatasetSource> {
  const counted = async (offset: number, length: number) => {
    const b = await reader.read(offset, length);
    stats.bytesRead += b.length;
    return b;
  };
  const pf = await openParquet(counted, total);
  // Row groups in full while their compressed size fits the budget, then evenly spaced ones for the sample.
  const groups: number[] = [];
  let used = 0;
  for (const g of pf.rowGroups) {
    if (used + g.compressedBytes > budget.budgetBytes && groups.length > 0) break;
    groups.push(g.index);
    used += g.compressedBytes;
  }
  const rest = pf.rowGroups.slice(groups.length);
  if (rest.length) {
    stats.complete = false;
    let sampleUsed = 0;
    const step = Math.max(1, Math.floor(rest.length / Math.max(1, budget.sampleWindows)));
    for (let i = step - 1; i < rest.length && sampleUsed < budget.sampleBytes; i += step) {
      groups.push(rest[i].index);
      sampleUsed += rest[i].compressedBytes;
      stats.sampled = true;
    }
  }
  const source: DatasetSource = {
    format: 'parquet',
    columns: pf.columns.map((c) => c.name),
    columnTypes: Object.fromEntries(pf.columns.map((c) => [c.name, c.type])),
    stats,
    async *rows() {
      for await (const r of parquetRows(pf, groups)) yield { ...emit(stats, { values: r.values }), row: r.row };
    },
  };
  return source;
}

/** Options every data rule that reads rows takes (kebab-case, like the policy's own keys). */
export interface BudgetOptions {
  'budget-bytes': number;
  'sample-bytes': number;
}

export const BUDGET_OPTION_SCHEMA = {
  'budget-bytes': {
    type: 'integer', minimum: 0,
    description: 'Bytes of each dataset read in full from its start; past this, evenly spaced samples are read.',
  },
  'sample-bytes': {
    type: 'integer', minimum: 0,
    description: 'Bytes read past the budget, in 32 evenly spaced windows (0: stop at the budget).',
  },
} as const;

export const DEFAULT_BUDGET_OPTIONS: BudgetOptions = {
  'budget-bytes': DEFAULT_BUDGET.budgetBytes, 'sample-bytes': DEFAULT_BUDGET.sampleBytes,
};

export function budgetFrom(o: Partial<BudgetOptions>): ReadBudget {
  return {
    budgetBytes: o['budget-bytes'] ?? DEFAULT_BUDGET.budgetBytes,
    sampleBytes: o['sample-bytes'] ?? DEFAULT_BUDGET.sampleBytes,
    sampleWindows: DEFAULT_BUDGET.sampleWindows,
  };
}

/** The dataset formats data rules run on (`gzip` only when the inner name is a text format). */
export const DATASET_FORMATS = ['csv', 'tsv', 'jsonl', 'json', 'parquet', 'text', 'gzip'] as const;

/** "line 12" or "row 12" (Parquet) or "a sampled row near byte 123456". */
export function rowPlace(r: Pick<DatasetRow, 'line' | 'row' | 'sampleOffset' | 'index'>): string {
  if (r.line !== undefined) return `line ${r.line}`;
  if (r.row !== undefined) return `row ${r.row}`;
  if (r.sampleOffset !== undefined) return `a sampled row near byte ${r.sampleOffset}`;
  return `row ${r.index}`;
}

/**
 * String leaves of a row with their column names: CSV cells as they are, JSON objects flattened to dotted
 * paths (`user.email`, `messages[0].content`) to a bounded depth and count.
 */
export function cells(values: Record<string, unknown>, max = 1000): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (out.length >= max) return;
    if (typeof v === 'string') out.push([path, v]);
    else if (typeof v === 'number' || typeof v === 'bigint') out.push([path, String(v)]);
    else if (depth < 6 && Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    else if (depth < 6 && v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  for (const [k, v] of Object.entries(values)) walk(v, k, 0);
  return out;
}

async function objectSource(total: number, reader: Pick<FileReader, 'read'>, budget: ReadBudget, stats: ReadStats): Promise<DatasetSource> {
  const source: DatasetSource = {
    format: 'json', columns: [], stats,
    async *rows() {
      const parts: Buffer[] = [];
      for await (const c of readRange(reader, 0, Math.min(total, budget.budgetBytes, 64 * 1024 * 1024), stats)) parts.push(c);
      const text = Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, '');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        // Not one object: try it as JSON Lines.
        const one = (async function* () { yield Buffer.from(text); })();
        for await (const item of jsonLines(one)) {
          if (item.error !== undefined) { stats.badRows++; stats.firstBadRow ??= { line: item.line, reason: item.error }; continue; }
          yield emit(stats, { line: item.line, values: isRecord(item.value) ? item.value : { value: item.value } });
        }
        if (total > stats.bytesRead) stats.complete = false;
        return;
      }
      if (total > stats.bytesRead) stats.complete = false;
      if (isRecord(value)) { source.columns = Object.keys(value); yield emit(stats, { line: 1, values: value }); }
    },
  };
  return source;
}
