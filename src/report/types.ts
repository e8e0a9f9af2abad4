import type { Finding } from '../engine/finding.js';
import type { Severity } from '../engine/severity.js';

/** The one object every reporter reads (console, JSON, SARIF, GitHub). The JSON report is this, serialised. */
export interface Report {
  tool: { name: 'ai-pipeline-gate'; version: string };
  /** The scanned root as the user named it (for display only; paths in findings are relative to it). */
  root: string;
  policy: {
    source: string;
    sha256?: string;
    extends: string;
    failOn: Severity;
    scope: 'changed' | 'all';
    rulesEnabled: number;
    /** The policy's `report.conclusion-when-reported` (absent means success). */
    conclusionWhenReported?: 'success' | 'neutral';
  };
  /** `--base REF` or the PR base, when only changed files were scanned. */
  base?: string;
  stats: {
    filesScanned: number;
    bytesScanned: number;
    filesIgnored: number;
    filesDeleted: number;
    durationMs: number;
  };
  verdict: Verdict;
  /** Sorted: blocking first, then by severity, path, line, rule id. */
  findings: Finding[];
  /** Every rule that is registered, for SARIF `tool.driver.rules` and the docs links. */
  rules: RuleSummary[];
  /**
   * Facts about how the scan was made that a reader must know (plain text, may hold PR-controlled strings:
   * escape for the surface), e.g. "the PR has more than 3,000 files; changed files came from git diff".
   */
  notes?: string[];
  /**
   * Set on one shard's report of a scan split across a matrix (`--shard i/n`): it holds only that shard's
   * files (and, in shard 1, the run-level findings). `ai-gate merge` combines all n into one report without it.
   */
  shard?: { index: number; total: number };
  /** What judged what (src/report/audit.ts): policy and rule-set digests, each model's and dataset's SHA-256, the verdict. */
  audit?: AuditTrail;
}

export interface AuditTrail {
  policy: { source: string; sha256?: string; resolvedSha256: string };
  ruleSet: { toolVersion: string; rulesEnabled: number; sha256: string };
  /** Models and datasets scanned, sorted by path. `truncated`: hashed only up to the policy's read limit. */
  artifacts: Array<{ path: string; kind: 'model' | 'dataset'; format: string; size: number; sha256?: string; truncated?: boolean; unreadable?: boolean }>;
  verdict: { passed: boolean; failOn: Severity; blocking: number };
}

export interface RuleSummary {
  id: string;
  description: string;
  help: string;
  helpUri: string;
  defaultSeverity: Severity;
  enabled: boolean;
}

export interface Verdict {
  passed: boolean;
  failOn: Severity;
  counts: {
    /** Open (not suppressed) findings by severity. */
    bySeverity: Record<Severity, number>;
    blocking: number;
    /** Open findings that do not block. */
    reported: number;
    suppressedInline: number;
    excepted: number;
  };
}
