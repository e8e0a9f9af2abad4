/**
 * Policy layers and `extends`: a validated policy file becomes a layer; the built-in policies under
 * policies/ are layers read through the same parser; layers merge base-first, rule by rule.
 */
import { ruleArea, type AnyRule } from '../engine/rule.js';
import { BUILTIN_POLICY_TEXT } from './builtin-text.js';
import type { Severity } from '../engine/severity.js';
import type { BuiltinPolicy, PolicyException, RuleSetting } from './types.js';

/** A rule's setting as a file writes it (already validated): `off`, a severity, or `{severity?, ...options}`. */
export type RawRuleSetting = 'off' | Severity | ({ severity?: Severity } & Record<string, unknown>);

/** One policy file's own settings, before merging. Absent fields leave the base's value. */
export interface PolicyLayer {
  extends?: BuiltinPolicy;
  failOn?: Severity;
  scope?: 'changed' | 'all';
  ignore: string[];
  rules: Record<string, RawRuleSetting>;
  exceptions: PolicyException[];
  limits: { maxFileBytes?: number; maxTextBytes?: number };
  report?: { conclusionWhenReported?: 'success' | 'neutral' };
}

/** A rule's setting after some layers: only what they said. */
interface MergedSetting {
  enabled?: boolean;
  severity?: Severity;
  options: Record<string, unknown>;
}

export interface MergedPolicy extends Omit<PolicyLayer, 'rules'> {
  rules: Record<string, MergedSetting>;
}

export const EMPTY_LAYER: PolicyLayer = { ignore: [], rules: {}, exceptions: [], limits: {} };

/**
 * Merges `top` over `base`: scalars replace, `paths.ignore` adds up, rule settings merge per rule (a
 * severity or `off` keeps the base's options; an options mapping keeps the base's severity unless it gives
 * one, and replaces only the options it names), exceptions add up.
 */
export function mergeLayers(base: MergedPolicy, top: PolicyLayer): MergedPolicy {
  const rules: Record<string, MergedSetting> = { ...base.rules };
  for (const [id, raw] of Object.entries(top.rules)) {
    const before = rules[id] ?? { options: {} };
    if (raw === 'off') rules[id] = { ...before, enabled: false };
    else if (typeof raw === 'string') rules[id] = { ...before, enabled: true, severity: raw };
    else {
      const { severity, ...options } = raw;
      rules[id] = {
        enabled: true,
        severity: severity ?? before.severity,
        options: { ...before.options, ...structuredClone(options) },
      };
    }
  }
  return {
    extends: top.extends ?? base.extends,
    failOn: top.failOn ?? base.failOn,
    scope: top.scope ?? base.scope,
    ignore: [...new Set([...base.ignore, ...top.ignore])],
    rules,
    exceptions: [...base.exceptions, ...top.exceptions],
    limits: { ...base.limits, ...definedOnly(top.limits) },
    report: { ...base.report, ...definedOnly(top.report ?? {}) },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Empty: what `extends: none` starts from. */
export function emptyMerged(): MergedPolicy {
  return { ...EMPTY_LAYER, ignore: [], exceptions: [], limits: {}, rules: {} };
}

/**
 * One entry per registered rule. A rule no layer names is enabled at its default severity, unless the
 * policy extends `none`: then only the rules it names run, plus the `policy/` rules, which report on the gate
 * itself (a crashed rule, an expired exception, a scan limit) and would otherwise fail silently.
 * Options are the rule's defaults overlaid by the policy's.
 */
export function resolveRules(
  merged: MergedPolicy, rules: readonly AnyRule[], base: BuiltinPolicy,
): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  for (const rule of rules) {
    const setting = merged.rules[rule.meta.id];
    out[rule.meta.id] = {
      enabled: setting?.enabled ?? (base !== 'none' || ruleArea(rule.meta.id) === 'policy'),
      severity: setting?.severity ?? rule.meta.defaultSeverity,
      options: { ...structuredClone(rule.meta.defaultOptions ?? {}), ...setting?.options },
    };
  }
  return out;
}

/**
 * A built-in policy's text. The YAML files in policies/ are the source; scripts/generate.mjs copies them into
 * builtin-text.ts so that the bundles carry them and run from anywhere.
 */
export async function readBuiltinPolicy(name: Exclude<BuiltinPolicy, 'none'>): Promise<{ path: string; text: string }> {
  return { path: `policies/${name}.yml`, text: BUILTIN_POLICY_TEXT[name] };
}
