/**
 * A light Python tokenizer: enough structure to tell a call from the same text inside a string or a comment,
 * to recover a call's arguments, and to follow simple assignments. It follows the lexical rules of the Python
 * reference (section 2, "Lexical analysis": string prefixes, triple quotes, implicit line joining inside
 * brackets, explicit joining with a backslash) without building a syntax tree. It never fails on odd input
 * (an unterminated string runs to the end of its line, or of the file when triple-quoted): a scanner must
 * keep going where Python would stop. Only the limits throw, with a FormatError.
 */
import { FormatError } from './errors.js';

export type TokenType = 'name' | 'number' | 'string' | 'op' | 'comment' | 'newline';

export interface Token {
  type: TokenType;
  /** The token's source text (a string token keeps its prefix and quotes). */
  text: string;
  /** 1-based line and column (UTF-16 code units) of the first character. */
  line: number;
  column: number;
  /** 0-based offsets into the source, end exclusive. */
  start: number;
  end: number;
  /** Bracket depth before this token (0 at statement level). */
  depth: number;
}

export interface StringToken extends Token {
  type: 'string';
  /** Lower-cased prefix: '', 'r', 'b', 'rb', 'f', 'fr', 'u', 't', ... */
  prefix: string;
  /** The content between the quotes, with simple escapes resolved (not for raw strings). */
  value: string;
}

export interface TokenizeLimits {
  /** Characters of source accepted. */
  maxChars?: number;
  /** Tokens produced. */
  maxTokens?: number;
}

export const DEFAULT_TOKEN_LIMITS: Required<TokenizeLimits> = { maxChars: 4 * 1024 * 1024, maxTokens: 1_000_000 };

/** Brackets deeper than this stop counting (Python itself refuses 200 levels). */
const MAX_DEPTH = 256;
const STRING_START = /([rRbBuUfFtT]{0,2})('''|"""|'|")/y;
const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]*/uy;
const NUMBER = /(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?[jJ]?|\d[\d_]*\.)/y;
const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

export function tokenizePython(source: string, limits: TokenizeLimits = {}): Token[] {
  const { maxChars, maxTokens } = { ...DEFAULT_TOKEN_LIMITS, ...limits };
  if (source.length > maxChars) throw new FormatError(`Python source of ${source.length} characters is over the ${maxChars}-character limit`);
  const tokens: Token[] = [];
  let line = 1;
  let depth = 0;
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineStart = i;
  const push = (type: TokenType, start: number, end: number, extra: Partial<StringToken> = {}) => {
    if (tokens.length >= maxTokens) throw new FormatError(`Python source has more than ${maxTokens} tokens`, start);
    tokens.push({ type, text: source.slice(start, end), line, column: start - lineStart + 1, start, end, depth, ...extra } as Token);
  };
  /** Advances line bookkeeping over newlines inside [from, to). */
  const countLines = (from: number, to: number) => {
    for (let k = source.indexOf('\n', from); k !== -1 && k < to; k = source.indexOf('\n', k + 1)) { line++; lineStart = k + 1; }
  };
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\f' || c === '\r') { i++; continue; }
    if (c === '\n') {
      if (depth === 0 && tokens.length > 0 && tokens[tokens.length - 1].type !== 'newline') push('newline', i, i + 1);
      i++; line++; lineStart = i;
      continue;
    }
    if (c === '\\' && (source[i + 1] === '\n' || (source[i + 1] === '\r' && source[i + 2] === '\n'))) {
      i += source[i + 1] === '\n' ? 2 : 3; line++; lineStart = i;
      continue;
    }
    if (c === '#') {
      const nl = source.indexOf('\n', i);
      const end = nl === -1 ? source.length : nl;
      push('comment', i, end);
      i = end;
      continue;
    }
    STRING_START.lastIndex = i;
    const s = STRING_START.exec(source);
    if (s && (s[1] === '' || /^(?:[rR][bBfFtT]?|[bBfFtT][rR]?|[uU])$/.test(s[1]))) {
      const contentStart = i + s[0].length;
      const { end, closed } = stringEnd(source, contentStart, s[2]);
      const body = source.slice(contentStart, closed ? end - s[2].length : end);
      const prefix = s[1].toLowerCase();
      push('string', i, end, { prefix, value: prefix.includes('r') ? body : unescape(body) });
      countLines(i, end);
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const n = NAME.exec(source);
    if (n) { push('name', i, i + n[0].length); i += n[0].length; continue; }
    if (/[\d.]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(source);
      if (m && m[0].length > 0 && m[0] !== '.') { push('number', i, i + m[0].length); i += m[0].length; continue; }
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i)) ?? c;
    if (op === '(' || op === '[' || op === '{') { push('op', i, i + 1); depth = Math.min(depth + 1, MAX_DEPTH); }
    else if (op === ')' || op === ']' || op === '}') { depth = Math.max(0, depth - 1); push('op', i, i + 1); }
    else push('op', i, i + op.length);
    i += op.length;
  }
  if (tokens.length > 0 && tokens[tokens.length - 1].type !== 'newline') push('newline', source.length, source.length);
  return tokens;
}

/** Index just past the closing quote; an unterminated short string ends at its line, a long one at the end. */
function stringEnd(source: string, from: number, quote: string): { end: number; closed: boolean } {
  const long = quote.length === 3;
  for (let k = from; k < source.length; k++) {
    const ch = source[k];
    if (ch === '\\') { k++; continue; } // even in raw strings a backslash keeps the next quote in the string
    if (!long && ch === '\n') return { end: k, closed: false };
    if (source.startsWith(quote, k)) return { end: k + quote.length, closed: true };
  }
  return { end: source.length, closed: false };
}

function unescape(body: string): string {
  if (!body.includes('\\')) return body;
  return body.replace(/\\(\n|x[\da-fA-F]{2}|u[\da-fA-F]{4}|.)/g, (all, e: string) => {
    if (e === '\n') return '';
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return SIMPLE_ESCAPES[e] ?? all;
  });
}

export function isString(token: Token | undefined): token is StringToken {
  return token?.type === 'string';
}

/** One argument of a call: `name=value` (keyword), `*x`/`**x` (star), or positional; tokens [from, to). */
export interface CallArgument {
  keyword?: string;
  star?: '*' | '**';
  from: number;
  to: number;
}

export interface Call {
  /** Index of the `(` token. */
  open: number;
  /** Index of the matching `)` token (or the end of the tokens when unbalanced). */
  close: number;
  args: CallArgument[];
}

/** The arguments of the call whose `(` is `tokens[open]`, split at top-level commas. Bounded by `maxTokens`. */
export function callArguments(tokens: readonly Token[], open: number, maxTokens = 20_000): Call {
  const args: CallArgument[] = [];
  const base = tokens[open].depth + 1;
  let from = open + 1;
  let k = open + 1;
  const last = Math.min(tokens.length, open + maxTokens);
  const finish = (to: number) => {
    const skip = (t: Token | undefined) => t?.type === 'comment' || t?.type === 'newline';
    let a = from, b = to;
    while (a < b && skip(tokens[a])) a++;
    while (b > a && skip(tokens[b - 1])) b--;
    if (a === b) return;
    const t = tokens[a];
    if (t.type === 'op' && (t.text === '*' || t.text === '**')) args.push({ star: t.text, from: a + 1, to: b });
    else if (t.type === 'name' && tokens[a + 1]?.type === 'op' && tokens[a + 1].text === '=' && a + 1 < b) args.push({ keyword: t.text, from: a + 2, to: b });
    else args.push({ from: a, to: b });
  };
  for (; k < last; k++) {
    const t = tokens[k];
    if (t.type !== 'op') continue;
    if (t.depth === base - 1 && (t.text === ')' || t.text === ']' || t.text === '}')) { finish(k); return { open, close: k, args }; }
    if (t.depth === base && t.text === ',') { finish(k); from = k + 1; }
  }
  finish(k);
  return { open, close: k, args };
}

/** The source text of tokens [from, to), on one line with single spaces, cut to `max` characters. */
export function tokenText(source: string, tokens: readonly Token[], from: number, to: number, max = 60): string {
  if (from >= to) return '';
  const text = source.slice(tokens[from].start, tokens[to - 1].end).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
