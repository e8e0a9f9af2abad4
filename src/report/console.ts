import { SEVERITIES, type Severity } from '../engine/severity.js';
import type { Finding } from '../engine/finding.js';
import { escapeTerminal } from './escape.js';
import type { Report } from './types.js';

export interface ConsoleOptions {
  color: boolean;
  /** Extra facts for the footer, e.g. where SARIF was written. */
  outputs?: string[];
}

const COLORS: Record<Severity | 'dim' | 'bold' | 'red' | 'green', [number, number]> = {
  critical: [31, 39], high: [31, 39], medium: [33, 39], low: [36, 39], dim: [2, 22], bold: [1, 22], red: [31, 39], green: [32, 39],
};

/** Human text, grouped by file, in the report's order; the last lines give the verdict. */
export function toConsole(report: Report, opts: ConsoleOptions): string {
  const paint = (style: keyof typeof COLORS, text: string) =>
    opts.color ? `\u001b[${COLORS[style][0]}m${text}\u001b[${COLORS[style][1]}m` : text;
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) groups.set(f.location.path, [...(groups.get(f.location.path) ?? []), f]);

  const out: string[] = [];
  const ruleWidth = Math.max(0, ...report.findings.map((f) => f.ruleId.length));
  // One width for the location column across the report, so severities and rule ids line up in every group.
  const whereWidth = Math.max(0, ...report.findings.map((f) => whereText(f).length));
  for (const [path, findings] of groups) {
    out.push(paint('bold', escapeTerminal(path)));
    const where = findings.map(whereText);
    findings.forEach((f, i) => {
      const sev = paint(f.severity, f.severity.padEnd(8));
      const tag = f.suppression
        ? paint('dim', f.suppression.kind === 'inline'
          ? ` (suppressed inline: ${escapeTerminal(f.suppression.reason)})`
          : ` (excepted by the policy until ${f.suppression.expires}: ${escapeTerminal(f.suppression.reason)})`)
        : '';
      const line = `  ${where[i].padEnd(whereWidth)}${whereWidth ? '  ' : ''}${sev}  ${f.ruleId.padEnd(ruleWidth)}  ${escapeTerminal(f.message)}${tag}`;
      out.push(f.suppression ? paint('dim', line) : line);
    });
  }
  if (out.length) out.push('');
  out.push(...footer(report, paint, opts.outputs ?? []));
  return `${out.join('\n')}\n`;
}

function whereText(f: Finding): string {
  const { line, column, member, byteOffset } = f.location;
  if (line !== undefined) return column !== undefined ? `${line}:${column}` : String(line);
  if (member !== undefined) return escapeTerminal(member) + (byteOffset !== undefined ? ` @${byteOffset}` : '');
  return byteOffset !== undefined ? `@${byteOffset}` : '';
}

function footer(report: Report, paint: (s: keyof typeof COLORS, t: string) => string, outputs: string[]): string[] {
  const { counts, passed, failOn } = report.verdict;
  const blockingBySeverity = SEVERITIES.map((s) => [s, report.findings.filter((f) => f.blocking && f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const parts = [
    passed ? 'no blocking findings' : `${counts.blocking} blocking (${blockingBySeverity.join(', ')})`,
    `${counts.reported} reported`,
  ];
  if (counts.suppressedInline) parts.push(`${counts.suppressedInline} suppressed inline`);
  if (counts.excepted) parts.push(`${counts.excepted} excepted by the policy`);
  const { filesScanned, bytesScanned, durationMs, filesIgnored } = report.stats;
  const scanned = `${filesScanned} ${filesScanned === 1 ? 'file' : 'files'}, ${formatBytes(bytesScanned)} in ${(durationMs / 1000).toFixed(1)} s` +
    (filesIgnored ? ` (${filesIgnored} ignored by paths.ignore)` : '') + (report.base ? ` · changed since ${escapeTerminal(report.base)}` : '');
  const head = passed ? paint('green', `✔ gate passed: ${parts.join(', ')}`) : paint('red', `✖ gate failed: ${parts.join(', ')}`);
  return [
    `${head} · ${scanned}`,
    `  policy: ${escapeTerminal(report.policy.source)} (fail-on: ${failOn}, ${report.policy.rulesEnabled} rules) · ${[...outputs, 'rule docs: ai-gate rules'].join(' · ')}`,
  ];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024, i = 0;
  while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}
