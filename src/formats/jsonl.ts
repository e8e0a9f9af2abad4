import { isAscii } from 'node:buffer';
import { FormatError, TooLongError } from './errors.js';
import { HitCursor, type RowFilter } from './row-filter.js';

/** One JSON value from a JSON Lines file or a top-level JSON array, or why its text did not parse. */
export interface JsonItem {
  /** 1-based line where the value starts. */
  line: number;
  value?: unknown;
  error?: string;
  /** The caller's filter had no hit in the line: it was not parsed (JSON Lines only; `line` is then 0). */
  declined?: true;
}

export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * JSON Lines: one value per non-blank line. A line that does not parse is yielded with `error` (the caller
 * counts and reports it), so one bad line does not hide the rest. A line longer than `maxLineBytes` throws.
 */
export async function* jsonLines(
  chunks: AsyncIterable<Buffer>, opts: { firstLine?: number; maxLineBytes?: number; filter?: RowFilter } = {},
): AsyncIterable<JsonItem> {
  for await (const batch of jsonLineBatches(chunks, opts)) {
    for (const item of batch) {
      if (typeof item !== 'number') yield item;
      else for (let k = 0; k < item; k++) yield DECLINED_LINE;
    }
  }
}

/**
 * The same items, an array per chunk, in which a run of non-blank lines the filter declined is only their
 * number (one await per chunk, and no object for a declined line).
 */
export async function* jsonLineBatches(
  chunks: AsyncIterable<Buffer>, opts: { firstLine?: number; maxLineBytes?: number; filter?: RowFilter } = {},
): AsyncIterable<Array<JsonItem | number>> {
  const filter = opts.filter;
  const max = opts.maxLineBytes ?? MAX_LINE_BYTES;
  let line = (opts.firstLine ?? 1) - 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      // Copies, here and below: a chunk's memory may be read into again once the next is asked for.
      pending.push(Buffer.from(chunk));
      pendingBytes += chunk.length;
      if (pendingBytes > max) throw new TooLongError(`line ${line + 1} is longer than ${max} bytes`);
      continue;
    }
    // Everything up to the chunk's last newline is decoded at once (a newline byte never sits inside a UTF-8
    // sequence, so the cut is clean) and walked line by line: one decode per chunk, and a line is sliced out
    // only when it is parsed.
    const head = pending.length ? Buffer.concat([...pending, chunk.subarray(0, last)]) : chunk.subarray(0, last);
    const all = isAscii(head) ? head.toString('latin1') : head.toString('utf8');
    const hits = filter ? new HitCursor(filter.hits(all)) : undefined;
    const out: Array<JsonItem | number> = [];
    let declined = 0;
    for (let at = 0; at <= all.length;) {
      let end = all.indexOf('\n', at);
      if (end < 0) end = all.length;
      line++;
      if (end - at > max) throw new TooLongError(`line ${line} is longer than ${max} bytes`);
      if (hits && !hits.any(at, end)) {
        if (!blank(all, at, end)) declined++;
      } else {
        const item = parseLine(all.slice(at, end), line);
        if (item) {
          if (declined) { out.push(declined); declined = 0; }
          out.push(item);
        }
      }
      at = end + 1;
    }
    if (declined) out.push(declined);
    if (out.length) yield out;
    pending = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
    pendingBytes = chunk.length - last - 1;
    if (pendingBytes > max) throw new TooLongError(`line ${line + 1} is longer than ${max} bytes`);
  }
  if (pendingBytes > 0) {
    const text = Buffer.concat(pending).toString('utf8');
    const item = filter && !new HitCursor(filter.hits(text)).any(0, text.length) ? (blank(text, 0, text.length) ? undefined : 1) : parseLine(text, line + 1);
    if (item) yield [item];
  }
}

/** What a line the caller did not want parsed comes out as from jsonLines (one shared object). */
const DECLINED_LINE: Readonly<JsonItem> = Object.freeze({ line: 0, declined: true });

/** Whether text[from, to) is only white space (skipped, not counted as a row). */
function blank(text: string, from: number, to: number): boolean {
  const c = text.charCodeAt(from);
  if (from < to && c > 32 && c !== 160 && c < 0x1680) return false; // the usual case: a line starting with `{`
  return !/\S/.test(text.slice(from, to));
}

function parseLine(raw: string, line: number): JsonItem | undefined {
  const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
  if (text === '') return undefined;
  try {
    return { line, value: JSON.parse(text) };
  } catch (error) {
    return { line, error: (error as Error).message };
  }
}

/**
 * The elements of a top-level JSON array, streamed: a small scanner tracks strings and nesting to cut the
 * text at top-level commas, so a large array is never held whole. Throws FormatError when the file is not an
 * array or an element exceeds `maxElementBytes`.
 */
export async function* jsonArrayElements(chunks: AsyncIterable<Buffer>, opts: { maxElementBytes?: number } = {}): AsyncIterable<JsonItem> {
  const max = opts.maxElementBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8');
  let started = false, ended = false, depth = 0, inString = false, escaped = false;
  let line = 1, elementLine = 1;
  let current = '';
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      if (!started) {
        if (c === '[') { started = true; from = i + 1; elementLine = line; continue; }
        if (c === '\uFEFF' || /\s/.test(c)) continue;
        throw new FormatError(`expected a JSON array, found ${JSON.stringify(c)} on line ${line}`);
      }
      if (ended) { if (!/\s/.test(c)) throw new FormatError(`unexpected text after the array on line ${line}`); continue; }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0 && c === ']') {
          current += text.slice(from, i);
          const item = finishElement(current, elementLine);
          if (item) yield item;
          current = '';
          ended = true;
          continue;
        }
        depth--;
      } else if (c === ',' && depth === 0) {
        current += text.slice(from, i);
        const item = finishElement(current, elementLine);
        if (item) yield item;
        current = '';
        from = i + 1;
        elementLine = line;
      }
    }
    if (started && !ended) current += text.slice(from);
    if (current.length > max) throw new TooLongError(`an array element near line ${elementLine} is longer than ${max} characters`);
  }
  if (!started) throw new FormatError('expected a JSON array, found an empty file');
  if (!ended) throw new FormatError(`the JSON array is not closed (file ends on line ${line})`);
}

function finishElement(raw: string, line: number): JsonItem | undefined {
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  // Report the line of the element's first character, not of the comma before it.
  const lead = raw.slice(0, raw.length - raw.trimStart().length);
  const at = line + (lead.match(/\n/g)?.length ?? 0);
  try {
    return { line: at, value: JSON.parse(trimmed) };
  } catch (error) {
    return { line: at, error: (error as Error).message };
  }
}
