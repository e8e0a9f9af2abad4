/**
 * Jupyter notebooks (.ipynb, nbformat 4, and the `worksheets` layout of nbformat 3) read as JSON with positions,
 * so that a finding can name the cell and the line of the file it sits on. Nothing is executed or rendered:
 * sources and outputs are strings to search, base64 outputs are measured, not decoded.
 *
 * The JSON reader is our own because findings need the offset of every string (and of each character inside
 * it, through escapes); it is bounded by depth and node count and throws only FormatError.
 */
import { FormatError } from './errors.js';

export type JsonNode =
  | { kind: 'object'; start: number; end: number; entries: Array<{ key: string; value: JsonNode }> }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'number' | 'boolean' | 'null'; start: number; end: number };

export interface JsonLimits {
  maxDepth: number;
  maxNodes: number;
}

const DEFAULT_LIMITS: JsonLimits = { maxDepth: 128, maxNodes: 5_000_000 };

/** Parses JSON text into nodes that keep their offsets (UTF-16 indices into `text`). */
export function parseJsonWithOffsets(text: string, limits: JsonLimits = DEFAULT_LIMITS): JsonNode {
  const p = new Parser(text, limits);
  p.ws();
  const node = p.value(0);
  p.ws();
  if (p.at < text.length) p.fail('unexpected text after the JSON value');
  return node;
}

class Parser {
  at = 0;
  nodes = 0;
  /** Cached positions of the next `"` and `\\` at or after `at`, so long strings are scanned once. */
  private nextQuote = -1;
  private nextEsc = -1;
  constructor(private readonly s: string, private readonly limits: JsonLimits) {}

  fail(what: string): never {
    throw new FormatError(`invalid JSON at offset ${this.at}: ${what}`, this.at);
  }

  ws(): void {
    const s = this.s;
    while (this.at < s.length) {
      const c = s.charCodeAt(this.at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.at++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth}`);
    if (++this.nodes > this.limits.maxNodes) this.fail(`more than ${this.limits.maxNodes} values`);
    const c = this.s[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    const start = this.at;
    for (const [word, kind] of [['true', 'boolean'], ['false', 'boolean'], ['null', 'null']] as const) {
      if (this.s.startsWith(word, start)) {
        this.at += word.length;
        return { kind, start, end: this.at };
      }
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = start;
    if (!m.exec(this.s)) this.fail(c === undefined ? 'unexpected end of input' : `unexpected ${JSON.stringify(c)}`);
    this.at = m.lastIndex;
    return { kind: 'number', start, end: this.at };
  }

  object(depth: number): JsonNode {
    const start = this.at++;
    const entries: Array<{ key: string; value: JsonNode }> = [];
    this.ws();
    if (this.s[this.at] === '}') return { kind: 'object', start, end: ++this.at, entries };
    for (;;) {
      this.ws();
      if (this.s[this.at] !== '"') this.fail('expected a key');
      const key = this.string().value;
      this.ws();
      if (this.s[this.at++] !== ':') this.fail('expected ":"');
      this.ws();
      entries.push({ key, value: this.value(depth + 1) });
      this.ws();
      const c = this.s[this.at++];
      if (c === '}') return { kind: 'object', start, end: this.at, entries };
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  array(depth: number): JsonNode {
    const start = this.at++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.at] === ']') return { kind: 'array', start, end: ++this.at, items };
    for (;;) {
      this.ws();
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.at++];
      if (c === ']') return { kind: 'array', start, end: this.at, items };
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): { kind: 'string'; start: number; end: number; value: string } {
    const start = this.at++;
    const s = this.s;
    let out = '';
    let runStart = this.at;
    for (;;) {
      if (this.nextQuote < this.at) this.nextQuote = s.indexOf('"', this.at);
      if (this.nextEsc !== Infinity && this.nextEsc < this.at) this.nextEsc = s.indexOf('\\', this.at);
      if (this.nextEsc < 0) this.nextEsc = Infinity;
      const close = this.nextQuote;
      const esc = this.nextEsc === Infinity ? -1 : this.nextEsc;
      if (close < 0) this.fail('unterminated string');
      if (esc < 0 || close < esc) {
        out += s.slice(runStart, close);
        this.at = close + 1;
        return { kind: 'string', start, end: this.at, value: out };
      }
      out += s.slice(runStart, esc);
      this.at = esc + 1;
      const e = s[this.at++];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) out += simple[e];
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.at, this.at + 4))) {
        out += String.fromCharCode(parseInt(s.slice(this.at, this.at + 4), 16));
        this.at += 4;
      } else this.fail('bad escape in string');
      runStart = this.at;
    }
  }
}

/** The offset in the file of character `i` of a decoded string node (escapes make the two differ). */
export function rawOffset(text: string, node: { start: number; end: number }, i: number): number {
  let raw = node.start + 1;
  for (let decoded = 0; decoded < i && raw < node.end - 1; decoded++) {
    if (text[raw] === '\\') raw += text[raw + 1] === 'u' ? 6 : 2;
    else raw++;
  }
  return raw;
}

// ---- notebooks -----------------------------------------------------------------------------------------------

/** Text of one notebook field (a cell's source, an output's text), with a map back to file offsets. */
export interface NotebookText {
  /** Where it sits, e.g. `cells[3].outputs[0].text`. */
  keyPath: string;
  /** What it is, for messages: `source`, `output 1 (text/plain)`. */
  label: string;
  text: string;
  /** The file offset of character `i` of `text`. */
  offsetAt(i: number): number;
}

/** A base64 payload in an output (an image, a PDF), measured, never decoded. */
export interface NotebookBlob {
  keyPath: string;
  mime: string;
  /** Approximate decoded size in bytes. */
  bytes: number;
  offset: number;
}

export interface NotebookCell {
  /** 0-based position in the notebook; messages say `cell ${index + 1}`. */
  index: number;
  cellType: string;
  keyPath: string;
  offset: number;
  source: NotebookText;
  outputs: NotebookText[];
  blobs: NotebookBlob[];
}

export interface Notebook {
  cells: NotebookCell[];
  /** 1-based line and column of a file offset. */
  position(offset: number): { line: number; column: number };
}

const TEXT_MIME = /^(?:text\/|application\/(?:javascript|x-latex|x-python|json)$)/;
const DATA_URI = /data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]{64,})/g;

export function parseNotebook(text: string, limits?: JsonLimits): Notebook {
  const root = parseJsonWithOffsets(text, limits);
  if (root.kind !== 'object') throw new FormatError('a notebook is a JSON object', root.start);
  let cellsNode = field(root, 'cells');
  let prefix = 'cells';
  if (!cellsNode) {
    // nbformat 3: cells live in worksheets[0].cells, and code cells keep their source under `input`.
    const sheets = field(root, 'worksheets');
    const first = sheets?.kind === 'array' ? sheets.items[0] : undefined;
    cellsNode = first && field(first, 'cells');
    prefix = 'worksheets[0].cells';
  }
  if (!cellsNode || cellsNode.kind !== 'array') throw new FormatError('no "cells" list: not a Jupyter notebook', root.start);
  const cells = cellsNode.items.map((cell, index) => readCell(text, cell, index, `${prefix}[${index}]`));
  return { cells, position: positions(text) };
}

function field(node: JsonNode, key: string): JsonNode | undefined {
  return node.kind === 'object' ? node.entries.find((e) => e.key === key)?.value : undefined;
}

function readCell(text: string, cell: JsonNode, index: number, keyPath: string): NotebookCell {
  const type = field(cell, 'cell_type');
  const sourceKey = field(cell, 'source') ? 'source' : 'input';
  const source = multiline(text, field(cell, sourceKey), `${keyPath}.${sourceKey}`, 'source')
    ?? { keyPath: `${keyPath}.source`, label: 'source', text: '', offsetAt: () => cell.start };
  const outputs: NotebookText[] = [];
  const blobs: NotebookBlob[] = [];
  const outs = field(cell, 'outputs');
  if (outs?.kind === 'array') {
    outs.items.forEach((out, o) => readOutput(text, out, `${keyPath}.outputs[${o}]`, `output ${o + 1}`, outputs, blobs));
  }
  return {
    index, cellType: type?.kind === 'string' ? type.value : 'unknown', keyPath, offset: cell.start, source, outputs, blobs,
  };
}

function readOutput(text: string, out: JsonNode, keyPath: string, label: string, texts: NotebookText[], blobs: NotebookBlob[]): void {
  const push = (t: NotebookText | undefined) => { if (t && t.text) texts.push(t); };
  push(multiline(text, field(out, 'text'), `${keyPath}.text`, label));
  push(multiline(text, field(out, 'traceback'), `${keyPath}.traceback`, `${label} (traceback)`, '\n'));
  push(multiline(text, field(out, 'evalue'), `${keyPath}.evalue`, `${label} (error)`));
  const data = field(out, 'data') ?? out; // nbformat 3 keeps mime keys on the output itself
  if (data.kind !== 'object') return;
  for (const { key, value } of data.entries) {
    if (!key.includes('/') && !['png', 'jpeg', 'svg', 'html', 'latex', 'pdf'].includes(key)) continue;
    const path = `${keyPath}${data === out ? '' : '.data'}[${JSON.stringify(key)}]`;
    const mime = key.includes('/') ? key : `image/${key}`;
    const t = multiline(text, value, path, `${label} (${mime})`);
    if (!t) continue;
    if (TEXT_MIME.test(mime) || mime === 'image/svg+xml') {
      push(t);
      for (const m of t.text.matchAll(DATA_URI)) {
        blobs.push({ keyPath: path, mime: m[1], bytes: base64Bytes(m[2]), offset: t.offsetAt(m.index ?? 0) });
      }
    } else {
      blobs.push({ keyPath: path, mime, bytes: base64Bytes(t.text), offset: t.offsetAt(0) });
    }
  }
}

function base64Bytes(b64: string): number {
  const clean = b64.replace(/\s+/g, '');
  return Math.floor((clean.length * 3) / 4) - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
}

/** A notebook "multiline string": one string, or a list of strings to concatenate (joined by `sep`). */
function multiline(text: string, node: JsonNode | undefined, keyPath: string, label: string, sep = ''): NotebookText | undefined {
  if (!node) return undefined;
  const parts = node.kind === 'string' ? [node] : node.kind === 'array' ? node.items.filter((n) => n.kind === 'string') : [];
  if (parts.length === 0) return undefined;
  const starts: number[] = [];
  let joined = '';
  parts.forEach((p, i) => {
    if (i > 0) joined += sep;
    starts.push(joined.length);
    joined += (p as { value: string }).value;
  });
  const offsetAt = (i: number): number => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return rawOffset(text, parts[lo], Math.max(0, i - starts[lo]));
  };
  return { keyPath, label, text: joined, offsetAt };
}

/** 1-based line and column of an offset, from a line-start index built once. */
export function positions(text: string): (offset: number) => { line: number; column: number } {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

// ---- one parse per file -------------------------------------------------------------------------------------

/** What `loadNotebook` needs of the engine's reader (the same object for every rule of a file). */
export interface TextSource {
  text(): Promise<{ text: string; truncated: boolean }>;
}

export type LoadedNotebook = { ok: true; notebook: Notebook; text: string } | { ok: false; error: FormatError };

const loaded = new WeakMap<TextSource, Promise<LoadedNotebook>>();

/**
 * Parses the notebook behind `source` once, however many rules ask (the engine gives every rule of a file the
 * same reader). A notebook cut by the text cap is reported as unreadable rather than half-checked in silence.
 */
export function loadNotebook(source: TextSource): Promise<LoadedNotebook> {
  let result = loaded.get(source);
  if (!result) {
    result = (async (): Promise<LoadedNotebook> => {
      const { text, truncated } = await source.text();
      if (truncated) return { ok: false, error: new FormatError('the notebook is larger than the policy\'s text limit') };
      try {
        return { ok: true, notebook: parseNotebook(text), text };
      } catch (error) {
        if (error instanceof FormatError) return { ok: false, error };
        throw error;
      }
    })();
    loaded.set(source, result);
  }
  return result;
}
