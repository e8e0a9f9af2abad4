import type { AnyRule } from '../../src/engine/rule.js';
import type { Severity } from '../../src/engine/severity.js';
import type { PolicyException, ResolvedPolicy } from '../../src/policy/types.js';

/**
 * A resolved policy built directly (no file), for engine and rule tests: the named rules enabled with their
 * defaults merged with `settings`, every other rule of `rules` disabled.
 */
export function makePolicy(
  rules: readonly AnyRule[],
  enabled: Record<string, { severity?: Severity; options?: Record<string, unknown> } | true>,
  extra: Partial<Omit<ResolvedPolicy, 'rules'>> & { exceptions?: PolicyException[] } = {},
): ResolvedPolicy {
  return {
    source: '.github/ai-gate.yml',
    extends: 'none',
    failOn: 'high',
    scope: 'all',
    paths: { ignore: [] },
    exceptions: [],
    limits: { maxFileBytes: 4 * 1024 ** 3, maxTextBytes: 64 * 1024 ** 2 },
    ...extra,
    rules: Object.fromEntries(
      rules.map((r) => {
        const s = enabled[r.meta.id];
        const setting = s === true ? {} : s;
        return [r.meta.id, {
          enabled: s !== undefined,
          severity: setting?.severity ?? r.meta.defaultSeverity,
          options: { ...(r.meta.defaultOptions as Record<string, unknown>), ...(setting?.options ?? {}) },
        }];
      }),
    ),
  };
}
