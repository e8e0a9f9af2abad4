import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { discover } from './discovery/index.js';
import { changeBaseFiles, gitBaseFiles } from './discovery/base.js';
import { gitChangedFiles, resolveBase } from './discovery/git.js';
import { readLocal } from './github/pr.js';
import type { Logger } from './engine/logger.js';
import type { AnyRule, ChangeBase } from './engine/rule.js';
import type { ChangeList } from './discovery/index.js';
import type { ScannedFile } from './discovery/types.js';
import { addTimings, hashedByEngine, runEngine } from './engine/run.js';
import { redactionKey } from './engine/redact.js';
import { EngineThreads } from './engine/threads.js';
import type { Severity } from './engine/severity.js';
import { inShard, type Shard } from './engine/shard.js';
import { TOOL_NAME, TOOL_VERSION, ruleDocsUrl } from './meta.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from './policy/load.js';
import { ArtifactHasher, auditTrail } from './report/audit.js';
import type { Report } from './report/types.js';
import { allRules } from './rules/index.js';

export interface ScanOptions {
  /** The failOn/scope overrides may only make the policy stricter (pull requests: inputs come from the PR). */
  overridesOnlyTighten?: boolean;
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
  /** Check only this shard's files (`--shard i/n`); the reports of all shards are combined by `merge`. */
  shard?: Shard;
  onProgress?: (done: number, total: number, path: string) => void;
}

/** inputs → policy → discovery → engine → verdict: the one pipeline the CLI and the action share. */
export async function scan(opts: ScanOptions): Promise<Report> {
  const started = Date.now();
  const rules = opts.rules ?? allRules;
  // `--base REF` without a change from the caller (the CLI): the change comes from git, for the run-level rules
  // that compare base and head (governance/policy-changed); and, as in the action, the change is judged by the
  // policy at the base unless the user names one.
  let change = opts.change;
  let policyText = opts.policyText;
  if (opts.base && !change) {
    const gitRoot = resolve(opts.cwd, opts.root);
    const policyPath = policyPathIn(gitRoot, resolve(opts.cwd, opts.policyFile ?? DEFAULT_POLICY_FILE));
    change = await gitChange(gitRoot, opts.base, policyPath);
    if (!opts.policyExplicit && policyText === undefined) {
      policyText = (await change.readBase(policyPath, MAX_POLICY_BYTES))?.toString('utf8') ?? null;
      opts.logger.info(`Judging the change by the policy at ${opts.base} (${policyPath}${policyText === null ? ': none there, so the built-in one' : ''}), as the action does; --policy FILE names another.`);
    }
  }
  const policy = await loadPolicy({
    policyFile: opts.policyFile,
    explicit: opts.policyExplicit,
    cwd: opts.cwd,
    rules,
    overrides: { failOn: opts.failOn, scope: opts.scope },
    overridesOnlyTighten: opts.overridesOnlyTighten,
    logger: opts.logger,
    policyText,
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
  // The audit's digests are computed in worker threads from the moment discovery finds each model and dataset,
  // while discovery and then the rules run on this thread; the datasets the rules read whole anyway are hashed
  // on that read instead (hashedByEngine).
  const hasher = new ArtifactHasher(policy.limits.maxFileBytes, { byEngine: (f) => hashedByEngine(f, rules, policy) });
  const audited = (f: ScannedFile) => !opts.shard || inShard(f.path, opts.shard);
  let discovery;
  try {
    discovery = await discover({ root, base, changes, ignore: policy.paths.ignore, logger: opts.logger, onFile: (f) => { if (audited(f)) hasher.add(f); } });
  } catch (error) {
    await hasher.finish([]); // ends its threads
    throw error;
  }
  const artifacts = hasher.finish(discovery.files.filter(audited));
  artifacts.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled meanwhile
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  // Base versions of changed files, for the rules that compare base and head (data drift): git with --base,
  // else the change's own reader (a PR through the API).
  const baseFiles = base ? await gitBaseFiles(root, base, policy.limits.maxFileBytes)
    : changes && change ? changeBaseFiles(change, Math.min(policy.limits.maxFileBytes, 256 * 1024 * 1024)) : undefined;
  // Large files are checked in worker threads when the registry's rules run (a worker has only those).
  const threads = rules === allRules ? EngineThreads.create({ policy, today, redactionKey: redactionKey(), logger: opts.logger }) : undefined;
  if (threads) threads.onTimings = addTimings;
  let result;
  try {
    result = await runEngine({ rules, policy, discovery, logger: opts.logger, today, onProgress: opts.onProgress, change, baseFiles, shard: opts.shard, threads, digests: hasher });
  } finally {
    hasher.engineDone();
    await threads?.close();
  }
  const audit = await auditTrail({ policy, toolVersion: TOOL_VERSION, ruleIds: rules.map((r) => r.meta.id), verdict: result.verdict, artifacts });
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
      ...(policy.report?.conclusionWhenReported === 'neutral' ? { conclusionWhenReported: 'neutral' as const } : {}),
    },
    base: base ?? (changes ? opts.baseLabel : undefined),
    stats: {
      filesScanned: result.filesScanned,
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
    ...(opts.shard && opts.shard.total > 1 ? { shard: { ...opts.shard } } : {}),
    audit,
  };
}

const MAX_POLICY_BYTES = 1024 * 1024;

/** The policy file's path relative to the scanned root, with `/` (as the change lists paths). */
function policyPathIn(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : DEFAULT_POLICY_FILE;
}

/** The change between git `ref` and the working tree below `root`: paths, base blobs (git cat-file) and head files. */
async function gitChange(root: string, ref: string, policyPath: string): Promise<ChangeBase> {
  const sha = await resolveBase(root, ref);
  const { changed, deleted } = await gitChangedFiles(root, sha);
  const changes: ChangeBase['changes'] = [
    ...changed.map((c) => ({ path: c.raw.toString('utf8'), change: c.change, ...(c.previousRaw ? { previousPath: c.previousRaw.toString('utf8') } : {}) })),
    ...deleted.map((d) => ({ path: d.toString('utf8'), change: 'deleted' as const })),
  ];
  return {
    ref: sha,
    policyPath,
    changes,
    async readBase(path, maxBytes) {
      const version = await (await gitBaseFiles(root, sha, maxBytes)).get(path);
      if (!version) return undefined;
      try {
        return await readFile(version.absPath);
      } finally {
        await version.close();
      }
    },
    readHead: (path, maxBytes) => readLocal(root, path, maxBytes),
  };
}
