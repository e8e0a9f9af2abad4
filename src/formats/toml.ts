/**
 * A small, bounded TOML 1.0 reader: enough for pyproject.toml, Pipfile, poetry.lock and uv.lock. It returns
 * the value and the 1-based line of every key and array element (by JSON pointer), so that findings point at
 * the line. Datetimes are kept as strings; numbers become numbers. Throws only FormatError.
 */
import { FormatError } from './errors.js';
import { joinPointer } from './yaml-positions.js';

export interface TomlDocument {
  value: Record<string, unknown>;
  /** 1-based line of the value at `pointer` (`/project/dependencies/0`), or undefined. */
  lineOf(pointer: string): number | undefined;
}

export interface TomlLimits { maxDepth?: number; maxValues?: number; maxStringLength?: number }
const DEFAULTS: Required<TomlLimits> = { maxDepth: 32, maxValues: 500_000, maxStringLength: 1 << 20 };

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseToml(text: string, limits: TomlLimits = {}): TomlDocument {
  return new Parser(text.replace(/^\uFEFF/, ''), { ...DEFAULTS, ...limits }).parse();
}

class Parser {
  private i = 0;
  private line = 1;
  private values = 0;
  private readonly lines = new Map<string, number>();
  private readonly root: Table = {};
  /** Tables defined by a header or by dotted keys: redefinition is an error in TOML, and a sign of a bad file. */
  private readonly defined = new Set<string>();

  constructor(private readonly s: string, private readonly limits: Required<TomlLimits>) {}

  parse(): TomlDocument {
    let table = this.root;
    let base = '';
    for (;;) {
      this.skipBlank();
      if (this.i >= this.s.length) break;
      if (this.s[this.i] === '[') {
        const array = this.s.startsWith('[[', this.i);
        this.i += array ? 2 : 1;
        this.ws();
        const keys = this.key();
        this.ws();
        this.expect(array ? ']]' : ']');
        ({ table, base } = this.header(keys, array));
      } else {
        this.keyValue(table, base);
      }
      this.endOfLine();
    }
    const lines = this.lines;
    return { value: this.root, lineOf: (p) => lines.get(p) };
  }

  private header(keys: string[], array: boolean): { table: Table; base: string } {
    let t = this.root;
    let pointer = '';
    keys.forEach((k, idx) => {
      pointer = joinPointer(pointer, k);
      const last = idx === keys.length - 1;
      let next = t[k];
      if (last && array) {
        if (next === undefined) next = t[k] = [];
        if (!Array.isArray(next)) this.fail(`[[${keys.join('.')}]] redefines a key`);
        const arr = next as unknown[];
        const item: Table = {};
        arr.push(item);
        pointer = joinPointer(pointer, arr.length - 1);
        this.lines.set(pointer, this.line);
        t = item;
        return;
      }
      if (next === undefined) { next = t[k] = {}; this.lines.set(pointer, this.line); }
      if (Array.isArray(next)) { next = next[next.length - 1]; pointer = joinPointer(pointer, (t[k] as unknown[]).length - 1); }
      if (!isTable(next)) this.fail(`table [${keys.join('.')}] redefines a value`);
      t = next as Table;
    });
    if (!array) {
      if (this.defined.has(pointer)) this.fail(`table [${keys.join('.')}] defined twice`);
      this.defined.add(pointer);
    }
    return { table: t, base: pointer };
  }

  private keyValue(table: Table, base: string): void {
    const line = this.line;
    const keys = this.key();
    this.ws();
    this.expect('=');
    this.ws();
    let t = table;
    let pointer = base;
    for (const k of keys.slice(0, -1)) {
      pointer = joinPointer(pointer, k);
      if (t[k] === undefined) { t[k] = {}; this.lines.set(pointer, line); }
      if (!isTable(t[k])) this.fail(`key ${keys.join('.')} redefines a value`);
      t = t[k] as Table;
    }
    const last = keys[keys.length - 1];
    pointer = joinPointer(pointer, last);
    if (last in t) this.fail(`duplicate key ${keys.join('.')}`);
    this.lines.set(pointer, line);
    t[last] = this.value(pointer, 0);
  }

  private key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i, this.i + 256));
        if (!m) this.fail('expected a key');
        parts.push(m![0]);
        this.i += m![0].length;
      }
      this.ws();
      if (this.s[this.i] !== '.') return parts;
      this.i++;
    }
  }

  private value(pointer: string, depth: number): unknown {
    if (depth > this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth}`);
    if (++this.values > this.limits.maxValues) this.fail(`more than ${this.limits.maxValues} values`);
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.string();
    if (c === '[') return this.array(pointer, depth);
    if (c === '{') return this.inlineTable(pointer, depth);
    const m = /^[^\s,\]}#]+/.exec(this.s.slice(this.i, this.i + 128));
    if (!m) this.fail('expected a value');
    let word = m![0];
    // Datetimes may hold one space between date and time.
    const dt = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}[^\s,\]}#]*/.exec(this.s.slice(this.i, this.i + 64));
    if (dt) word = dt[0];
    this.i += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^[+-]?(\d[\d_]*)(\.\d[\d_]*)?([eE][+-]?\d+)?$/.test(word)) return Number(word.replace(/_/g, ''));
    if (/^[+-]?(inf|nan)$|^0[xob][0-9a-fA-F_]+$/.test(word)) return word;
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(word)) return word;
    return this.fail(`unexpected value ${JSON.stringify(word.slice(0, 40))}`);
  }

  private array(pointer: string, depth: number): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.skipBlank();
      if (this.s[this.i] === ']') { this.i++; return out; }
      const p = joinPointer(pointer, out.length);
      this.lines.set(p, this.line);
      out.push(this.value(p, depth + 1));
      this.skipBlank();
      if (this.s[this.i] === ',') { this.i++; continue; }
      if (this.s[this.i] === ']') { this.i++; return out; }
      this.fail('expected , or ] in an array');
    }
  }

  private inlineTable(pointer: string, depth: number): Table {
    this.i++;
    const out: Table = {};
    this.ws();
    if (this.s[this.i] === '}') { this.i++; return out; }
    for (;;) {
      this.ws();
      const line = this.line;
      const keys = this.key();
      this.ws();
      this.expect('=');
      this.ws();
      let t = out;
      let p = pointer;
      for (const k of keys.slice(0, -1)) { p = joinPointer(p, k); t = (t[k] ??= {}) as Table; }
      p = joinPointer(p, keys[keys.length - 1]);
      this.lines.set(p, line);
      t[keys[keys.length - 1]] = this.value(p, depth + 1);
      this.ws();
      if (this.s[this.i] === ',') { this.i++; continue; }
      if (this.s[this.i] === '}') { this.i++; return out; }
      this.fail('expected , or } in an inline table');
    }
  }

  private string(): string {
    const q = this.s[this.i];
    const multi = this.s.startsWith(q.repeat(3), this.i);
    const close = multi ? q.repeat(3) : q;
    this.i += close.length;
    if (multi && this.s[this.i] === '\n') { this.i++; this.line++; }
    else if (multi && this.s.startsWith('\r\n', this.i)) { this.i += 2; this.line++; }
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string');
      if (out.length > this.limits.maxStringLength) this.fail('string too long');
      if (this.s.startsWith(close, this.i)) {
        // In a multi-line string, up to two quotes right before the closing delimiter belong to the string.
        let run = 0;
        while (multi && this.s[this.i + run] === q && run < 5) run++;
        const extra = multi ? Math.min(run - 3, 2) : 0;
        out += q.repeat(extra);
        this.i += close.length + extra;
        return out;
      }
      const c = this.s[this.i];
      if (c === '\n') { if (!multi) this.fail('newline in a string'); this.line++; }
      if (c === '\\' && q === '"') {
        const e = this.s[this.i + 1];
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
        if (e in simple) { out += simple[e]; this.i += 2; continue; }
        if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          const hex = this.s.slice(this.i + 2, this.i + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail('bad unicode escape');
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff) this.fail('bad unicode escape');
          out += String.fromCodePoint(cp);
          this.i += 2 + len;
          continue;
        }
        if (multi && /[ \t\r\n]/.test(e)) { // line-ending backslash: trim the newline and following whitespace
          this.i++;
          while (/[ \t\r\n]/.test(this.s[this.i] ?? '')) { if (this.s[this.i] === '\n') this.line++; this.i++; }
          continue;
        }
        this.fail(`bad escape \\${e}`);
      }
      out += c;
      this.i++;
    }
  }

  private ws(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  /** Whitespace, newlines and comments. */
  private skipBlank(): void {
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === '#') { while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++; continue; }
      if (c === '\r' && this.s[this.i + 1] === '\n') { this.i++; continue; }
      if (c === '\n') { this.i++; this.line++; continue; }
      return;
    }
  }

  private endOfLine(): void {
    this.ws();
    if (this.s[this.i] === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
    if (this.s[this.i] === '\r') this.i++;
    if (this.i < this.s.length && this.s[this.i] !== '\n') this.fail('expected the end of the line');
  }

  private expect(token: string): void {
    if (!this.s.startsWith(token, this.i)) this.fail(`expected ${token}`);
    this.i += token.length;
  }

  private fail(reason: string): never {
    throw new FormatError(`line ${this.line}: ${reason}`, this.i);
  }
}
