import type { Finding, ReportInput } from './finding.js';
import type { Logger } from './logger.js';
import type { Severity } from './severity.js';
import type { DiscoveryIssue, FileKind, FileFormat, ScannedFile } from '../discovery/types.js';
import type { ResolvedPolicy } from '../policy/types.js';

export const AREAS = [
  'model', 'data', 'secret', 'workflow', 'pipeline', 'container', 'k8s', 'deps', 'notebook', 'governance', 'policy',
] as const;
export type Area = (typeof AREAS)[number];

/** A JSON Schema (draft 2020-12 subset that ajv understands) for a rule's options. */
export type OptionsSchema = Record<string, unknown>;

export interface RuleMeta<O> {
  /** `<area>/<name>`, kebab-case, equal to the file path under src/rules/. Stable forever. */
  id: string;
  /** One line, shown by `ai-gate rules` and as SARIF shortDescription. */
  description: string;
  /** Why it matters and what to do, in Markdown: the SARIF `help` text and the first part of the docs page. */
  help: string;
  defaultSeverity: Severity;
  /** The file kinds the file check runs on. Empty for run-level rules. */
  kinds: readonly FileKind[];
  /** Narrows `kinds` to these formats when given. */
  formats?: readonly FileFormat[];
  /** JSON Schema of the options object (without `severity`, which every rule takes). */
  options?: OptionsSchema;
  defaultOptions: O;
  /** Findings of this rule are made by the engine itself (e.g. a crashed rule), never by a check function. */
  engineReported?: boolean;
  /** Extra material for the rule's docs page (docs/rules/<id>.md); never used by the check itself. */
  docs?: RuleDocs;
}

/** One example on a docs page. With `file`, the meta-test writes `code` there and checks the rule's verdict on it. */
export interface RuleDocExample {
  /** What the example shows, one short sentence. */
  title: string;
  /** The fenced block's language (yaml, python, csv, dockerfile, …). */
  lang: string;
  code: string;
  /** A path, relative to a repository root, at which the example is a real file the rule reads. */
  file?: string;
}

export interface RuleDocs {
  /** Bad examples are reported by the rule; good ones are not (checked by the meta-test when `file` is set). */
  examples?: { bad: RuleDocExample[]; good: RuleDocExample[] };
  /** Advisories, specifications and write-ups the rule draws on. */
  references?: Array<{ title: string; url: string }>;
}

/** Random access and streaming over one file, read from the handle the engine opened once. */
export interface FileReader {
  /** Up to `length` bytes from `offset` (fewer at end of file). */
  read(offset: number, length: number): Promise<Buffer>;
  /**
   * The file in chunks, from the start, up to the engine's per-file read cap. `reuse`: each chunk is read into
   * the same memory and is valid only until the next is asked for (copy what you keep); no garbage per chunk.
   */
  stream(chunkSize?: number, opts?: { reuse?: boolean }): AsyncIterable<Buffer>;
  /** The file as UTF-8 text, up to the text cap; `truncated` says whether the cap cut it. */
  text(): Promise<{ text: string; truncated: boolean }>;
  /**
   * The engine's reader of a file being checked (not a base version) offers its one pass: `tap` adds a consumer
   * of the file's bytes in order, fed by every rule's reads from the start (false once bytes have been read:
   * read the file yourself then), and `drain` reads for the taps what no rule read, up to the read cap.
   * Call `tap` from a rule's `prepare`, `drain` from its `checkFile`.
   */
  tap?(t: ByteTap): boolean;
  drain?(): Promise<void>;
}

/**
 * A consumer of a file's bytes in order (the audit's hash, the secret search's windows), fed by whatever reads
 * the file from its start: one read of a dataset serves data/pii's parse, the secret search and the hash.
 */
export interface ByteTap {
  /**
   * The file's next bytes, in order from offset 0 and each once. Read-only (the same memory goes to the other
   * taps and to the rule that read it), and valid only during the call: copy what you keep.
   */
  update(bytes: Buffer): void;
  /**
   * The tap's work covers the whole file, so that the read cap cutting its pass is a finding (the secret
   * search); a hash records its own truncation instead.
   */
  readonly whole?: boolean;
  /**
   * [byte offset, line number] of line starts the tap counted on its way (1-based lines, split at `\n`), in
   * order: the engine reads the lines findings point at from the nearest one instead of from the file's start.
   */
  readonly lineStarts?: ReadonlyArray<readonly [number, number]>;
}

export interface FileContext<O> {
  file: ScannedFile;
  reader: FileReader;
  options: O;
  severity: Severity;
  logger: Logger;
  report(input: ReportInput): void;
  /**
   * The file's version at the change's base (modified, renamed or copied files of a scan with a base), read
   * through the same bounded reader; undefined when the file is new or the scan has no base. Opened once on
   * first call and shared by the file's rules; `truncated` says the base was cut at the read limit.
   */
  base?(): Promise<(FileReader & { size: number; truncated: boolean }) | undefined>;
}

/**
 * The change under review (a pull request, `--base REF`), for run-level rules that compare a file with its
 * base version (e.g. a PR that edits the policy judging it). Absent in a whole-tree scan with no base.
 */
export interface ChangeBase {
  /** The base commit (or ref) the change is compared with, for messages. */
  ref: string;
  /** The policy file's path relative to the scanned root, whether or not it exists on either side. */
  policyPath: string;
  /** Every path the change touched and how, deleted ones included, whatever the scan's scope. */
  changes: ReadonlyArray<{ path: string; change: 'added' | 'modified' | 'renamed' | 'copied' | 'deleted'; previousPath?: string }>;
  /** A file's bytes at the base (at most `maxBytes`), or undefined when it does not exist there. */
  readBase(path: string, maxBytes: number): Promise<Buffer | undefined>;
  /** A file's bytes in the change's head (the scanned tree; at most `maxBytes`), or undefined when absent. */
  readHead(path: string, maxBytes: number): Promise<Buffer | undefined>;
  /** The pull request's reviews (the action, on a PR with a token); absent offline (the CLI). */
  reviews?: ReviewLookup;
}

/** A reviewer's latest deciding review of the PR (src/github/reviews.ts). */
export interface ReviewerState { login: string; state: 'APPROVED' | 'CHANGES_REQUESTED'; commitId?: string }

/** Lazy, memoised reads of a PR's reviews and its reviewers' team membership, for governance/required-review. */
export interface ReviewLookup {
  /** The PR head commit the gate judges. */
  headSha: string;
  /** Latest state per reviewer (a COMMENTED review does not replace it; a DISMISSED one withdraws it). */
  latest(): Promise<ReviewerState[]>;
  /** Whether `login` is an active member of `org/team`; undefined when the token may not read it. */
  isTeamMember(team: string, login: string): Promise<boolean | undefined>;
}

export interface RunContext<O> {
  files: readonly ScannedFile[];
  /** Set when the scan is of a change with a known base. */
  change?: ChangeBase;
  discoveryIssues: readonly DiscoveryIssue[];
  policy: ResolvedPolicy;
  options: O;
  severity: Severity;
  /** Today's date, YYYY-MM-DD (injected so tests are deterministic). */
  today: string;
  logger: Logger;
  /** `input.path` is required for run-level findings. */
  report(input: ReportInput & { path: string }): void;
  /**
   * The SHA-256 of a scanned model or dataset (its path as in `files`) as the audit trail computed it, so that a
   * rule verifying a checksum does not read the file again; undefined for other files (hash those yourself).
   * `truncated`: the file is larger than the read limit, and the digest covers only its first max-file-bytes.
   */
  digest?(path: string): Promise<KnownDigest | undefined>;
}

export interface KnownDigest { sha256: string; size: number; truncated: boolean }

/** SHA-256 of a file's first `bytes` bytes (`truncated`: the read limit cut the file there). */
export interface FileDigest { sha256: string; bytes: number; truncated: boolean }

export interface Rule<O = Record<string, unknown>> {
  meta: RuleMeta<O>;
  /** Runs once per file of the kinds in `meta.kinds`. */
  checkFile?(ctx: FileContext<O>): void | Promise<void>;
  /**
   * Runs for a file before any rule's checkFile, to tap the file's one pass (FileReader.tap). The file checks
   * of rules with a prepare step run after the others, whose reads from the start then feed their taps.
   */
  prepare?(ctx: FileContext<O>): void;
  /** Runs once per scan, after discovery (policy-level and tree-level checks). */
  checkRun?(ctx: RunContext<O>): void | Promise<void>;
}

/** Identity with type inference; also checks the id's shape at definition time. */
export function defineRule<O>(rule: Rule<O>): Rule<O> {
  const [area, name, ...rest] = rule.meta.id.split('/');
  if (!AREAS.includes(area as Area) || !name || rest.length > 0 || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`bad rule id ${JSON.stringify(rule.meta.id)}: expected <area>/<kebab-name>`);
  }
  return rule;
}

export function ruleArea(id: string): Area {
  return id.split('/')[0] as Area;
}

export type AnyRule = Rule<any>;
export type { Finding };
