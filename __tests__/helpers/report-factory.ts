import type { Finding } from '../../src/engine/finding.js';
import { atLeast, SEVERITIES, type Severity } from '../../src/engine/severity.js';
import { TOOL_NAME, TOOL_VERSION, ruleDocsUrl } from '../../src/meta.js';
import type { Report, RuleSummary } from '../../src/report/types.js';

/**
 * Reports built directly (no scan), for reporter tests: console, JSON, SARIF, GitHub surfaces.
 * Defaults are plausible and deterministic; override what a test is about.
 */

let counter = 0;

/** A finding with sensible defaults; `location` is merged, so `{ location: { line: 3 } }` keeps the path. */
export function makeFinding(partial: Partial<Omit<Finding, 'location'>> & { location?: Partial<Finding['location']> } = {}): Finding {
  counter += 1;
  const severity = partial.severity ?? 'high';
  const { location, ...rest } = partial;
  return {
    ruleId: 'model/unsafe-pickle',
    message: `Pickle imports os.system (finding ${counter}).`,
    fingerprint: `fp${String(counter).padStart(30, '0')}`,
    blocking: partial.suppression ? false : atLeast(severity, 'high'),
    ...rest,
    severity,
    location: { path: 'models/model.pkl', ...location },
  };
}

/** A rule summary as the registry would give it; the docs URL is derived from the id, as in src/meta.ts. */
export function makeRule(id: string, partial: Partial<RuleSummary> = {}): RuleSummary {
  return {
    id,
    description: `Checks ${id}.`,
    help: `Why **${id}** matters.\n\nRemediation: fix it. See \`docs\`.`,
    helpUri: ruleDocsUrl(id),
    defaultSeverity: 'high',
    enabled: true,
    ...partial,
  };
}

/**
 * A report over `findings`. `rules` defaults to one summary per distinct rule id in the findings (plus
 * `model/unsafe-pickle`, so there is always a rule); the verdict is computed from the findings with fail-on high.
 */
export function makeReport(findings: Finding[], rules?: RuleSummary[], failOn: Severity = 'high'): Report {
  const ids = [...new Set(['model/unsafe-pickle', ...findings.map((f) => f.ruleId)])];
  const open = findings.filter((f) => !f.suppression);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, open.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const blocking = findings.filter((f) => f.blocking).length;
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    root: '.',
    policy: { source: '.github/ai-gate.yml', extends: 'recommended', failOn, scope: 'all', rulesEnabled: ids.length },
    stats: { filesScanned: 3, bytesScanned: 1234, filesIgnored: 0, filesDeleted: 0, durationMs: 5 },
    verdict: {
      passed: blocking === 0,
      failOn,
      counts: {
        bySeverity,
        blocking,
        reported: open.length - blocking,
        suppressedInline: findings.filter((f) => f.suppression?.kind === 'inline').length,
        excepted: findings.filter((f) => f.suppression?.kind === 'exception').length,
      },
    },
    findings,
    rules: rules ?? ids.map((id) => makeRule(id)),
  };
}
