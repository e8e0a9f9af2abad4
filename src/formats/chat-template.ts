/**
 * Static checks of a Jinja chat template (as shipped in GGUF `tokenizer.chat_template` or a tokenizer
 * config) for sandbox escapes. The template is parsed into an AST with @huggingface/jinja and walked; it is
 * never rendered. The patterns are those of server-side template injection against Jinja2, as in
 * CVE-2024-34359 (llama-cpp-python rendered GGUF templates with an unsandboxed Jinja2 environment):
 * dunder attribute chains (`__class__`, `__subclasses__`, `__globals__`, `__builtins__`, `__init__`, ...),
 * Jinja/Flask globals used as gadgets (`lipsum`, `cycler`, `joiner`, `self`, `config`, `request`), the
 * `attr` filter, and method chains off literals (`''.__class__`, `().__class__.__base__`).
 */
import { parse, tokenize } from '@huggingface/jinja';

export interface TemplateIssue {
  severity: 'critical' | 'high';
  /** What was found, e.g. `attribute __globals__`. */
  what: string;
}

export interface TemplateCheck {
  /** Set when the template does not parse: the error message. */
  parseError?: string;
  issues: TemplateIssue[];
}

const DUNDER = /^__\w+__$/;
/** Attributes that reach frames, code or modules without a dunder name (Python 2/3 introspection). */
const ESCAPE_ATTRS = new Set(['mro', 'func_globals', 'func_code', 'f_globals', 'f_locals', 'f_builtins', 'f_back', 'gi_frame', 'gi_code',
  'cr_frame', 'ag_frame', 'tb_frame', 'co_code', 'im_func', 'im_class', '_module', '_TemplateReference__context', 'popen',
  'import_module', 'check_output', 'load_module']);
/** Jinja/Flask globals used as SSTI gadgets; chat templates never need their attributes. */
const GADGETS = new Set(['lipsum', 'cycler', 'joiner', 'self', 'config', 'request', 'url_for', 'get_flashed_messages']);
/** Methods of str/list/dict that chat templates legitimately call on literals. */
const LITERAL_METHODS = new Set(['strip', 'lstrip', 'rstrip', 'split', 'rsplit', 'splitlines', 'join', 'upper', 'lower', 'title', 'capitalize',
  'replace', 'startswith', 'endswith', 'items', 'keys', 'values', 'get', 'count', 'index', 'find', 'append', 'copy']);
const LITERALS = new Set(['StringLiteral', 'IntegerLiteral', 'FloatLiteral', 'ArrayLiteral', 'TupleLiteral', 'ObjectLiteral']);
const MAX_NODES = 200_000;

interface Node { type: string; [k: string]: unknown }
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';

function propertyName(n: Node): string | undefined {
  const p = n.property as Node | undefined;
  if (!p) return undefined;
  if (p.type === 'Identifier' || p.type === 'StringLiteral') return String(p.value);
  return undefined;
}

export function checkChatTemplate(source: string): TemplateCheck {
  let program: Node;
  try {
    program = parse(tokenize(source, { lstrip_blocks: true, trim_blocks: true })) as unknown as Node;
  } catch (error) {
    // Jinja2 accepts more than this parser (e.g. `()`), so an unparsed template is still searched as text.
    return { parseError: (error as Error).message.slice(0, 200), issues: lexicalScan(source) };
  }
  const issues: TemplateIssue[] = [];
  const seen = new Set<string>();
  const add = (severity: TemplateIssue['severity'], what: string): void => {
    if (!seen.has(what)) { seen.add(what); issues.push({ severity, what }); }
  };
  const stack: unknown[] = [program];
  for (let visited = 0; stack.length && visited < MAX_NODES; visited++) {
    const v = stack.pop();
    if (Array.isArray(v)) { stack.push(...v); continue; }
    if (v instanceof Map) { for (const [k, x] of v) stack.push(k, x); continue; }
    if (!isNode(v)) continue;
    inspect(v, add);
    for (const [key, child] of Object.entries(v)) if (key !== 'type' && typeof child === 'object') stack.push(child);
  }
  return { issues };
}

function inspect(n: Node, add: (s: TemplateIssue['severity'], what: string) => void): void {
  if (n.type === 'MemberExpression') {
    const name = propertyName(n);
    const obj = n.object as Node;
    if (name !== undefined && DUNDER.test(name)) add('critical', `attribute ${name}`);
    else if (name !== undefined && ESCAPE_ATTRS.has(name)) add('critical', `attribute ${name}`);
    if (obj?.type === 'Identifier' && GADGETS.has(String(obj.value)) && name !== undefined) add('critical', `${obj.value}.${name}`);
    if (obj && LITERALS.has(obj.type) && name !== undefined && !LITERAL_METHODS.has(name)) add('high', `attribute ${name} of a literal`);
    if (n.computed && (n.property as Node)?.type !== 'StringLiteral' && (n.property as Node)?.type !== 'IntegerLiteral' && obj && LITERALS.has(obj.type)) {
      add('high', 'a computed attribute of a literal');
    }
  } else if (n.type === 'FilterExpression' || n.type === 'FilterStatement') {
    const f = n.filter as Node;
    const fname = f?.type === 'Identifier' ? f.value : (f?.callee as Node | undefined)?.value;
    if (fname === 'attr') {
      const arg = (f.args as Node[] | undefined)?.[0];
      add(arg?.type === 'StringLiteral' && !DUNDER.test(String(arg.value)) ? 'high' : 'critical', `the attr filter${arg?.type === 'StringLiteral' ? ` with ${JSON.stringify(arg.value)}` : ''}`);
    }
  } else if (n.type === 'StringLiteral' && /__[A-Za-z]\w*__/.test(String(n.value))) {
    add('high', `the string ${JSON.stringify(String(n.value).slice(0, 40))}, which names a dunder attribute`);
  } else if (n.type === 'Identifier' && ['__import__', '__builtins__', 'eval', 'exec', 'getattr', 'setattr', 'open', 'compile'].includes(String(n.value))) {
    add('critical', `the name ${n.value}`);
  }
}

/** Text patterns of the same escapes, for templates the parser rejects. */
const LEXICAL: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/\.\s*(__\w+__)/g, (m) => `attribute ${m[1]}`],
  [/\[\s*['"](__\w+__)['"]\s*\]/g, (m) => `attribute ${m[1]}`],
  [/\b(lipsum|cycler|joiner|self|config|request)\s*\.\s*(\w+)/g, (m) => `${m[1]}.${m[2]}`],
  [/\|\s*attr\s*\(/g, () => 'the attr filter'],
  [/\.\s*(popen|_module|import_module|check_output|load_module|mro|f_globals|func_globals)\b/g, (m) => `attribute ${m[1]}`],
];

function lexicalScan(source: string): TemplateIssue[] {
  const found = new Set<string>();
  for (const [re, what] of LEXICAL) {
    for (let m = re.exec(source); m && found.size < 50; m = re.exec(source)) found.add(what(m));
    re.lastIndex = 0;
  }
  return [...found].map((what) => ({ severity: 'critical', what }));
}
