import { FormatError, TooLongError } from './errors.js';
import { HitCursor, type RowFilter } from './row-filter.js';
import { Utf8Chunks } from './utf8.js';

/** One CSV record with where it sits: the 1-based lines it starts and ends on. */
export interface CsvRecord {
  fields: string[];
  line: number;
  endLine: number;
}

export interface CsvOptions {
  delimiter: ',' | '\t' | ';' | '|';
  /**
   * Asked about each chunk's text before its records are built: a record with no hit comes out as DECLINED
   * (one shared object: counted by the caller, never built).
   */
  filter?: RowFilter;
  /** The largest record accepted (a runaway quote would otherwise swallow the file). */
  maxRecordBytes?: number;
  /** Line number of the first line in `chunks` (a sample window starts mid-file). */
  firstLine?: number;
}

export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** What a declined record comes out as. */
export const DECLINED: Readonly<CsvRecord> = Object.freeze({ fields: [], line: 0, endLine: 0 });

/**
 * RFC 4180 records streamed from chunks: quoted fields may hold delimiters, doubled quotes and newlines; CRLF
 * or LF line ends; a UTF-8 BOM is dropped; blank lines are skipped; rows may have more or fewer fields than the
 * header (the caller decides what that means). Lenient where files in the wild are: a quote inside an unquoted
 * field is a literal, and text after a closing quote is kept. Throws FormatError on a quote left open at the
 * end of the input or a record over `maxRecordBytes`, naming the line.
 *
 * Written for speed (csv-parse ran at ~10 MB/s here): a line without a quote is split natively, and only
 * lines with quotes go through the character-level state machine.
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, opts: CsvOptions): AsyncIterable<CsvRecord> {
  for await (const batch of csvBatches(chunks, opts)) {
    for (const r of batch) {
      if (typeof r !== 'number') yield r;
      else for (let k = 0; k < r; k++) yield DECLINED;
    }
  }
}

/**
 * The same records, an array per input chunk (one await per chunk rather than per record), in which a run of
 * records the filter declined is only their number: most records of a filtered file cost no object at all.
 */
export type CsvBatch = Array<CsvRecord | number>;

export async function* csvBatches(chunks: AsyncIterable<Buffer>, opts: CsvOptions): AsyncIterable<CsvBatch> {
  const decoder = new Utf8Chunks();
  const parser = new CsvParser(opts);
  let first = true;
  for await (const chunk of chunks) {
    let text = decoder.decode(chunk);
    if (first && text.length) { text = text.replace(/^\uFEFF/, ''); first = false; }
    const batch = parser.push(text, false);
    if (batch.length) yield batch;
  }
  const last = parser.push(decoder.end(), true);
  if (last.length) yield last;
}

class CsvParser {
  private buf = '';
  private parts: string[] = [];
  private partsLength = 0;
  private line: number;
  private readonly delim: string;
  private readonly max: number;
  private readonly filter: RowFilter | undefined;
  /** recordEnd's answer, one object reused for every record. */
  private readonly end: RecordEnd = { end: 0, next: 0, breaks: 0, quote: -1 };

  constructor(opts: CsvOptions) {
    this.filter = opts.filter;
    this.line = opts.firstLine ?? 1;
    this.delim = opts.delimiter;
    this.max = opts.maxRecordBytes ?? MAX_RECORD_BYTES;
  }

  push(piece: string, final: boolean): CsvBatch {
    // No record can end before a newline (or the end of the input): pieces without one are only collected, so
    // that a long line is joined and looked at once rather than again with every piece (quadratic).
    if (!final && piece.indexOf('\n') < 0) {
      this.parts.push(piece);
      this.partsLength += piece.length;
      if (this.buf.length + this.partsLength > this.max) throw new TooLongError(`a CSV record from line ${this.line} is longer than ${this.max} characters (an unclosed quote?)`);
      return [];
    }
    const text = this.parts.length ? [...this.parts, piece].join('') : piece;
    this.parts = [];
    this.partsLength = 0;
    const out: CsvBatch = [];
    let declined = 0;
    const keep = (r: CsvRecord) => {
      if (declined) { out.push(declined); declined = 0; }
      out.push(r);
    };
    // Joined rather than concatenated: `+` makes a rope (a cons string), on which each character read in the
    // loops below costs half again as much as on the flat string join() builds.
    const buf = this.buf.length ? [this.buf, text].join('') : text;
    let p = 0;
    // The carried partial record is looked at again with the rest of it: a hit is never cut in two.
    const hits = this.filter ? new HitCursor(this.filter.hits(buf)) : undefined;
    // The next quote and newline at or after p, found again only once p passes them: searching afresh for every
    // record made a chunk of many short unquoted lines cost quadratic time.
    let nextQuote = -2, nextNl = -2;
    for (;;) {
      if (p >= buf.length) break;
      if (nextNl !== -1 && nextNl < p) nextNl = buf.indexOf('\n', p);
      if (nextQuote !== -1 && nextQuote < p) nextQuote = buf.indexOf('"', p);
      const nl = nextNl, quote = nextQuote;
      if (quote < 0 || (nl >= 0 && quote > nl)) {
        // Fast path: the whole record is one line without quotes.
        if (nl < 0 && !final) break;
        const end = nl < 0 ? buf.length : nl;
        const start = p;
        const stop = buf.charCodeAt(end - 1) === 13 ? end - 1 : end;
        const line = this.line++;
        if (stop - start > this.max) throw new TooLongError(`the CSV record on line ${line} is longer than ${this.max} characters`);
        p = nl < 0 ? buf.length : nl + 1;
        if (stop <= start) continue;
        if (hits && !hits.any(start, stop)) { declined++; continue; }
        keep({ fields: buf.slice(start, stop).split(this.delim), line, endLine: line });
        continue;
      }
      if (hits) {
        // Find the record's end without building its fields, and build them only if the record is wanted.
        const end = this.end;
        const found = recordEnd(end, buf, p, this.delim, final, nl, quote);
        // At the end of the input, a record that never ends goes to quoted(), which says which quote is open.
        if (!found && !final) break;
        if (found && end.next - p > this.max) throw new TooLongError(`the CSV record from line ${this.line} is longer than ${this.max} characters`);
        if (found && !hits.any(p, end.end)) {
          this.line += end.breaks + 1;
          p = end.next;
          // What recordEnd found past the record: the next quote (the next newline is searched from p).
          nextQuote = end.quote;
          declined++;
          continue;
        }
      }
      const rec = this.quoted(buf, p, final);
      if (!rec) break;
      p = rec.next;
      keep(rec.record);
    }
    if (declined) out.push(declined);
    this.buf = buf.slice(p);
    if (this.buf.length > this.max) throw new TooLongError(`a CSV record from line ${this.line} is longer than ${this.max} characters (an unclosed quote?)`);
    if (final && this.buf.length) throw new FormatError(`a quoted CSV field opened on line ${this.line} is never closed`);
    return out;
  }

  /** The state machine for a record with quotes; undefined when the record is not complete in `buf` yet. */
  private quoted(buf: string, start: number, final: boolean): { record: CsvRecord; next: number } | undefined {
    const d = this.delim;
    const fields: string[] = [];
    let field = '';
    let i = start;
    let breaks = 0;
    let atFieldStart = true;
    for (;;) {
      if (i >= buf.length) {
        if (!final) return undefined;
        fields.push(field);
        break;
      }
      const c = buf[i];
      if (atFieldStart && c === '"') {
        // Quoted field: up to the closing quote, "" being a literal quote.
        let j = i + 1;
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q < 0) {
            if (final) throw new FormatError(`a quoted CSV field opened on line ${this.line + breaks} is never closed`);
            return undefined;
          }
          if (buf[q + 1] === '"') { field += buf.slice(j, q + 1); j = q + 2; continue; }
          if (q + 1 >= buf.length && !final) return undefined; // cannot tell "" from " yet
          field += buf.slice(j, q);
          breaks += countNewlines(buf, i + 1, q); // from the opening quote: "" pairs may follow newlines
          i = q + 1;
          break;
        }
        atFieldStart = false;
        continue;
      }
      if (c === d) { fields.push(field); field = ''; atFieldStart = true; i++; continue; }
      if (c === '\n' || (c === '\r' && buf[i + 1] === '\n')) {
        fields.push(field);
        i += c === '\r' ? 2 : 1;
        break;
      }
      if (c === '\r' && i + 1 >= buf.length && !final) return undefined;
      // A run of ordinary characters, sliced at once.
      let j = i + 1;
      while (j < buf.length) {
        const k = buf.charCodeAt(j);
        if (k === 10 || k === 13 || buf[j] === d) break;
        j++;
      }
      field += buf.slice(i, j);
      atFieldStart = false;
      i = j;
    }
    const line = this.line;
    if (i - start > this.max) throw new TooLongError(`the CSV record from line ${line} is longer than ${this.max} characters`);
    this.line += breaks + 1;
    return { record: { fields, line, endLine: line + breaks }, next: i };
  }
}

/** Where a record ends (recordEnd): `end` before its line end, `next` after it, `breaks` the newlines inside
 * quoted fields, `quote` the first quote at or after `next` (-1: none in the text). */
interface RecordEnd { end: number; next: number; breaks: number; quote: number }

/**
 * Where the record starting at `start` ends, by the same rules as CsvParser.quoted but without building
 * fields, into `out`; false when the record is not complete in `buf` yet. A quote left open is left for
 * quoted() to report. It jumps from quote to quote: outside quoted fields only a quote can change what a newline
 * means, and a quote opens a field only at the record's start or just after a delimiter (elsewhere it is a
 * literal). `nl` and `q`: the first newline and quote at or after `start` (-1: none), which the caller knows.
 * Each search is made once: on a file of short quoted records this is most of the time spent on the records
 * a filter declines.
 */
function recordEnd(out: RecordEnd, buf: string, start: number, d: string, final: boolean, nl: number, q: number): boolean {
  let breaks = 0;
  for (;;) {
    if (q < 0 || (nl >= 0 && nl < q)) {
      if (nl < 0) {
        if (!final) return false;
        out.end = out.next = buf.length;
      } else {
        out.end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        out.next = nl + 1;
      }
      out.breaks = breaks;
      out.quote = q;
      return true;
    }
    if (q !== start && buf[q - 1] !== d) { q = buf.indexOf('"', q + 1); continue; } // a literal quote
    let close: number;
    for (let j = q + 1; ; ) {
      close = buf.indexOf('"', j);
      if (close < 0) return false; // unclosed: quoted() says so, or more input completes it
      if (buf.charCodeAt(close + 1) === 34) { j = close + 2; continue; }
      if (close + 1 >= buf.length && !final) return false;
      break;
    }
    // Newlines inside the quoted field: the next one, when it comes before the closing quote, and any after it.
    if (nl >= 0 && nl < close) {
      breaks += countNewlines(buf, nl, close);
      nl = buf.indexOf('\n', close + 1);
    }
    q = buf.indexOf('"', close + 1);
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = s.indexOf('\n', from); k >= 0 && k < to; k = s.indexOf('\n', k + 1)) n++;
  return n;
}

/** The delimiter a CSV-like file most likely uses, from its format and first line. */
export function sniffDelimiter(format: string, head: string): CsvOptions['delimiter'] {
  if (format === 'tsv') return '\t';
  const first = head.slice(0, head.search(/\r?\n|$/));
  const counts = ([',', '\t', ';', '|'] as const).map((d) => [d, first.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}
