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
/** Identifiers beyond ASCII (PEP 3131); the ASCII ones are scanned by character codes below. */
const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]*/uy;
const NUMBER = /(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?[jJ]?|\d[\d_]*\.)/y;
const VALID_PREFIX = /^(?:[rR][bBfFtT]?|[bBfFtT][rR]?|[uU])$/;
const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
/** The operators above by their first character code, in the order they are tried (longest first). */
const OPERATORS_BY_FIRST = new Map<number, string[]>();
for (const o of OPERATORS) {
  const list = OPERATORS_BY_FIRST.get(o.charCodeAt(0));
  if (list) list.push(o); else OPERATORS_BY_FIRST.set(o.charCodeAt(0), [o]);
}
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

// Character codes.
const TAB = 9, LF = 10, FF = 12, CR = 13, SPACE = 32, HASH = 35, QUOTE = 34, APOS = 39, DOT = 46, BACKSLASH = 92, UNDERSCORE = 95;

const isAsciiLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiNameChar = (c: number): boolean => isAsciiLetter(c) || isDigit(c) || c === UNDERSCORE;
/** Letters that may start a string prefix: r, b, u, f, t in either case. */
const isPrefixChar = (c: number): boolean => {
  const l = c | 0x20;
  return isAsciiLetter(c) && (l === 114 || l === 98 || l === 117 || l === 102 || l === 116);
};

/**
 * The tokens of `source`. Scanned by character codes rather than with a regular expression tried at each
 * position: this runs over every Python file of a repository, so apart from the tokens it allocates little.
 */
export function tokenizePython(source: string, limits: TokenizeLimits = {}): Token[] {
  const maxChars = limits.maxChars ?? DEFAULT_TOKEN_LIMITS.maxChars;
  const maxTokens = limits.maxTokens ?? DEFAULT_TOKEN_LIMITS.maxTokens;
  if (source.length > maxChars) throw new FormatError(`Python source of ${source.length} characters is over the ${maxChars}-character limit`);
  const tokens: Token[] = [];
  const length = source.length;
  let line = 1;
  let depth = 0;
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineStart = i;
  let lastNewline = false;
  const room = (start: number): void => {
    if (tokens.length >= maxTokens) throw new FormatError(`Python source has more than ${maxTokens} tokens`, start);
  };
  const push = (type: TokenType, text: string, start: number, end: number): void => {
    room(start);
    tokens.push({ type, text, line, column: start - lineStart + 1, start, end, depth });
    lastNewline = type === 'newline';
  };
  while (i < length) {
    const c = source.charCodeAt(i);
    if (c === SPACE || c === TAB || c === FF || c === CR) { i++; continue; }
    if (c === LF) {
      if (depth === 0 && tokens.length > 0 && !lastNewline) push('newline', '\n', i, i + 1);
      i++; line++; lineStart = i;
      continue;
    }
    if (c === BACKSLASH) {
      const next = source.charCodeAt(i + 1);
      if (next === LF || (next === CR && source.charCodeAt(i + 2) === LF)) {
        i += next === LF ? 2 : 3; line++; lineStart = i;
        continue;
      }
    }
    if (c === HASH) {
      const nl = source.indexOf('\n', i);
      const end = nl === -1 ? length : nl;
      push('comment', source.slice(i, end), i, end);
      i = end;
      continue;
    }
    if (c === QUOTE || c === APOS || isPrefixChar(c)) {
      // A string: up to two prefix letters (a valid combination), then one or three quotes.
      let q = i;
      while (q < i + 2 && isPrefixChar(source.charCodeAt(q))) q++;
      const qc = source.charCodeAt(q);
      if (qc === QUOTE || qc === APOS) {
        const rawPrefix = source.slice(i, q);
        if (rawPrefix === '' || VALID_PREFIX.test(rawPrefix)) {
          const quoteLength = source.charCodeAt(q + 1) === qc && source.charCodeAt(q + 2) === qc ? 3 : 1;
          const contentStart = q + quoteLength;
          const { end, closed } = stringEnd(source, contentStart, qc, quoteLength === 3);
          const body = source.slice(contentStart, closed ? end - quoteLength : end);
          const prefix = rawPrefix.toLowerCase();
          room(i);
          const token: StringToken = {
            type: 'string', text: source.slice(i, end), line, column: i - lineStart + 1, start: i, end, depth,
            prefix, value: prefix.includes('r') ? body : unescape(body),
          };
          tokens.push(token);
          lastNewline = false;
          for (let k = source.indexOf('\n', i); k !== -1 && k < end; k = source.indexOf('\n', k + 1)) { line++; lineStart = k + 1; }
          i = end;
          continue;
        }
      }
    }
    if (isAsciiLetter(c) || c === UNDERSCORE) {
      let j = i + 1;
      while (j < length && isAsciiNameChar(source.charCodeAt(j))) j++;
      if (j >= length || source.charCodeAt(j) < 0x80) {
        push('name', source.slice(i, j), i, j);
        i = j;
        continue;
      }
      // The name goes on beyond ASCII: the full rule below decides where it ends.
    }
    if (c >= 0x80 || isAsciiLetter(c) || c === UNDERSCORE) {
      NAME.lastIndex = i;
      const n = NAME.exec(source);
      if (n) { push('name', n[0], i, i + n[0].length); i += n[0].length; continue; }
    }
    // A '.' not followed by a digit is never a number (the expression below would not match it either).
    if (isDigit(c) || (c === DOT && isDigit(source.charCodeAt(i + 1)))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(source);
      if (m && m[0].length > 0 && m[0] !== '.') { push('number', m[0], i, i + m[0].length); i += m[0].length; continue; }
    }
    const candidates = OPERATORS_BY_FIRST.get(c);
    let op: string | undefined;
    if (candidates) for (const o of candidates) if (source.startsWith(o, i)) { op = o; break; }
    if (op !== undefined) { push('op', op, i, i + op.length); i += op.length; continue; }
    const ch = source[i];
    if (c === 40 || c === 91 || c === 123) { push('op', ch, i, i + 1); depth = Math.min(depth + 1, MAX_DEPTH); } // ( [ {
    else if (c === 41 || c === 93 || c === 125) { depth = Math.max(0, depth - 1); push('op', ch, i, i + 1); } // ) ] }
    else push('op', ch, i, i + 1);
    i++;
  }
  if (tokens.length > 0 && !lastNewline) push('newline', '', length, length);
  return tokens;
}

/** Index just past the closing quote(s); an unterminated short string ends at its line, a long one at the end. */
function stringEnd(source: string, from: number, quote: number, long: boolean): { end: number; closed: boolean } {
  for (let k = from; k < source.length; k++) {
    const ch = source.charCodeAt(k);
    if (ch === BACKSLASH) { k++; continue; } // even in raw strings a backslash keeps the next quote in the string
    if (ch === LF) { if (!long) return { end: k, closed: false }; continue; }
    if (ch === quote && (!long || (source.charCodeAt(k + 1) === quote && source.charCodeAt(k + 2) === quote))) {
      return { end: k + (long ? 3 : 1), closed: true };
    }
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
