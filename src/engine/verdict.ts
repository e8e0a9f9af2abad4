import type { Finding } from './finding.js';
import { SEVERITIES, atLeast, severityRank, type Severity } from './severity.js';
import type { Verdict } from '../report/types.js';

/** Sets `blocking` on every finding and counts them. A suppressed finding never blocks. */
export function decide(findings: Finding[], failOn: Severity): Verdict {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let blocking = 0, reported = 0, suppressedInline = 0, excepted = 0;
  for (const f of findings) {
    f.blocking = !f.suppression && atLeast(f.severity, failOn);
    if (f.suppression?.kind === 'inline') suppressedInline++;
    else if (f.suppression?.kind === 'exception') excepted++;
    else {
      bySeverity[f.severity]++;
      if (f.blocking) blocking++;
      else reported++;
    }
  }
  return { passed: blocking === 0, failOn, counts: { bySeverity, blocking, reported, suppressedInline, excepted } };
}

/** The one order every report uses: blocking first, then severity, path, line, column, rule, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    Number(b.blocking) - Number(a.blocking) ||
    Number(Boolean(a.suppression)) - Number(Boolean(b.suppression)) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    cmp(a.location.path, b.location.path) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.location.member ?? '', b.location.member ?? '') ||
    (a.location.byteOffset ?? 0) - (b.location.byteOffset ?? 0) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
