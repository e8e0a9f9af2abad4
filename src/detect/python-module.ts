/**
 * A shallow reading of one Python source on top of the tokenizer: statements and the function they sit in,
 * imports (so `from pickle import loads` makes `loads(` mean `pickle.loads`), simple assignments, calls with
 * their arguments, and where a value comes from (a URL, a download call, a config value, a literal path).
 * Nothing is evaluated; following a name is limited to assignments in the same function or at module level.
 */
import { FormatError } from '../formats/errors.js';
import { parsedOnce } from '../formats/parse-cache.js';
import { callArguments, isString, tokenizePython, tokenText, type Call, type CallArgument, type Token } from '../formats/python-tokens.js';

export interface Statement { first: number; end: number; indent: number; scope: number }
interface Assignment { name: string; scope: number; at: number; from: number; to: number; line: number }

export interface PyCall {
  /** Dotted name as written (`np.load`), `?.load` when the receiver is an expression. */
  written: string;
  /** With import aliases resolved (`numpy.load`). */
  resolved: string;
  /** Index of the callee's last name token. */
  at: number;
  call: Call;
  scope: number;
}

export type OriginKind = 'url' | 'download' | 'config' | 'local' | 'unknown';
export interface Origin { kind: OriginKind; /** e.g. `hf_hub_download (line 12)` or `'https://…'`. */ detail: string }

export interface PythonModule {
  source: string;
  tokens: Token[];
  calls: PyCall[];
  keyword(call: Call, name: string): CallArgument | undefined;
  positional(call: Call, index: number): CallArgument | undefined;
  text(arg: CallArgument | undefined, max?: number): string;
  /** `True`/`False`/`None` when the argument is exactly that constant. */
  constant(arg: CallArgument | undefined): string | undefined;
  /** The argument's value when it is (or is assigned from) one plain string literal. */
  stringValue(arg: CallArgument | undefined, scope: number): string | undefined;
  origin(arg: CallArgument | undefined, scope: number): Origin;
}

/** Calls and modules whose result is something fetched over the network. */
const DOWNLOADERS = new Set([
  'hf_hub_download', 'snapshot_download', 'cached_download', 'cached_path', 'hf_hub_url', 'urlretrieve', 'urlopen',
  'download_url', 'download_file', 'download_fileobj', 'download_url_to_file', 'load_state_dict_from_url', 'get_file',
  'requests', 'httpx', 'urllib3', 'aiohttp', 'wget', 'gdown',
]);
const CONFIG_ROOTS = new Set(['args', 'opt', 'opts', 'options', 'cfg', 'config', 'conf', 'hparams', 'params', 'hp', 'settings', 'flags', 'FLAGS', 'kwargs']);
const URL = /^(?:https?|ftp|s3|gs|gcs|hf|az|abfs|wasbs?):\/\//i;
const DEFAULT_ALIASES: Record<string, string> = { np: 'numpy', pd: 'pandas', tf: 'tensorflow' };
const MAX_FOLLOW = 4;
const COMPOUND = new Set(['if', 'elif', 'else', 'while', 'for', 'try', 'except', 'finally', 'with', 'def', 'class', 'async']);

export function analyzePython(source: string): PythonModule {
  const tokens = tokenizePython(source);
  const statements = splitStatements(tokens);
  const aliases = importAliases(tokens, statements);
  const calls = collectCalls(tokens, statements, aliases);
  const code = (from: number, to: number) => {
    const out: number[] = [];
    for (let k = from; k < to; k++) if (tokens[k].type !== 'comment' && tokens[k].type !== 'newline') out.push(k);
    return out;
  };
  // Assignments are collected when a value is first followed: most files have no call anyone asks about.
  let byName: Map<string, Assignment[]> | undefined;
  const assignmentsNamed = (name: string): Assignment[] => {
    if (!byName) {
      byName = new Map();
      for (const a of collectAssignments(tokens, statements)) {
        const list = byName.get(a.name);
        if (list) list.push(a); else byName.set(a.name, [a]);
      }
    }
    return byName.get(name) ?? [];
  };
  const lookup = (name: string, scope: number, before: number): Assignment | undefined => {
    let best: Assignment | undefined;
    for (const a of assignmentsNamed(name)) {
      if (a.at >= before) continue;
      if (a.scope === scope || (a.scope === 0 && (!best || best.scope === 0))) {
        if (!best || (a.scope === scope && best.scope !== scope) || a.at > best.at) best = a;
      }
    }
    return best;
  };
  const originOf = (from: number, to: number, scope: number, depth: number): Origin => {
    let local: Origin | undefined;
    let config: Origin | undefined;
    for (const k of code(from, to)) {
      const t = tokens[k];
      if (isString(t)) {
        if (URL.test(t.value)) return { kind: 'url', detail: `'${shorten(t.value)}'` };
        // A path has a dot or a slash; mode and device strings ('rb', 'cpu') are not what is loaded.
        if (/[./\\]/.test(t.value)) local ??= { kind: 'local', detail: `'${shorten(t.value)}'` };
        continue;
      }
      if (t.type !== 'name') continue;
      const prev = tokens[k - 1];
      const afterDot = prev?.type === 'op' && prev.text === '.';
      if (DOWNLOADERS.has(t.text)) return { kind: 'download', detail: `${t.text} (line ${t.line})` };
      if (afterDot) continue;
      const dotted = dottedFrom(tokens, k);
      if (dotted === 'os.environ' || dotted === 'os.getenv' || dotted === 'sys.argv' || t.text === 'input') {
        config ??= { kind: 'config', detail: `${dotted === t.text ? t.text : dotted} (line ${t.line})` };
        continue;
      }
      if (CONFIG_ROOTS.has(t.text) && /^[.[]$/.test(tokens[k + 1]?.text ?? '')) {
        config ??= { kind: 'config', detail: `${shorten(source.slice(t.start, endOfAccess(tokens, k)), 40)} (line ${t.line})` };
        continue;
      }
      if (depth >= MAX_FOLLOW) continue;
      const a = lookup(t.text, scope, k);
      if (!a) continue;
      const o = originOf(a.from, a.to, a.scope, depth + 1);
      if (o.kind === 'url' || o.kind === 'download') return { kind: o.kind, detail: `${o.detail}, assigned to ${t.text} on line ${a.line}` };
      if (o.kind === 'config') config ??= o;
      else if (o.kind === 'local') local ??= o;
    }
    return config ?? local ?? { kind: 'unknown', detail: '' };
  };
  const constant = (arg: CallArgument | undefined) => {
    if (!arg) return undefined;
    const ks = code(arg.from, arg.to);
    return ks.length === 1 && tokens[ks[0]].type === 'name' && /^(True|False|None)$/.test(tokens[ks[0]].text) ? tokens[ks[0]].text : undefined;
  };
  const stringValue = (arg: CallArgument | undefined, scope: number, depth = 0): string | undefined => {
    if (!arg) return undefined;
    const ks = code(arg.from, arg.to);
    if (ks.length !== 1) return undefined;
    const t = tokens[ks[0]];
    if (isString(t) && !t.prefix.includes('f') && !t.prefix.includes('b')) return t.value;
    if (t.type !== 'name' || depth >= MAX_FOLLOW) return undefined;
    const a = lookup(t.text, scope, ks[0]);
    return a ? stringValue({ from: a.from, to: a.to }, a.scope, depth + 1) : undefined;
  };
  return {
    source, tokens, calls,
    keyword: (call, name) => call.args.find((a) => a.keyword === name),
    positional: (call, index) => call.args.filter((a) => !a.keyword && !a.star)[index],
    text: (arg, max = 60) => (arg ? tokenText(source, tokens, arg.from, arg.to, max) : ''),
    constant,
    stringValue: (arg, scope) => stringValue(arg, scope),
    origin: (arg, scope) => (arg ? originOf(arg.from, arg.to, scope, 0) : { kind: 'unknown', detail: '' }),
  };
}

function shorten(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/** `a.b.c` starting at name token k (forwards). */
function dottedFrom(tokens: readonly Token[], k: number): string {
  let out = tokens[k].text;
  for (let j = k + 1; tokens[j]?.text === '.' && tokens[j + 1]?.type === 'name' && j < k + 20; j += 2) out += `.${tokens[j + 1].text}`;
  return out;
}

/** End offset of `cfg.model.path` or `cfg["a"]["b"]` starting at name token k. */
function endOfAccess(tokens: readonly Token[], k: number): number {
  let j = k;
  for (let n = 0; n < 20; n++) {
    const t = tokens[j + 1];
    if (t?.text === '.' && tokens[j + 2]?.type === 'name') j += 2;
    else if (t?.text === '[') {
      let m = j + 2;
      while (m < tokens.length && !(tokens[m].text === ']' && tokens[m].depth === t.depth)) m++;
      j = m;
    } else break;
  }
  return tokens[Math.min(j, tokens.length - 1)].end;
}

function splitStatements(tokens: readonly Token[]): Statement[] {
  const out: Statement[] = [];
  const stack: Array<{ indent: number; id: number }> = [{ indent: -1, id: 0 }];
  let nextScope = 1;
  let first = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (first < 0) {
      if (t.type === 'comment' || t.type === 'newline') continue;
      first = k;
    }
    if (t.type !== 'newline') continue;
    const indent = tokens[first].column - 1;
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    out.push({ first, end: k, indent, scope: stack[stack.length - 1].id });
    const head = tokens[first].text === 'async' ? tokens[first + 1]?.text : tokens[first].text;
    if (head === 'def' || head === 'class') stack.push({ indent, id: nextScope++ });
    first = -1;
  }
  return out;
}

function importAliases(tokens: readonly Token[], statements: readonly Statement[]): Map<string, string> {
  const aliases = new Map<string, string>();
  const dotted = (k: number, end: number) => {
    let name = '';
    let j = k;
    for (; j < end && (tokens[j].type === 'name' || tokens[j].text === '.') && tokens[j].text !== 'as' && tokens[j].text !== 'import'; j++) name += tokens[j].text;
    return { name, next: j };
  };
  for (const s of statements) {
    const head = tokens[s.first].text;
    if (head === 'import') {
      for (let k = s.first + 1; k < s.end;) {
        const { name, next } = dotted(k, s.end);
        if (!name) { k++; continue; }
        if (tokens[next]?.text === 'as' && tokens[next + 1]?.type === 'name') { aliases.set(tokens[next + 1].text, name); k = next + 2; }
        else { aliases.set(name.split('.')[0], name.split('.')[0]); k = next; }
        if (tokens[k]?.text === ',') k++;
      }
    } else if (head === 'from') {
      const { name: mod, next } = dotted(s.first + 1, s.end);
      if (!mod || mod.startsWith('.') || tokens[next]?.text !== 'import') continue;
      for (let k = next + 1; k < s.end; k++) {
        const t = tokens[k];
        if (t.type !== 'name') continue;
        if (tokens[k + 1]?.text === 'as' && tokens[k + 2]?.type === 'name') { aliases.set(tokens[k + 2].text, `${mod}.${t.text}`); k += 2; }
        else aliases.set(t.text, `${mod}.${t.text}`);
      }
    }
  }
  return aliases;
}

/** `x = v`, `a, b = v`, `x: T = v`, `self.x = v`, `with v as x`. */
function collectAssignments(tokens: readonly Token[], statements: readonly Statement[]): Assignment[] {
  const out: Assignment[] = [];
  for (const s of statements) {
    const base = tokens[s.first].depth;
    const head = tokens[s.first].text === 'async' ? s.first + 1 : s.first;
    if (tokens[head].text === 'with') {
      let from = head + 1;
      for (let k = head + 1; k < s.end; k++) {
        const t = tokens[k];
        if (t.depth !== base) continue;
        if (t.text === 'as' && tokens[k + 1]?.type === 'name') out.push({ name: tokens[k + 1].text, scope: s.scope, at: k + 1, from, to: k, line: t.line });
        if (t.text === ',' ) from = k + 1;
        if (t.text === ':') break;
      }
      continue;
    }
    const eqs: number[] = [];
    for (let k = s.first; k < s.end; k++) if (tokens[k].depth === base && tokens[k].type === 'op' && tokens[k].text === '=') eqs.push(k);
    if (eqs.length === 0) continue;
    const valueFrom = eqs[eqs.length - 1] + 1;
    let from = s.first;
    for (const eq of eqs) {
      for (const name of targetNames(tokens, from, eq)) out.push({ name, scope: s.scope, at: eq, from: valueFrom, to: s.end, line: tokens[from].line });
      from = eq + 1;
    }
  }
  return out;
}

function targetNames(tokens: readonly Token[], from: number, to: number): string[] {
  let parts = tokens.slice(from, to);
  const base = tokens[from].depth;
  if (COMPOUND.has(parts[0]?.text ?? '')) {
    // `if ok: x = v`: the target follows the header's colon.
    const last = parts.map((t) => t.text === ':' && t.depth === base).lastIndexOf(true);
    parts = last >= 0 ? parts.slice(last + 1) : [];
  }
  const colon = parts.findIndex((t) => t.text === ':' && t.depth === base);
  const target = colon >= 0 ? parts.slice(0, colon) : parts;
  if (target.length > 0 && target.every((t, i) => (i % 2 === 0 ? t.type === 'name' : t.text === '.'))) return [target.map((t) => t.text).join('')];
  if (target.every((t) => t.type === 'name' || /^[,()[\]*]$/.test(t.text))) return target.filter((t) => t.type === 'name').map((t) => t.text);
  return [];
}

function collectCalls(tokens: readonly Token[], statements: readonly Statement[], aliases: Map<string, string>): PyCall[] {
  const out: PyCall[] = [];
  for (const s of statements) {
    for (let k = s.first; k < s.end; k++) {
      const t = tokens[k];
      if (t.type !== 'name' || tokens[k + 1]?.text !== '(' || tokens[k + 1]?.type !== 'op') continue;
      let j = k;
      const parts = [t.text];
      while (tokens[j - 1]?.text === '.' && tokens[j - 2]?.type === 'name' && parts.length < 20) { parts.unshift(tokens[j - 2].text); j -= 2; }
      const before = tokens[j - 1];
      if (before?.type === 'name' && (before.text === 'def' || before.text === 'class')) continue;
      const receiverUnknown = before?.text === '.';
      const written = (receiverUnknown ? '?.' : '') + parts.join('.');
      const alias = receiverUnknown ? undefined : aliases.get(parts[0]) ?? DEFAULT_ALIASES[parts[0]];
      const resolved = alias ? [alias, ...parts.slice(1)].join('.') : written;
      out.push(new LazyCall(tokens, written, resolved, k, s.scope));
    }
  }
  return out;
}

/**
 * A call whose arguments are split on first use: most calls are never asked for them, and splitting every call
 * of a deeply nested expression up front would cost its length times its depth. (A class rather than an object
 * literal with a getter, which is much slower to create: there is one per call in every Python file.)
 */
class LazyCall implements PyCall {
  readonly written: string;
  readonly resolved: string;
  readonly at: number;
  readonly scope: number;
  readonly #tokens: readonly Token[];
  #call: Call | undefined;
  constructor(tokens: readonly Token[], written: string, resolved: string, at: number, scope: number) {
    this.#tokens = tokens;
    this.written = written;
    this.resolved = resolved;
    this.at = at;
    this.scope = scope;
  }
  get call(): Call {
    return (this.#call ??= callArguments(this.#tokens, this.at + 1));
  }
}

/** The file's analysis, made once per file whichever rule asks first; a FormatError past the tokenizer's limits. */
export async function pythonModuleOf(ctx: { reader: { text(): Promise<{ text: string; truncated: boolean }> } }): Promise<{ ok: true; module: PythonModule } | { ok: false; error: FormatError }> {
  const result = await parsedOnce(ctx.reader, 'python-module', analyzePython);
  return result instanceof FormatError ? { ok: false, error: result } : { ok: true, module: result };
}

/**
 * False only when no call in `source` can resolve to a callee whose last dotted part is one of `lastNames`
 * (`from_pretrained`, `load`), so that a rule can skip the analysis of a file with nothing it looks for. Sound
 * because the last part of a resolved callee is always in the source as a name: written at the call
 * (`x.y.load(`), or, for a bare call through an import alias (`L(` after `from pickle import loads as L`), in the
 * import. A name is never split or joined across a line continuation, so a plain substring test suffices.
 */
export function mayCall(source: string, lastNames: readonly string[]): boolean {
  return lastNames.some((n) => source.includes(n));
}
