/**
 * The policy loader: read the file (or the text the caller fetched from the base branch), parse it with
 * positions, validate it against the generated schema, merge it over the built-in policy it extends, and fill
 * in defaults from the schema. Every mistake in the file is reported at once, each at file:line:col.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigurationError } from '../engine/errors.js';
import type { Logger } from '../engine/logger.js';
import type { AnyRule } from '../engine/rule.js';
import { severityRank, type Severity } from '../engine/severity.js';
import { YamlError, parseYamlWithPositions, type YamlDocument } from '../formats/yaml-positions.js';
import {
  type MergedPolicy, type PolicyLayer, emptyMerged, mergeLayers, readBuiltinPolicy, resolveRules,
} from './extends.js';
import { schemaDefault } from './schema.js';
import { policyValidator, validatePolicy, type PolicyProblem } from './validate.js';
import type { BuiltinPolicy, ResolvedPolicy } from './types.js';

export const DEFAULT_POLICY_FILE = '.github/ai-gate.yml';
/** A policy is a page of YAML; a megabyte is a mistake (or an attack on the parser). */
export const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_PROBLEM_LINES = 100;

export interface LoadPolicyOptions {
  /** The policy file, relative to `cwd` (default .github/ai-gate.yml); with `policyText`, its display name. */
  policyFile?: string;
  /** The user named the file: a missing one is then an error rather than a fallback to `recommended`. */
  explicit: boolean;
  cwd: string;
  rules: readonly AnyRule[];
  /** Command-line values, which beat the file. */
  overrides?: { failOn?: Severity; scope?: 'changed' | 'all' };
  /**
   * The overrides may only make the gate stricter (a lower fail-on, scope all), never weaker. Set for pull
   * requests: the action's inputs live in the PR's own workflow file, which the PR can edit.
   */
  overridesOnlyTighten?: boolean;
  logger: Logger;
  /**
   * The policy's text when it comes from elsewhere (the base branch, through the API); the file on disk is
   * then not read. `null` means the caller looked there and found no policy file.
   */
  policyText?: string | null;
}

export async function loadPolicy(opts: LoadPolicyOptions): Promise<ResolvedPolicy> {
  const name = opts.policyFile ?? DEFAULT_POLICY_FILE;
  const bytes = await policyBytes(name, opts);
  if (!bytes) {
    if (opts.explicit) throw new ConfigurationError(`policy file ${name} not found`);
    opts.logger.info(`No policy file at ${name}; using the built-in recommended policy.`);
    return finish(await builtinMerged('recommended', opts.rules), 'recommended', 'built-in recommended', undefined, opts);
  }
  const layer = parsePolicy(decode(bytes, name), name, opts.rules, { logger: opts.logger });
  const { schema } = policyValidator(opts.rules);
  const base = layer.extends ?? schemaDefault<BuiltinPolicy>(schema, ['extends']);
  const merged = mergeLayers(await builtinMerged(base, opts.rules), layer);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const policy = finish(merged, base, name, sha256, opts);
  opts.logger.debug(`policy ${name} (sha256 ${sha256}): extends ${base}, fail-on ${policy.failOn}, `
    + `${Object.values(policy.rules).filter((r) => r.enabled).length} of ${opts.rules.length} rules enabled`);
  const checking = Object.entries(policy.rules).filter(([id, r]) => r.enabled && !id.startsWith('policy/')).length;
  if (checking === 0 && opts.rules.some((r) => !r.meta.id.startsWith('policy/'))) {
    // e.g. policies/recommended.yml passed with --policy: it is the root layer (extends: none), not the whole policy.
    opts.logger.warning(`The policy ${name} enables no checking rule (extends: ${base}, no rules turned on), so the gate checks nothing; write \`extends: recommended\` in it to build on the built-in policy.`);
  }
  return policy;
}

/** The file's bytes, or undefined when there is no policy file. */
async function policyBytes(name: string, opts: LoadPolicyOptions): Promise<Buffer | undefined> {
  if (opts.policyText === null) return undefined;
  if (opts.policyText !== undefined) return checkSize(Buffer.from(opts.policyText, 'utf8'), name);
  const path = resolve(opts.cwd, name);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigurationError(`policy file ${name} is not a regular file`);
    checkSize(info.size, name);
    return checkSize(await readFile(path), name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof ConfigurationError) throw error;
    const detail = (error as Error).message;
    throw new ConfigurationError(`cannot read policy file ${name}: ${detail}`);
  }
}

function checkSize<T extends Buffer | number>(data: T, name: string): T {
  const size = typeof data === 'number' ? data : data.length;
  if (size > MAX_POLICY_BYTES) {
    const problem = `${name}: the file is ${size} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (1 MiB)`;
    throw new ConfigurationError('1 error in the policy; nothing was scanned.', [problem]);
  }
  return data;
}

function decode(bytes: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigurationError('1 error in the policy; nothing was scanned.', [`${name}: the file is not valid UTF-8 text`]);
  }
}

/**
 * Parses and validates one policy file into a layer, or throws a ConfigurationError listing every problem
 * as `file:line:col  message`, sorted by position and aligned.
 */
export function parsePolicy(
  text: string, name: string, rules: readonly AnyRule[],
  { dropUnknownRules = false, logger }: { dropUnknownRules?: boolean; logger?: Logger } = {},
): PolicyLayer {
  let doc: YamlDocument;
  try {
    doc = parseYamlWithPositions(text, name);
  } catch (error) {
    if (!(error instanceof YamlError)) throw error;
    const where = error.line === undefined ? name : `${name}:${error.line}:${error.column}`;
    throw new ConfigurationError('1 error in the policy; nothing was scanned.', [`${where}  invalid YAML: ${error.reason}`]);
  }
  const value = normalize(doc.value);
  if (dropUnknownRules) keepRegisteredRules(value, rules);
  const problems = validatePolicy(value, rules);
  if (problems.length > 0) {
    const count = `${problems.length} error${problems.length === 1 ? '' : 's'}`;
    throw new ConfigurationError(`${count} in the policy; nothing was scanned.`, formatProblems(problems, doc, name));
  }
  const layer = toLayer(value as PolicyFile, doc);
  if (logger) warnCommentedReasons(layer, text, doc, name, logger);
  return layer;
}

/**
 * `reason: reviewed in #123` loses `#123`: after a space, `#` starts a YAML comment. The policy is valid,
 * but the reason is not what the author wrote, so say so.
 */
function warnCommentedReasons(layer: PolicyLayer, text: string, doc: YamlDocument, name: string, logger: Logger): void {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const exception of layer.exceptions) {
    const at = doc.positionOf(`/exceptions/${exception.index}/reason`);
    const line = at ? lines[at.line - 1] ?? '' : '';
    const from = line.slice((at?.column ?? 1) - 1);
    if (at && from.startsWith(exception.reason) && /^\s+#/.test(from.slice(exception.reason.length))) {
      logger.warning(`${name}:${at.line}:${at.column}  exceptions[${exception.index}].reason: the text after "#" is a YAML `
        + 'comment, not part of the reason; put the reason in quotes to keep it');
    }
  }
}

/** Sections left with nothing under them (`rules:` with every entry commented out) mean "none". */
function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of ['paths', 'rules', 'exceptions', 'limits', 'report']) if (out[key] === null) delete out[key];
  const paths = out.paths as Record<string, unknown> | undefined;
  if (paths && typeof paths === 'object' && paths.ignore === null) {
    const { ignore: _ignore, ...rest } = paths;
    out.paths = rest;
  }
  return out;
}

function keepRegisteredRules(value: unknown, rules: readonly AnyRule[]): void {
  const policy = value as { rules?: unknown };
  if (!policy.rules || typeof policy.rules !== 'object') return;
  const known = new Set(rules.map((r) => r.meta.id));
  policy.rules = Object.fromEntries(Object.entries(policy.rules).filter(([id]) => known.has(id)));
}

function formatProblems(problems: PolicyProblem[], doc: YamlDocument, name: string): string[] {
  const located = problems.map((p) => ({ ...p, at: doc.positionOf(p.pointer, p.which) }))
    .sort((a, b) => (a.at?.offset ?? -1) - (b.at?.offset ?? -1));
  const where = located.map((p) => (p.at ? `${name}:${p.at.line}:${p.at.column}` : name));
  const width = Math.max(...where.map((w) => w.length));
  const lines = located.map((p, i) => `${where[i].padEnd(width)}  ${p.message}`);
  // Past a screenful, more lines help nobody (and a generated file could hold thousands of mistakes).
  return lines.length <= MAX_PROBLEM_LINES ? lines
    : [...lines.slice(0, MAX_PROBLEM_LINES), `${name}: …and ${lines.length - MAX_PROBLEM_LINES} more`];
}

/** The policy file as the schema describes it (validated before this type is trusted). */
interface PolicyFile {
  extends?: BuiltinPolicy;
  'fail-on'?: Severity;
  scope?: 'changed' | 'all';
  paths?: { ignore?: string[] };
  rules?: PolicyLayer['rules'];
  exceptions?: Array<{ rule: string; paths: string[]; reason: string; expires: string }>;
  limits?: { 'max-file-bytes'?: number; 'max-text-bytes'?: number };
  report?: { 'conclusion-when-reported'?: 'success' | 'neutral' };
}

function toLayer(file: PolicyFile, doc: YamlDocument): PolicyLayer {
  return {
    extends: file.extends,
    failOn: file['fail-on'],
    scope: file.scope,
    ignore: [...(file.paths?.ignore ?? [])],
    rules: { ...file.rules },
    exceptions: (file.exceptions ?? []).map((e, index) => ({
      rule: e.rule,
      paths: [...e.paths],
      reason: e.reason.trim(),
      expires: e.expires,
      index,
      line: doc.positionOf(`/exceptions/${index}`)?.line,
    })),
    limits: { maxFileBytes: file.limits?.['max-file-bytes'], maxTextBytes: file.limits?.['max-text-bytes'] },
    report: { conclusionWhenReported: file.report?.['conclusion-when-reported'] },
  };
}

/**
 * A built-in policy with its own `extends` chain merged in, read through the same parser and schema as a
 * user's file. Built-ins may name rules this registry lacks (a test's small registry, say): those entries are
 * dropped. Any other problem in a built-in is a bug, not the user's mistake.
 */
async function builtinMerged(name: BuiltinPolicy, rules: readonly AnyRule[], seen: BuiltinPolicy[] = []): Promise<MergedPolicy> {
  if (name === 'none') return emptyMerged();
  if (seen.includes(name)) throw new Error(`built-in policies extend each other in a cycle: ${[...seen, name].join(' → ')}`);
  const { path, text } = await readBuiltinPolicy(name);
  let layer: PolicyLayer;
  try {
    layer = parsePolicy(text, path, rules, { dropUnknownRules: true });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new Error(`built-in policy ${name} is invalid:\n${error.problems.join('\n')}`);
  }
  if (layer.exceptions.length > 0) throw new Error(`built-in policy ${path} has exceptions; built-ins must not`);
  return mergeLayers(await builtinMerged(layer.extends ?? 'none', rules, [...seen, name]), layer);
}

/** The policy's fail-on and scope after the overrides, which under `overridesOnlyTighten` cannot loosen them. */
function tightened(opts: LoadPolicyOptions, failOn: Severity, scope: 'changed' | 'all'): { failOn: Severity; scope: 'changed' | 'all' } {
  const wantFailOn = opts.overrides?.failOn ?? failOn;
  const wantScope = opts.overrides?.scope ?? scope;
  if (!opts.overridesOnlyTighten) return { failOn: wantFailOn, scope: wantScope };
  const out = { failOn, scope };
  if (severityRank(wantFailOn) >= severityRank(failOn)) out.failOn = wantFailOn;
  else opts.logger.warning(`Input fail-on "${wantFailOn}" would loosen the policy's fail-on "${failOn}"; a pull request's inputs may only tighten the policy, so "${failOn}" applies.`);
  if (wantScope === 'all' || scope === 'changed') out.scope = wantScope;
  else opts.logger.warning(`Input scope "${wantScope}" would loosen the policy's scope "${scope}"; a pull request's inputs may only tighten the policy, so "${scope}" applies.`);
  return out;
}

function finish(
  merged: MergedPolicy, base: BuiltinPolicy, source: string, sha256: string | undefined, opts: LoadPolicyOptions,
): ResolvedPolicy {
  const { schema } = policyValidator(opts.rules);
  return {
    source,
    ...(sha256 ? { sha256 } : {}),
    extends: base,
    ...tightened(opts, merged.failOn ?? schemaDefault<Severity>(schema, ['fail-on']), merged.scope ?? schemaDefault<'changed' | 'all'>(schema, ['scope'])),
    paths: { ignore: merged.ignore },
    rules: resolveRules(merged, opts.rules, base),
    exceptions: merged.exceptions,
    limits: {
      maxFileBytes: merged.limits.maxFileBytes ?? schemaDefault<number>(schema, ['limits', 'max-file-bytes']),
      maxTextBytes: merged.limits.maxTextBytes ?? schemaDefault<number>(schema, ['limits', 'max-text-bytes']),
    },
    report: {
      conclusionWhenReported: merged.report?.conclusionWhenReported ?? schemaDefault<'success' | 'neutral'>(schema, ['report', 'conclusion-when-reported']),
    },
  };
}
