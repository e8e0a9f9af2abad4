import { ConfigurationError } from '../engine/errors.js';
import type { Finding } from '../engine/finding.js';
import { isSeverity, type Severity } from '../engine/severity.js';
import { compareFindings, decide } from '../engine/verdict.js';
import type { AuditTrail, Report, Verdict } from './types.js';

export interface NamedReport {
  /** Where the report came from (a file name), for error messages. */
  source: string;
  report: Report;
}

/** Parses one shard's JSON report, checking just enough of its shape to merge it safely. */
export function parseShardReport(source: string, text: string): NamedReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${source} is not JSON (${(error as Error).message}); expected an ai-gate JSON report (--json FILE)`);
  }
  const r = data as Partial<Report> | null;
  const ok = r !== null && typeof r === 'object' && r.tool?.name === 'ai-pipeline-gate' && Array.isArray(r.findings) &&
    Array.isArray(r.rules) && typeof r.policy === 'object' && r.policy !== null && isSeverity(String(r.policy.failOn)) &&
    typeof r.stats === 'object' && r.stats !== null;
  if (!ok) throw new ConfigurationError(`${source} is not an ai-gate JSON report (written by scan --json FILE)`);
  return { source, report: r as Report };
}

/**
 * Combines the JSON reports of the shards of one scan (`scan --shard i/n`, i = 1..n) into one report with one
 * verdict, as if the scan had run in one job. Refuses reports that do not belong together: a missing or
 * repeated shard, different shard counts, policies, thresholds or tool versions, since a verdict made from
 * them would be wrong without saying so.
 */
export function mergeReports(inputs: readonly NamedReport[], failOnOverride?: Severity): Report {
  if (inputs.length === 0) throw new ConfigurationError('merge needs at least one JSON report');
  const first = inputs[0].report;
  const total = first.shard?.total ?? 1;
  const seen = new Map<number, string>();
  for (const { source, report } of inputs) {
    const shard = report.shard ?? { index: 1, total: 1 };
    if (shard.total !== total) {
      throw new ConfigurationError(`${source} is shard ${shard.index}/${shard.total} but ${inputs[0].source} is of ${total} shards; merge the reports of one scan`);
    }
    const other = seen.get(shard.index);
    if (other) throw new ConfigurationError(`${source} and ${other} are both shard ${shard.index}/${total}`);
    seen.set(shard.index, source);
    mustAgree(source, inputs[0].source, 'tool version', report.tool.version, first.tool.version);
    mustAgree(source, inputs[0].source, 'policy', `${report.policy.source} ${report.policy.sha256 ?? ''}`, `${first.policy.source} ${first.policy.sha256 ?? ''}`);
    mustAgree(source, inputs[0].source, 'fail-on', report.policy.failOn, first.policy.failOn);
    mustAgree(source, inputs[0].source, 'base', report.base ?? '(none)', first.base ?? '(none)');
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) {
    throw new ConfigurationError(`shard ${missing.map((i) => `${i}/${total}`).join(', ')} missing: merge needs the JSON report of every shard, or the verdict would skip files`);
  }

  // Shards check disjoint files and only shard 1 runs run-level rules, so a repeated fingerprint is the same
  // finding reported twice (e.g. the same report passed twice under two names): keep one.
  const byKey = new Map<string, Finding>();
  for (const { report } of [...inputs].sort((a, b) => (a.report.shard?.index ?? 1) - (b.report.shard?.index ?? 1))) {
    for (const f of report.findings) {
      const key = `${f.ruleId}\0${f.location.path}\0${f.fingerprint}`;
      if (!byKey.has(key)) byKey.set(key, { ...f });
    }
  }
  const failOn = failOnOverride ?? first.policy.failOn;
  const findings = [...byKey.values()];
  const verdict = decide(findings, failOn);
  findings.sort(compareFindings);

  const notes = [...new Set(inputs.flatMap((i) => i.report.notes ?? []))];
  if (total > 1) notes.push(`Merged from ${total} shards (files split by path hash).`);
  const { shard: _shard, audit: _audit, ...rest } = first;
  const audit = mergeAudits(inputs.map((i) => i.report.audit), verdict);
  return {
    ...rest,
    ...(audit ? { audit } : {}),
    policy: { ...first.policy, failOn },
    stats: {
      filesScanned: sum(inputs, (r) => r.stats.filesScanned),
      bytesScanned: sum(inputs, (r) => r.stats.bytesScanned),
      filesIgnored: first.stats.filesIgnored,
      filesDeleted: first.stats.filesDeleted,
      durationMs: Math.max(...inputs.map((i) => i.report.stats.durationMs || 0)),
    },
    verdict,
    findings,
    ...(notes.length ? { notes } : {}),
  };
}

/** Each shard hashed its own files: the merged trail lists them all, with the merged verdict. */
function mergeAudits(audits: ReadonlyArray<AuditTrail | undefined>, verdict: Verdict): AuditTrail | undefined {
  const present = audits.filter((a): a is AuditTrail => a !== undefined);
  if (present.length === 0) return undefined;
  const artifacts = new Map(present.flatMap((a) => a.artifacts.map((x) => [x.path, x] as const)));
  return {
    ...present[0],
    artifacts: [...artifacts.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    verdict: { passed: verdict.passed, failOn: verdict.failOn, blocking: verdict.counts.blocking },
  };
}

function mustAgree(source: string, firstSource: string, what: string, value: string, expected: string): void {
  if (value !== expected) {
    throw new ConfigurationError(`${source} has ${what} "${value}" but ${firstSource} has "${expected}"; merge the reports of one scan`);
  }
}

function sum(inputs: readonly NamedReport[], pick: (r: Report) => number): number {
  return inputs.reduce((n, i) => n + (Number(pick(i.report)) || 0), 0);
}
