/**
 * The secret search over one file, shared by the `secret/*` rules: each rule reports one provider family, but
 * a file is read and searched once (the result is cached on the file's reader, which every rule of a file
 * shares). Text files are streamed in windows, so a large dataset is searched whole without holding it; a
 * notebook is parsed, so a finding names its cell and the output it sits in.
 */
import { createHash } from 'node:crypto';
import { isText } from '../discovery/classify.js';
import type { FileKind } from '../discovery/types.js';
import { redact } from '../engine/redact.js';
import type { FileContext, FileReader } from '../engine/rule.js';
import type { Severity } from '../engine/severity.js';
import { loadNotebook, positions, type Notebook } from '../formats/ipynb.js';
import { DETECTORS, detectorById, findSecrets, mayHoldSecretBytes, type SecretFamily, type SecretMatch } from './secrets.js';
import { WordsScan } from '../wasm/words-scan.js';

/** Every kind whose files are text: secrets are searched in all of them. */
export const SECRET_KINDS: readonly FileKind[] = [
  'text', 'config', 'workflow', 'dockerfile', 'k8s', 'dependency', 'notebook', 'dataset',
];

export interface LocatedSecret extends SecretMatch {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  keyPath?: string;
  /** Where in a notebook: ` in the source of cell 3`, or empty. */
  where: string;
}

const cache = new WeakMap<FileReader, Promise<LocatedSecret[]>>();
/** Searches riding on a file's one pass (prepareSecretSearch), by reader. */
const tapped = new WeakMap<FileReader, SecretWindows>();

/**
 * The secret rules' prepare step: the search of a text file becomes a tap on the file's one pass, so that the
 * bytes another rule reads from the start (data/pii parsing a dataset) are searched as they go by, and only the
 * rest is read again. Once per file, whichever rule comes first.
 */
export function prepareSecretSearch(ctx: Pick<FileContext<unknown>, 'file' | 'reader'>): void {
  const { reader } = ctx;
  if (!reader.tap || !reader.drain || tapped.has(reader) || cache.has(reader)) return;
  if (ctx.file.format === 'ipynb' || !searchable(ctx)) return;
  const windows = new SecretWindows();
  if (reader.tap(windows)) tapped.set(reader, windows);
}

/** The secrets in the file of `ctx`, searched once per file whichever rule asks first. */
export function secretsInFile(ctx: FileContext<unknown>): Promise<LocatedSecret[]> {
  let found = cache.get(ctx.reader);
  if (!found) cache.set(ctx.reader, (found = search(ctx)));
  return found;
}

/** Datasets in binary or compressed formats hold no text to search (their own rules read them). */
function searchable(ctx: Pick<FileContext<unknown>, 'file'>): boolean {
  const { file } = ctx;
  if (file.kind !== 'dataset') return true;
  return ['csv', 'tsv', 'jsonl', 'json', 'text', 'yaml'].includes(file.format) && isText(file.head);
}

async function search(ctx: FileContext<unknown>): Promise<LocatedSecret[]> {
  const windows = tapped.get(ctx.reader);
  if (windows) {
    await ctx.reader.drain!();
    return windows.finish();
  }
  if (!searchable(ctx)) return [];
  if (ctx.file.format === 'ipynb') {
    const loaded = await loadNotebook(ctx.reader);
    if (loaded.ok) return searchNotebook(loaded.notebook);
    ctx.logger.debug(`${ctx.file.path}: not a readable notebook (${loaded.error.message}); searched as plain text`);
  }
  return searchStream(ctx.reader);
}

function searchNotebook(nb: Notebook): LocatedSecret[] {
  const out: LocatedSecret[] = [];
  for (const cell of nb.cells) {
    for (const field of [cell.source, ...cell.outputs]) {
      const where = field === cell.source ? ` in the source of cell ${cell.index + 1}` : ` in ${field.label} of cell ${cell.index + 1}`;
      for (const m of findSecrets(field.text)) {
        const start = nb.position(field.offsetAt(m.index));
        const end = nb.position(field.offsetAt(m.index + m.length));
        out.push({ ...m, line: start.line, column: start.column, endLine: end.line, endColumn: end.column, keyPath: field.keyPath, where });
      }
    }
  }
  return out;
}

/** Bytes kept from one window to the next, so a secret cut by a window boundary is seen whole. */
const OVERLAP = 20_000;
const CHUNK = 4 * 1024 * 1024;

/** Where the UTF-8 sequence that `end` cuts starts, or `end` when it cuts none. */
function boundaryBefore(buf: Buffer, end: number): number {
  let i = end - 1;
  while (i >= 0 && end - i <= 3 && (buf[i] & 0xc0) === 0x80) i--;
  if (i < 0 || end - i > 4) return end;
  const lead = buf[i];
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return end - i < size ? i : end;
}

/** The first offset from `i` that does not continue a UTF-8 sequence (at most 3 bytes on). */
function boundaryAfter(buf: Buffer, i: number, end: number): number {
  const stop = Math.min(end, i + 3);
  while (i < stop && (buf[i] & 0xc0) === 0x80) i++;
  return i;
}

/** The UTF-16 length of buf[from, to) decoded (exact for valid UTF-8), for the column of a window's start. */
function unitsOf(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
  }
  return n;
}

/**
 * The secret search over a file's bytes in order, in windows of about CHUNK bytes: the carried tail of the
 * previous window, then the next bytes, in one reused buffer. A window is first tested on its bytes
 * (mayHoldSecretBytes, at about memory speed), and only a window that may hold a secret is decoded and searched;
 * in a dataset, that is almost none. A match that reaches into the last OVERLAP bytes of a window (that is not
 * the last) is left for the next window, which starts early enough to hold it whole. Lines and columns of window
 * starts are counted on the bytes. Fed by a stream of the file, or as a tap on the file's one pass (so that
 * data/pii's read of a dataset serves the search too).
 */
export class SecretWindows {
  readonly whole = true;
  /**
   * [byte offset, line] of a line start at each window's end, counted on the way (ByteTap.lineStarts): the lines
   * that findings point at are then read from the nearest one, not from the start of the file.
   */
  readonly lineStarts: Array<[number, number]> = [];
  /** File offset of win[0]. */
  private base = 0;
  private readonly out: LocatedSecret[] = [];
  private readonly seen = new Set<string>();
  // Sized by the first bytes: most files are small, and a 4 MiB buffer for each of them is mostly garbage.
  private win = Buffer.alloc(0);
  private len = 0;
  private line = 1; // of win[0]
  private column = 1;
  private first = true;
  private fresh = 0;
  private done = false;

  /** Each piece is copied into the window at once, so the caller may reuse its memory. */
  update(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; ) {
      // Windows are searched at most CHUNK fresh bytes at a time, however large the pieces given.
      const n = Math.min(bytes.length - at, CHUNK - this.fresh);
      this.append(bytes.subarray(at, at + n));
      at += n;
      if (this.fresh >= CHUNK) { this.take(false); this.fresh = 0; }
    }
  }

  /** The secrets found, once every byte has been given. */
  finish(): LocatedSecret[] {
    if (!this.done) { this.done = true; this.take(true); }
    return this.out;
  }

  private append(piece: Buffer): void {
    if (this.len + piece.length > this.win.length) {
      // The first piece gets a buffer of its own size (a small file has only that one); from then on, room for a
      // whole window.
      const need = this.len + piece.length;
      const bigger = Buffer.allocUnsafe(this.win.length === 0 ? need : Math.max(need + OVERLAP, CHUNK + OVERLAP + 64));
      this.win.copy(bigger, 0, 0, this.len);
      this.win = bigger;
    }
    piece.copy(this.win, this.len);
    this.len += piece.length;
    this.fresh += piece.length;
  }

  private take(last: boolean): void {
    if (this.first) {
      this.first = false;
      const w = this.win;
      if (this.len >= 3 && w[0] === 0xef && w[1] === 0xbb && w[2] === 0xbf) { w.copyWithin(0, 3, this.len); this.len -= 3; this.base = 3; }
    }
    const view = this.win.subarray(0, this.len);
    const len = this.len;
    const end = last ? len : boundaryBefore(view, len);
    let keep: number; // where the next window starts
    if (!mayHoldSecretBytes(view)) {
      if (last) return;
      keep = boundaryAfter(view, Math.max(0, end - OVERLAP), end);
    } else {
      const cut = last ? end : boundaryAfter(view, Math.max(0, end - OVERLAP), end);
      const head = view.toString('utf8', 0, cut);
      const tail = view.toString('utf8', cut, end);
      const text = tail ? head + tail : head;
      const limit = last ? Infinity : head.length;
      let keepChar = head.length;
      const found = findSecrets(text);
      // The line index of a window is built only when it holds a finding.
      const pos = found.length > 0 ? positions(text) : undefined;
      const { line, column } = this;
      const at = (i: number) => {
        const p = pos!(i);
        return p.line === 1 ? { line, column: column + p.column - 1 } : { line: line + p.line - 1, column: p.column };
      };
      for (const m of found) {
        // Left for the next window, which must start before the whole match (its keyword), not just the value.
        if (m.index + m.length > limit) { keepChar = Math.min(keepChar, m.matchIndex ?? m.index); continue; }
        const s = at(m.index), e = at(m.index + m.length);
        const key = `${m.detector}\0${s.line}:${s.column}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.out.push({ ...m, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, where: '' });
      }
      if (last) return;
      keep = cut;
      if (keepChar < head.length) {
        // A match left for the next window starts before the cut: that many bytes back (at most three bytes per
        // UTF-16 unit where the bytes were not valid UTF-8, so that the next window starts early enough).
        const part = head.slice(keepChar);
        keep = Math.max(0, cut - (part.includes('\uFFFD') ? 3 * part.length : Buffer.byteLength(part)));
      } else if (keepChar > head.length) {
        const part = tail.slice(0, keepChar - head.length);
        keep = cut + (part.includes('\uFFFD') ? part.length : Buffer.byteLength(part));
      }
      keep = boundaryAfter(view, keep, end);
    }
    // Line and column of `keep`.
    const { count: newlines, last: lastNewline } = countNewlines(view, keep);
    if (newlines === 0) this.column += unitsOf(view, 0, keep);
    else {
      this.line += newlines;
      this.column = 1 + unitsOf(view, lastNewline + 1, keep);
      this.lineStarts.push([this.base + lastNewline + 1, this.line]);
    }
    this.base += keep;
    this.win.copyWithin(0, keep, len);
    this.len -= keep;
  }
}

/**
 * The newlines in buf[0, end): how many, and where the last one is (-1: none). Counted 16 bytes at a time by
 * the WebAssembly kernel where it runs (a window of short rows holds tens of thousands: a native search per
 * newline cost ~0.3 s per GB of CSV), else with a native search per newline.
 */
export function countNewlines(buf: Buffer, end: number): { count: number; last: number } {
  const counted = end >= 4096 ? WordsScan.shared()?.newlines(buf, 0, end) : undefined;
  if (counted) return counted;
  const before = buf.subarray(0, end);
  let count = 0, last = -1;
  for (let i = before.indexOf(10); i >= 0; i = before.indexOf(10, i + 1)) { count++; last = i; }
  return { count, last };
}

async function searchStream(reader: FileReader): Promise<LocatedSecret[]> {
  const windows = new SecretWindows();
  for await (const chunk of reader.stream(CHUNK, { reuse: true })) windows.update(chunk);
  return windows.finish();
}

// ---- reporting --------------------------------------------------------------------------------------------

export interface FamilyOptions {
  exclude: string[];
}

/**
 * The Markdown paragraph, for a family rule's help, that lists its detectors (the ids `exclude` takes) and says
 * how severities work, generated from the table so the docs cannot drift from it.
 */
export function detectorsHelp(family: SecretFamily): string {
  const list = DETECTORS.filter((d) => d.family === family)
    .map((d) => `\`${d.id}\` (${d.title}, ${d.severity})`).join(', ');
  return [
    `Detectors (the ids that \`exclude\` takes, and that each finding names): ${list}.`,
    'Each finding has its detector\'s severity; a severity set for the rule in the policy applies to all of its findings instead.',
  ].join(' ');
}

export function detectorIds(family: SecretFamily): string[] {
  return DETECTORS.filter((d) => d.family === family).map((d) => d.id);
}

/** The options schema every family rule takes: detectors of the family to turn off. */
export function familyOptionsSchema(family: SecretFamily): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      exclude: {
        type: 'array',
        description: 'Detectors of this family not to run (ids as in the rule docs), for a format the project knows to be harmless.',
        items: { enum: detectorIds(family) },
        uniqueItems: true,
      },
    },
    additionalProperties: false,
  };
}

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable';

/**
 * Reports the file's secrets of one family. Each detector has its own severity (critical for a live-format
 * key, high where only the keyword around a generic value says what it is); a severity set in the policy for
 * the rule applies to all of the rule's findings instead.
 */
export async function reportFamily(ctx: FileContext<FamilyOptions>, family: SecretFamily, defaultSeverity: Severity): Promise<void> {
  const excluded = new Set(ctx.options.exclude ?? []);
  for (const m of await secretsInFile(ctx as FileContext<unknown>)) {
    const det = detectorById(m.detector);
    if (!det || det.family !== family || excluded.has(m.detector)) continue;
    const shown = redact(m.value);
    const message = m.detector === 'gcp-service-account' && m.severity !== 'critical'
      ? `Google Cloud service-account descriptor (gcp-service-account)${m.where} without a private_key; check that no key file of this account is committed, and keep key files out of the repository.`
      : `${cap(det.title)} ${shown} (${m.detector})${m.where}: ${ACTION}.`;
    ctx.report({
      message,
      severity: ctx.severity === defaultSeverity ? m.severity : ctx.severity,
      line: m.line,
      column: m.column,
      endLine: m.endLine,
      endColumn: m.endColumn,
      keyPath: m.keyPath,
      fingerprintKey: `${m.detector}\0${createHash('sha256').update(m.value).digest('hex').slice(0, 32)}`,
      sensitive: [m.value],
    });
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
