import type { Severity } from '../engine/severity.js';

export const BUILTIN_POLICIES = ['recommended', 'strict', 'none'] as const;
export type BuiltinPolicy = (typeof BUILTIN_POLICIES)[number];

export interface RuleSetting {
  enabled: boolean;
  severity: Severity;
  /** The rule's defaults merged with the policy's options (validated against the rule's own schema). */
  options: Record<string, unknown>;
}

export interface PolicyException {
  rule: string;
  paths: string[];
  reason: string;
  /** YYYY-MM-DD */
  expires: string;
  /** Position in the policy's `exceptions` list, and its line in the policy file. */
  index: number;
  line?: number;
}

export interface ResolvedPolicy {
  /** The policy file path as given (relative to the cwd or the root), or `built-in <name>`. */
  source: string;
  /** sha256 of the policy file's bytes, when there is a file. */
  sha256?: string;
  extends: BuiltinPolicy;
  failOn: Severity;
  scope: 'changed' | 'all';
  paths: { ignore: string[] };
  /** One entry for every registered rule. */
  rules: Record<string, RuleSetting>;
  exceptions: PolicyException[];
  /** Always set by the loader (defaults from the schema); optional so that hand-built policies in tests need not state it. */
  report?: {
    /** The check run conclusion when the gate passes with non-blocking findings. */
    conclusionWhenReported: 'success' | 'neutral';
  };
  limits: {
    /** Bytes read from any one file; beyond it the scan of that file stops and a finding says so. */
    maxFileBytes: number;
    /** Bytes of a file read as text (secrets, YAML, CSV rules). */
    maxTextBytes: number;
  };
}
