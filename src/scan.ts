import { isAbsolute, relative, resolve, sep } from 'node:path';
import { discover } from './discovery/index.js';
import { changeBaseFiles, gitBaseFiles } from './discovery/base.js';
import type { Logger } from './engine/logger.js';
import type { AnyRule, ChangeBase } from './engine/rule.js';
import type { ChangeList } from './discovery/index.js';
import { runEngine } from './engine/run.js';
import type { Severity } from './engine/severity.js';
import { TOOL_NAME, TOOL_VERSION, ruleDocsUrl } from './meta.js';
import { loadPolicy } from './policy/load.js';
import type { Report } from './report/types.js';
import { allRules } from './rules/index.js';

export interface ScanOptions {
  /** The folder to scan. */
  root: string;
  /** The policy file; relative paths are taken from `cwd`. */
  policyFile?: string;
  /** True when the user named the policy file (a missing one is then an error, not a fallback). */
  policyExplicit: boolean;
  /** The policy's text when it comes from elsewhere (the base branch via the API); `policyFile` names it. */
  policyText?: string | null;
  /** Only files changed between this git ref and the working tree. */
  base?: string;
  /**
   * The change's files as the caller knows them (a PR's files from the API); with `respectPolicyScope`, used
   * only when the policy's scope is `changed`. `baseLabel` names the base in the report.
   */
  changes?: ChangeList;
  baseLabel?: string;
  /** Scan the whole tree when the policy says `scope: all`, even though a change is given (the action). */
  respectPolicyScope?: boolean;
  /** The change under review, for run-level rules that compare with the base (governance/policy-changed). */
  change?: ChangeBase;
  /** Facts for the report's `notes`. */
  notes?: string[];
  failOn?: Severity;
  /** Overrides the policy's scope (an action input). */
  scope?: 'changed' | 'all';
  cwd: string;
  logger: Logger;
  /** YYYY-MM-DD; defaults to today (UTC). */
  today?: string;
  rules?: AnyRule[];
  onProgress?: (done: number, total: number, path: string) => void;
}

/** inputs → policy → discovery → engine → verdict: the one pipeline the CLI and the action share. */
export async function scan(opts: ScanOptions): Promise<Report> {
  const started = Date.now();
  const rules = opts.rules ?? allRules;
  const policy = await loadPolicy({
    policyFile: opts.policyFile,
    explicit: opts.policyExplicit,
    cwd: opts.cwd,
    rules,
    overrides: { failOn: opts.failOn, scope: opts.scope },
    logger: opts.logger,
    policyText: opts.policyText,
  });
  const root = resolve(opts.cwd, opts.root);
  // Findings on the policy (an expired exception) must point at it the way every other path is given:
  // relative to the scanned root, when the file lies inside it.
  if (opts.policyFile && policy.source === opts.policyFile) {
    const inRoot = relative(root, resolve(opts.cwd, opts.policyFile));
    if (inRoot && !inRoot.startsWith('..') && !isAbsolute(inRoot)) policy.source = inRoot.split(sep).join('/');
  }
  const wholeTree = opts.respectPolicyScope === true && policy.scope === 'all';
  const base = wholeTree ? undefined : opts.base;
  const changes = wholeTree ? undefined : opts.changes;
  const discovery = await discover({ root, base, changes, ignore: policy.paths.ignore, logger: opts.logger });
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  // Base versions of changed files, for the rules that compare base and head (data drift): git with --base,
  // else the change's own reader (a PR through the API).
  const baseFiles = base ? await gitBaseFiles(root, base, policy.limits.maxFileBytes)
    : changes && opts.change ? changeBaseFiles(opts.change, Math.min(policy.limits.maxFileBytes, 256 * 1024 * 1024)) : undefined;
  const result = await runEngine({ rules, policy, discovery, logger: opts.logger, today, onProgress: opts.onProgress, change: opts.change, baseFiles });
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    root: opts.root,
    policy: {
      source: policy.source,
      sha256: policy.sha256,
      extends: policy.extends,
      failOn: policy.failOn,
      scope: base || changes ? 'changed' : 'all',
      rulesEnabled: rules.filter((r) => policy.rules[r.meta.id]?.enabled).length,
    },
    base: base ?? (changes ? opts.baseLabel : undefined),
    stats: {
      filesScanned: discovery.files.length,
      bytesScanned: result.bytesScanned,
      filesIgnored: discovery.ignored,
      filesDeleted: discovery.deleted.length,
      durationMs: Date.now() - started,
    },
    verdict: result.verdict,
    findings: result.findings,
    rules: rules.map((r) => ({
      id: r.meta.id,
      description: r.meta.description,
      help: r.meta.help,
      helpUri: ruleDocsUrl(r.meta.id),
      defaultSeverity: r.meta.defaultSeverity,
      enabled: Boolean(policy.rules[r.meta.id]?.enabled),
    })),
    ...(opts.notes?.length ? { notes: [...opts.notes] } : {}),
  };
}
