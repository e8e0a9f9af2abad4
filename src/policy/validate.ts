/**
 * Checks a parsed policy against the generated schema and says what is wrong in words a user can act on:
 * ajv's raw errors are translated (no schema jargon), each pinned to a JSON pointer into the file so the
 * loader can name its line and column.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { AnyRule } from '../engine/rule.js';
import { SEVERITIES } from '../engine/severity.js';
import { escapePointerSegment } from '../formats/yaml-positions.js';
import { buildPolicySchema, type JsonSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import { BUILTIN_POLICIES } from './types.js';

/** One thing wrong with a policy, at a JSON pointer into it (`key`: point at the key rather than the value). */
export interface PolicyProblem {
  pointer: string;
  which: 'key' | 'value';
  message: string;
}

interface Compiled { schema: JsonSchema; validate: ValidateFunction; ruleIds: string[] }
const compiled = new WeakMap<readonly AnyRule[], Compiled>();

/** The schema and its compiled validator for this registry (compiled once per registry array). */
export function policyValidator(rules: readonly AnyRule[]): Compiled {
  let entry = compiled.get(rules);
  if (!entry) {
    const schema = buildPolicySchema(rules);
    // logger: false — ajv's strict-mode notes would otherwise go to the console; strictSchema still throws on
    // an unknown keyword, so a typo in a rule's options schema fails loudly (and in tests).
    // code.optimize: false — the validator runs once per scan on a small document, and ajv's optimising passes
    // over the generated code were most of its compile time, which every scan waits for before it starts.
    const ajv = new Ajv({ allErrors: true, verbose: true, strictTypes: false, strictTuples: false, logger: false, code: { optimize: false } });
    addFormats.default(ajv, ['date']);
    entry = { schema, validate: ajv.compile(schema), ruleIds: rules.map((r) => r.meta.id).sort() };
    compiled.set(rules, entry);
  }
  return entry;
}

/**
 * Every problem with a parsed policy, in words a user can act on (no schema jargon): the schema's verdict,
 * translated, plus what a schema cannot say well (an exception's rule must be registered, with a suggestion).
 */
export function validatePolicy(value: unknown, rules: readonly AnyRule[]): PolicyProblem[] {
  const { validate, ruleIds } = policyValidator(rules);
  const problems: PolicyProblem[] = [];
  if (!validate(value)) {
    const seen = new Set<string>();
    for (const error of relevantErrors(validate.errors ?? [])) {
      const problem = translate(error, ruleIds);
      // An empty string breaks both `minLength` and the not-blank pattern: one complaint per value is enough.
      if (!problem) continue;
      if (error.keyword === 'minLength' || error.keyword === 'pattern') {
        if (seen.has(problem.pointer)) continue;
        seen.add(problem.pointer);
      }
      problems.push(problem);
    }
  }
  const exceptions = (value as { exceptions?: unknown } | null)?.exceptions;
  if (Array.isArray(exceptions)) {
    exceptions.forEach((exception: unknown, i) => {
      const rule = (exception as { rule?: unknown } | null)?.rule;
      if (typeof rule === 'string' && !ruleIds.includes(rule)) {
        problems.push({
          pointer: `/exceptions/${i}/rule`,
          which: 'value',
          message: `exceptions[${i}].rule: unknown rule ${show(rule)}${didYouMean(rule, ruleIds)}`,
        });
      }
    });
  }
  return problems;
}

/**
 * With allErrors, an `anyOf` reports every branch's complaints. Keep only the branch whose `type` fits the
 * value (a string setting is judged as `off`/severity, a mapping as options); when none fits, only the
 * `anyOf` error itself, which says what forms are accepted.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropPrefixes: string[] = [];
  const dropSelf = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf') continue;
    const branches = error.schema as JsonSchema[];
    const type = jsonType(error.data);
    const fitting = branches.findIndex((b) => b.type === type || (b.type === 'number' && type === 'integer'));
    branches.forEach((_, i) => { if (i !== fitting) dropPrefixes.push(`${error.schemaPath}/${i}/`); });
    if (fitting !== -1) dropSelf.add(error);
  }
  return errors.filter((e) => !dropSelf.has(e) && !dropPrefixes.some((p) => e.schemaPath.startsWith(p)));
}

/** One ajv error in words, at the node it concerns (a mistyped key is pointed at by its key). */
function translate(error: ErrorObject, ruleIds: string[]): PolicyProblem | undefined {
  const pointer = error.instancePath;
  let said: Said | undefined;
  if (error.keyword === 'additionalProperties') said = unknownKey(error, ruleIds);
  else if (error.keyword === 'uniqueItems') said = duplicate(error);
  else if (!(error.keyword === 'enum' && /^\/exceptions\/\d+\/rule$/.test(pointer))) {
    // (An exception's unknown rule is reported by validatePolicy itself, with a suggestion.)
    said = { text: describe(error) };
  }
  if (!said) return undefined;
  const path = displayPath(said.named ?? said.pointer ?? pointer);
  const message = path ? `${path}: ${said.text}` : said.text.startsWith('unknown') ? said.text : `the policy: ${said.text}`;
  return { pointer: said.pointer ?? pointer, which: said.which ?? 'value', message };
}

/** What to say; where to point (default: the error's node); which node the message names (default: the same). */
interface Said { text: string; pointer?: string; which?: 'key' | 'value'; named?: string }

function unknownKey(error: ErrorObject, ruleIds: string[]): Said {
  const key = String((error.params as { additionalProperty: string }).additionalProperty);
  // The message names the mapping (`rules.x: unknown option "y"`) but points at the offending key.
  const at = { pointer: `${error.instancePath}/${escapePointerSegment(key)}`, which: 'key' as const, named: error.instancePath };
  if (error.instancePath === '/rules') return { ...at, text: `unknown rule ${show(key)}${didYouMean(key, ruleIds)}` };
  const allowed = Object.keys(((error.parentSchema as JsonSchema).properties ?? {}) as JsonSchema);
  const noun = /^\/rules\/[^/]+$/.test(error.instancePath) ? 'option' : 'key';
  const hint = didYouMean(key, allowed) || `; expected ${allowed.length === 1 ? '' : 'one of '}${allowed.join(', ')}`;
  return { ...at, text: `unknown ${noun} ${show(key)}${hint}` };
}

function duplicate(error: ErrorObject): Said {
  const { i, j } = error.params as { i: number; j: number };
  return { text: `${show((error.data as unknown[])[i])} is listed twice`, pointer: `${error.instancePath}/${Math.max(i, j)}` };
}

function describe(error: ErrorObject): string {
  const data = error.data;
  const params = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const why = /^\/exceptions\/\d+$/.test(error.instancePath) ? EXCEPTION_FIELDS[missing] ?? '' : '';
      return `missing ${JSON.stringify(missing)}${why}`;
    }
    case 'enum':
      return RULE_SETTING.test(error.schemaPath) ? `${show(data)} ${NOT_A_SETTING}` : enumMessage(data, params.allowedValues);
    case 'anyOf':
      return RULE_SETTING.test(error.schemaPath) ? `${show(data)} ${NOT_A_SETTING}` : `${show(data)} is not valid here`;
    case 'type':
      return `expected ${[params.type].flat().map(typeName).join(' or ')}, got ${show(data)}`;
    case 'format':
      if (params.format !== 'date') return `${show(data)} is not a valid ${String(params.format)}`;
      return `${show(data)} is not ${/^\d{4}-\d{2}-\d{2}$/.test(String(data)) ? 'a real calendar date' : 'a date'}; expected YYYY-MM-DD`;
    case 'minItems':
      return params.limit === 1 ? 'must not be empty' : `needs at least ${params.limit} items`;
    case 'maxItems':
      return `has more than ${params.limit} items`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters`;
    case 'maxLength':
      return `must be at most ${params.limit} characters`;
    case 'pattern':
      return params.pattern === '\\S' ? 'must not be blank' : `${show(data)} does not match the pattern ${params.pattern}`;
    case 'minimum': case 'exclusiveMinimum': case 'maximum': case 'exclusiveMaximum':
      return `${show(data)} is too ${error.keyword.endsWith('inimum') ? 'small' : 'large'}; expected ${BOUND[error.keyword]} ${params.limit}`;
    case 'const':
      return `expected ${show(params.allowedValue)}, got ${show(data)}`;
    default:
      return error.message ?? 'is not valid here';
  }
}

/** The `anyOf` of a rule's setting (`off` | severity | options), or its first branch. */
const RULE_SETTING = /^#\/properties\/rules\/properties\/[^/]+\/anyOf(\/0\/enum)?$/;
const NOT_A_SETTING = `is not a rule setting; expected off, a severity (${SEVERITIES.join(', ')}) or a mapping of options`;

const BOUND: Record<string, string> = {
  minimum: 'at least', exclusiveMinimum: 'more than', maximum: 'at most', exclusiveMaximum: 'less than',
};

const EXCEPTION_FIELDS: Record<string, string> = {
  rule: ' (the id of the rule whose findings it excepts)',
  paths: ' (the globs of the paths it covers)',
  reason: ' (an exception needs a reason and an expiry date)',
  expires: ' (an exception needs a reason and an expiry date)',
};

function enumMessage(data: unknown, allowed: unknown[]): string {
  const same = (list: readonly unknown[]) => list.length === allowed.length && list.every((v, i) => v === allowed[i]);
  const what = same(SEVERITIES) ? 'a severity'
    : same(BUILTIN_POLICIES) ? 'a built-in policy'
      : same(['changed', 'all']) ? 'a scope'
        : 'an accepted value';
  const names = allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  // A short list says it all; past that, also point at the likely intended value.
  const hint = names.length > 8 && typeof data === 'string' ? didYouMean(data, names) : '';
  return `${show(data)} is not ${what}; expected one of ${names.join(', ')}${hint}`;
}

/** `/rules/model~1x/allow/0` → `rules.model/x.allow[0]`. */
export function displayPath(pointer: string): string {
  return pointer.split('/').slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, seg) => (/^\d+$/.test(seg) ? `${path}[${seg}]` : path === '' ? seg : `${path}.${seg}`), '');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeName(type: string): string {
  return ({
    string: 'a string', array: 'a list', object: 'a mapping', integer: 'a whole number', number: 'a number',
    boolean: 'true or false', null: 'an empty value',
  } as Record<string, string>)[type] ?? type;
}

/** A value as the user wrote it, briefly: strings quoted, collections named. */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}
