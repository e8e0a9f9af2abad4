/**
 * The Markdown report shared by the job summary, the check run's summary and the PR comment: verdict,
 * counts by severity and area, blocking findings in a table, the rest collapsed, suppressed and excepted
 * findings apart. Each surface has a size limit; rows that do not fit are counted and the reader is pointed
 * to the surfaces that hold everything (the SARIF log and the JSON report), so no finding is silently lost.
 */
import { SEVERITIES, type Severity } from '../engine/severity.js';
import type { Finding } from '../engine/finding.js';
import { formatBytes } from './console.js';
import {
  FINDING_TABLE_HEAD, code, count, findingRow, md, plural, whereCell, type LinkContext,
} from './markdown.js';
import type { Report } from './types.js';

/** GitHub's limits: 1 MiB per step summary; 65,535 characters per check-run summary; 65,536 per comment. */
export const SURFACE_LIMITS = { jobSummaryBytes: 1024 * 1024, checkSummaryChars: 65_535, commentChars: 65_536 } as const;

export interface MarkdownOptions {
  links?: LinkContext;
  /** Maximum size of the result, in characters (UTF-16 units; bytes for the job summary, see below). */
  limit: number;
  /** Measure by UTF-8 bytes rather than characters (the job summary's limit is in bytes). */
  bytes?: boolean;
  /** Where the complete lists are (e.g. "the JSON report ai-gate-report.json and the SARIF log ai-gate.sarif"). */
  fullReport?: string;
  /** Link to the workflow run. */
  runUrl?: string;
  /** Lines in front of the heading (the comment's hidden marker). */
  prefix?: string[];
  /** Extra notes for this surface (e.g. why the check run could not be created). */
  notes?: string[];
  /** The heading level: `###` by default. */
  heading?: string;
}

export function headline(report: Report): string {
  const { passed, counts } = report.verdict;
  return passed
    ? `✅ AI pipeline gate: no blocking findings`
    : `❌ AI pipeline gate: ${plural(counts.blocking, 'blocking finding')}`;
}

/** `3 blocking, 5 reported` (the check run's title). */
export function shortTitle(report: Report): string {
  const c = report.verdict.counts;
  const parts = [report.verdict.passed ? 'passed' : `${count(c.blocking)} blocking`, `${count(c.reported)} reported`];
  if (c.suppressedInline + c.excepted) parts.push(`${count(c.suppressedInline + c.excepted)} suppressed`);
  return parts.join(', ');
}

function severityTable(report: Report): string[] {
  const open = report.findings.filter((f) => !f.suppression);
  const cell = (n: number) => (n ? count(n) : '–');
  const row = (label: string, pick: (f: Finding) => boolean) =>
    `| ${label} | ${SEVERITIES.map((s) => cell(open.filter((f) => pick(f) && f.severity === s).length)).join(' | ')} |`;
  return [
    `| | ${SEVERITIES.join(' | ')} |`,
    `|---|${SEVERITIES.map(() => '---:').join('|')}|`,
    row(`blocking (fail-on: ${report.verdict.failOn})`, (f) => f.blocking),
    row('reported', (f) => !f.blocking),
  ];
}

function areaLine(report: Report): string {
  const byArea = new Map<string, number>();
  for (const f of report.findings) if (!f.suppression) byArea.set(f.ruleId.split('/')[0], (byArea.get(f.ruleId.split('/')[0]) ?? 0) + 1);
  if (byArea.size === 0) return '';
  return `By area: ${[...byArea].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([a, n]) => `${a} ${count(n)}`).join(' · ')}`;
}

function nonBlockingLabel(findings: Finding[]): string {
  const bySev = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  return `${bySev.map(([s, n]) => `${count(n)} ${s}`).join(', ')} (not blocking)`;
}

function suppressedRow(f: Finding, links: LinkContext | undefined): string {
  const s = f.suppression!;
  const how = s.kind === 'inline' ? 'suppressed inline' : `excepted until ${s.expires ?? '?'}`;
  return `| ${code(f.ruleId)} | ${whereCell(f, links)} | ${how}: ${md(s.reason)} |`;
}

function footer(report: Report, opts: MarkdownOptions): string {
  const policy = report.policy.sha256
    ? `Policy ${code(report.policy.source)} (sha256 \`${report.policy.sha256.slice(0, 12)}\`)`
    : `Policy ${code(report.policy.source)}`;
  const s = report.stats;
  const scope = report.policy.scope === 'changed' ? `changed files${report.base ? ` since ${code(report.base)}` : ''}` : 'whole tree';
  const parts = [
    `${policy}, fail-on ${report.verdict.failOn}, ${plural(report.policy.rulesEnabled, 'rule')}`,
    `${plural(s.filesScanned, 'file')} scanned (${scope}, ${formatBytes(s.bytesScanned)}) in ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  if (opts.runUrl) parts.push(`[workflow run](${opts.runUrl})`);
  return parts.join(' · ');
}

interface Section {
  /** Lines before the rows (heading, table head); dropped with the rows when no row fits. */
  head: string[];
  rows: string[];
  /** Lines after the rows. */
  tail: string[];
  /** What a dropped row is called in the "…and N more" line. */
  noun: string;
}

/** The whole Markdown report within `opts.limit`; rows that do not fit are counted in a closing line. */
export function renderMarkdown(report: Report, opts: MarkdownOptions): { text: string; omittedRows: number } {
  const links = opts.links;
  const helpUri = new Map(report.rules.map((r) => [r.id, r.helpUri]));
  const uri = (f: Finding) => helpUri.get(f.ruleId) ?? '';
  const blocking = report.findings.filter((f) => f.blocking);
  const reported = report.findings.filter((f) => !f.blocking && !f.suppression);
  const suppressed = report.findings.filter((f) => f.suppression);

  const top = [
    ...(opts.prefix ?? []),
    `${opts.heading ?? '###'} ${headline(report)}`,
    '',
    ...severityTable(report),
    '',
  ];
  const area = areaLine(report);
  if (area) top.push(area, '');
  const notes = [...(report.notes ?? []), ...(opts.notes ?? [])].map((n) => `> ${md(n)}`);
  if (notes.length) top.push(notes.join('\n>\n'), '');

  const sections: Section[] = [];
  if (blocking.length) {
    sections.push({ head: ['**Blocking**', '', ...FINDING_TABLE_HEAD], rows: blocking.map((f) => findingRow(f, links, uri(f))), tail: [''], noun: 'blocking finding' });
  }
  if (reported.length) {
    sections.push({
      head: [`<details><summary>${nonBlockingLabel(reported)}</summary>`, '', ...FINDING_TABLE_HEAD],
      rows: reported.map((f) => findingRow(f, links, uri(f))), tail: ['', '</details>', ''], noun: 'reported finding',
    });
  }
  if (suppressed.length) {
    sections.push({
      head: [`<details><summary>${plural(suppressed.length, 'finding')} suppressed inline or excepted by the policy</summary>`, '', '| rule | where | why |', '|---|---|---|'],
      rows: suppressed.map((f) => suppressedRow(f, links)), tail: ['', '</details>', ''], noun: 'suppressed finding',
    });
  }
  const end = ['', footer(report, opts)];
  return fit(top, sections, end, opts);
}

function fit(top: string[], sections: Section[], end: string[], opts: MarkdownOptions): { text: string; omittedRows: number } {
  const size = (s: string) => (opts.bytes ? Buffer.byteLength(s, 'utf8') : s.length) + 1;
  const total = (lines: string[]) => lines.reduce((n, l) => n + size(l), 0);
  // Room for the "…and N more" line, whatever N is.
  const omittedLine = (n: number) =>
    `**${plural(n, 'more finding')} did not fit here**; every finding is in ${opts.fullReport ?? 'the JSON report and the SARIF log'}.`;
  let budget = opts.limit - total(top) - total(end) - size(omittedLine(10 ** 9)) - 1;
  const out = [...top];
  let omitted = 0;
  for (const section of sections) {
    const fixed = total(section.head) + total(section.tail);
    const kept: string[] = [];
    if (budget > fixed) {
      let room = budget - fixed;
      for (const row of section.rows) {
        if (size(row) > room) break;
        kept.push(row);
        room -= size(row);
      }
    }
    omitted += section.rows.length - kept.length;
    if (kept.length) {
      out.push(...section.head, ...kept, ...section.tail);
      budget -= fixed + total(kept);
    }
  }
  if (omitted) out.push(omittedLine(omitted), '');
  out.push(...end);
  return { text: `${out.join('\n')}\n`, omittedRows: omitted };
}

/** The job summary: the Markdown report within 1 MiB. */
export function toJobSummary(report: Report, opts: Omit<MarkdownOptions, 'limit' | 'bytes'>): { text: string; omittedRows: number } {
  return renderMarkdown(report, { ...opts, limit: SURFACE_LIMITS.jobSummaryBytes - 1024, bytes: true });
}

export type { Severity };
