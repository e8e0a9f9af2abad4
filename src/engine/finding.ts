import type { Severity } from './severity.js';

/** Where a finding points. Exactly one primary location per finding. */
export interface Location {
  /** Relative to the scanned root, `/`-separated. */
  path: string;
  /** 1-based; absent for findings about a whole (binary) file. */
  line?: number;
  /** 1-based. */
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** A YAML/JSON key path such as `jobs.build.steps[2].run`, where the finding sits in a structured file. */
  keyPath?: string;
  /** A member inside an archive, such as `archive/data.pkl` in a PyTorch zip. */
  member?: string;
  /** A byte offset, for binary formats (inside `member` when one is given). */
  byteOffset?: number;
}

export interface Suppression {
  kind: 'inline' | 'exception';
  reason: string;
  /** For exceptions: the expiry date, YYYY-MM-DD. */
  expires?: string;
  /** For exceptions: the index in the policy's `exceptions` list. */
  exceptionIndex?: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** A sentence with the actual value in it. Already redacted: no secret or personal datum appears here. */
  message: string;
  location: Location;
  /** Stable across runs and unaffected by lines inserted above the finding. */
  fingerprint: string;
  /** Set when an inline comment or a policy exception covers the finding; it stays in every report. */
  suppression?: Suppression;
  /** True when the finding is not suppressed and meets the policy's `fail-on` threshold. */
  blocking: boolean;
}

/** What a rule hands to `report`. The engine fills in the rule id, severity default, path and fingerprint. */
export interface ReportInput {
  message: string;
  /** Overrides the rule's configured severity for this one finding (e.g. critical for an os.system import). */
  severity?: Severity;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  keyPath?: string;
  member?: string;
  byteOffset?: number;
  /**
   * What identifies this finding within its file independent of its position, e.g. the imported global or
   * a hash of the matched text. Defaults to the text of the finding's line (or the message, without a line).
   */
  fingerprintKey?: string;
  /**
   * Matched secrets or personal data that the message must never show. Rules redact their own messages
   * (src/engine/redact.ts); the engine also replaces any of these values left in the message, as a second line.
   */
  sensitive?: string[];
  /** Run-level rules may report on a path other than the current file (or on the policy file). */
  path?: string;
}
