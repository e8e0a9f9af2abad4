/**
 * A GitHub Actions workflow (or composite `action.yml`) as a small model over `parseYamlWithPositions`: triggers,
 * permissions, jobs, steps (`uses`, `run`, `with`, `env`), and every `${{ }}` expression with the exact line and
 * column of each context it names. Nothing is evaluated: expressions are only tokenised.
 */
import { FormatError } from './errors.js';
import { parsedOnce } from './parse-cache.js';
import { joinPointer, parseYamlWithPositions, type YamlDocument } from './yaml-positions.js';

export interface Pos { line: number; column: number; offset: number }

/** A scalar (or any node) of the file, with where its value (and, for a mapping entry, its key) sits. */
export interface Field<T = unknown> {
  value: T;
  pointer: string;
  pos: Pos;
  keyPos: Pos;
}

/** One context reference inside an expression, e.g. `github.event.issue.title`, lower-cased, `[*]` as `.*`. */
export interface ContextRef { path: string; raw: string; line: number; column: number; endColumn: number }

export interface Expression {
  /** The text between `${{` and `}}`, trimmed. */
  text: string;
  line: number;
  column: number;
  contexts: ContextRef[];
  /** The expression can only evaluate to a boolean (a comparison or a predicate call). */
  boolean: boolean;
}

export interface Step {
  index: number;
  pointer: string;
  pos: Pos;
  name?: string;
  uses?: Field<string>;
  run?: Field<string>;
  with: Record<string, Field>;
  env: Record<string, Field>;
}

export interface Job {
  id: string;
  pointer: string;
  keyPos: Pos;
  permissions?: Field;
  runsOn?: Field;
  /** A reusable-workflow call: `jobs.<id>.uses`. */
  uses?: Field<string>;
  secrets?: Field;
  steps: Step[];
  /** Matrix keys whose values come from an expression, or `*` when the whole matrix does. */
  dynamicMatrix: Set<string>;
  value: Record<string, unknown>;
}

export interface Workflow {
  kind: 'workflow' | 'composite';
  doc: YamlDocument;
  source: string;
  /** Trigger names (`pull_request_target`, …) and where `on:` is. */
  triggers: string[];
  on?: Field;
  permissions?: Field;
  /** The document's first key: where a finding about the whole workflow points. */
  rootPos: Pos;
  jobs: Job[];
  /** Every `${{ }}` in the node at `pointer` (a string), in order, with exact positions. */
  expressions(field: Field): Expression[];
}

const MAX_EXPRESSIONS_PER_FIELD = 500;

export function parseWorkflow(text: string, filename: string): Workflow {
  const doc = parseYamlWithPositions(text, filename);
  const root = doc.value;
  if (!isMap(root)) throw new FormatError(`${filename}: a workflow must be a YAML mapping`);
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const field = <T>(pointer: string, value: T): Field<T> => ({
    value, pointer, pos: doc.positionOf(pointer) ?? zero, keyPos: doc.positionOf(pointer, 'key') ?? zero,
  });
  const opt = (obj: Record<string, unknown>, base: string, key: string): Field | undefined =>
    key in obj ? field(joinPointer(base, key), obj[key]) : undefined;
  const composite = isMap(root.runs) && !('jobs' in root);
  const jobs: Job[] = [];
  if (composite) {
    const runs = root.runs as Record<string, unknown>;
    jobs.push({
      id: '(composite action)', pointer: '/runs', keyPos: doc.positionOf('/runs', 'key') ?? zero, steps: steps('/runs', runs),
      dynamicMatrix: new Set(), value: runs,
    });
  } else if (isMap(root.jobs)) {
    for (const [id, raw] of Object.entries(root.jobs)) {
      if (!isMap(raw)) continue;
      const pointer = joinPointer('/jobs', id);
      jobs.push({
        id, pointer, keyPos: doc.positionOf(pointer, 'key') ?? zero, value: raw,
        permissions: opt(raw, pointer, 'permissions'), runsOn: opt(raw, pointer, 'runs-on'),
        uses: typeof raw.uses === 'string' ? field(joinPointer(pointer, 'uses'), raw.uses) : undefined,
        secrets: opt(raw, pointer, 'secrets'), steps: steps(pointer, raw), dynamicMatrix: dynamicMatrix(raw),
      });
    }
  }
  function steps(base: string, container: Record<string, unknown>): Step[] {
    if (!Array.isArray(container.steps)) return [];
    return container.steps.flatMap((s, index) => {
      if (!isMap(s)) return [];
      const pointer = joinPointer(joinPointer(base, 'steps'), index);
      const str = (key: string) => typeof s[key] === 'string' ? field(joinPointer(pointer, key), s[key] as string) : undefined;
      const fields = (key: string) => Object.fromEntries(Object.entries(isMap(s[key]) ? s[key] : {})
        .map(([k, v]) => [k, field(joinPointer(joinPointer(pointer, key), k), v)]));
      return [{
        index, pointer, pos: doc.positionOf(pointer) ?? zero, name: typeof s.name === 'string' ? s.name : undefined,
        uses: str('uses'), run: str('run'), with: fields('with'), env: fields('env'),
      }];
    });
  }
  const on = opt(root, '', 'on') ?? opt(root, '', 'true');
  return {
    kind: composite ? 'composite' : 'workflow', doc, source, on, jobs,
    triggers: triggerNames(on?.value), permissions: opt(root, '', 'permissions'),
    rootPos: firstKeyPos(doc, root),
    expressions: (f) => expressionsIn(source, f),
  };
}

const zero: Pos = { line: 1, column: 1, offset: 0 };

function firstKeyPos(doc: YamlDocument, root: Record<string, unknown>): Pos {
  const first = Object.keys(root)[0];
  return (first !== undefined ? doc.positionOf(joinPointer('', first), 'key') : undefined) ?? zero;
}

function triggerNames(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((t): t is string => typeof t === 'string');
  if (isMap(on)) return Object.keys(on);
  return [];
}

function dynamicMatrix(job: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  const matrix = isMap(job.strategy) ? job.strategy.matrix : undefined;
  if (typeof matrix === 'string' && matrix.includes('${{')) out.add('*');
  else if (isMap(matrix)) {
    for (const [k, v] of Object.entries(matrix)) if (typeof v === 'string' && v.includes('${{')) out.add(k.toLowerCase());
  }
  return out;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The expressions of a string field, located in the source: the k-th `${{` of the value is the k-th `${{` in the
 * source from the node's start (plain and block scalars keep the text as written), and positions come from the
 * source, so they are exact.
 */
function expressionsIn(source: string, field: Field): Expression[] {
  if (typeof field.value !== 'string') return [];
  const count = Math.min(MAX_EXPRESSIONS_PER_FIELD, field.value.split('${{').length - 1);
  const out: Expression[] = [];
  let at = field.pos.offset;
  for (let k = 0; k < count; k++) {
    const start = source.indexOf('${{', at);
    if (start < 0) break;
    const end = source.indexOf('}}', start + 3);
    if (end < 0) break;
    const inner = source.slice(start + 3, end);
    const base = start + 3;
    const contexts = contextRefs(inner).map((c) => {
      const p = positionAt(source, base + c.offset);
      return { path: c.path, raw: c.raw, line: p.line, column: p.column, endColumn: p.column + c.raw.length };
    });
    const p = positionAt(source, start);
    out.push({ text: inner.trim(), line: p.line, column: p.column, contexts, boolean: isBooleanExpression(inner) });
    at = end + 2;
  }
  return out;
}

export function positionAt(source: string, offset: number): Pos {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return { line, column: offset - lineStart + 1, offset };
}

const FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'format', 'join', 'tojson', 'fromjson', 'hashfiles',
  'success', 'always', 'cancelled', 'failure', 'true', 'false', 'null']);

/** Context references (`a.b[*].c`, `a['b']`) outside string literals, with their offsets in the expression. */
export function contextRefs(expr: string): Array<{ path: string; raw: string; offset: number }> {
  const out: Array<{ path: string; raw: string; offset: number }> = [];
  const re = /'(?:[^']|'')*'|([A-Za-z_][\w-]*)((?:\s*\.\s*(?:[A-Za-z_*][\w-]*)|\s*\[\s*(?:\*|'(?:[^']|'')*'|\d+)\s*\])*)/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    if (!m[1]) continue; // a string literal
    const after = expr.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || FUNCTIONS.has(m[1].toLowerCase()) && !m[2]) continue;
    if (/^\d/.test(m[1])) continue;
    const path = (m[1] + m[2]).replace(/\s+/g, '').replace(/\[\*\]|\[\d+\]/g, '.*')
      .replace(/\['((?:[^']|'')*)'\]/g, (_, k: string) => `.${k.replace(/''/g, "'")}`).toLowerCase();
    out.push({ path, raw: m[0], offset: m.index });
  }
  return out;
}

function isBooleanExpression(expr: string): boolean {
  const stripped = expr.replace(/'(?:[^']|'')*'/g, "''").trim();
  if (/(==|!=|<=|>=|<|>)/.test(stripped) || stripped.startsWith('!')) return true;
  return /^(contains|startswith|endswith|success|failure|always|cancelled)\s*\(/i.test(stripped) && !/\)\s*(&&|\|\|)/.test(stripped);
}

/** `owner/repo[/path]@ref`, `./local`, or `docker://image`. */
export interface ActionRef { kind: 'remote' | 'local' | 'docker'; owner?: string; repo?: string; ref?: string; image?: string }

export function parseUses(uses: string): ActionRef {
  const u = uses.trim();
  if (u.startsWith('./') || u.startsWith('../')) return { kind: 'local' };
  if (u.startsWith('docker://')) return { kind: 'docker', image: u.slice('docker://'.length) };
  const at = u.lastIndexOf('@');
  const path = at >= 0 ? u.slice(0, at) : u;
  const [owner, repo] = path.split('/');
  return { kind: 'remote', owner, repo, ref: at >= 0 ? u.slice(at + 1) : undefined };
}

export const FULL_SHA = /^[0-9a-f]{40}$/;

/** The workflow of a rule's file, parsed once for all workflow rules (a parse error comes back as a value). */
export function workflowOf(ctx: { reader: { text(): Promise<{ text: string; truncated: boolean }> }; file: { path: string } }): Promise<Workflow | FormatError> {
  return parsedOnce(ctx.reader, 'workflow', (text) => parseWorkflow(text, ctx.file.path));
}

/** Shell text that downloads a script and pipes it straight into an interpreter (`curl … | sh`). */
export const CURL_PIPE_SHELL = /\b(curl|wget)\b[^\n|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(ba|z|da|k)?sh\b|\b(ba|z)?sh\s+(-c\s+)?["']?\$\(\s*(curl|wget)\b|\b(curl|wget)\b[^\n|;&]*\|\s*(sudo\s+)?python[0-9.]*\b/;

/** Where `needle` (found at `index` in the field's string value) sits in the source; the field's start if unsure. */
export function locateInField(source: string, field: Field, needle: string): Pos {
  const firstLine = needle.split('\n')[0];
  const at = firstLine ? source.indexOf(firstLine, field.pos.offset) : -1;
  return at >= 0 ? positionAt(source, at) : field.pos;
}
