/**
 * Annotations in the two forms GitHub takes them: check-run annotation objects (sent 50 per request) and
 * workflow commands printed to the log (GitHub shows at most 10 per level per step). Levels come from the
 * one mapping table in severity.ts. Suppressed findings are not annotated (they stay in every report).
 */
import type { Finding } from '../engine/finding.js';
import { escapeCommandData, escapeCommandProperty } from './escape.js';
import { SEVERITY_TABLE } from './severity.js';
import type { Report } from './types.js';

/** GitHub's limits on annotations (REST docs: "Update a check run"; workflow commands doc). */
export const ANNOTATION_LIMITS = {
  perRequest: 50,
  /** Per level (error/warning/notice) per step, for workflow-command annotations. */
  commandsPerLevel: 10,
  messageChars: 4000,
  titleChars: 255,
  rawDetailsChars: 4000,
} as const;

export type AnnotationLevel = 'failure' | 'warning' | 'notice';

/** The body of one check-run annotation, as the checks API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  message: string;
  title: string;
  raw_details?: string;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Findings that get an annotation: open ones, in the report's order (blocking first). */
export function annotated(report: Report): Finding[] {
  return report.findings.filter((f) => !f.suppression);
}

function details(f: Finding, helpUri: string): string {
  const where = [
    f.location.member !== undefined ? `member: ${f.location.member}` : '',
    f.location.keyPath !== undefined ? `key: ${f.location.keyPath}` : '',
    f.location.byteOffset !== undefined ? `byte offset: ${f.location.byteOffset}` : '',
  ].filter(Boolean);
  return clip([`severity: ${f.severity}${f.blocking ? ' (blocking)' : ''}`, ...where, `docs: ${helpUri}`].join('\n'), ANNOTATION_LIMITS.rawDetailsChars);
}

/** A finding as a check-run annotation: file-level findings (binary files) anchor at line 1. */
export function toCheckAnnotation(f: Finding, helpUri: string): CheckAnnotation {
  const line = f.location.line ?? 1;
  const endLine = f.location.line !== undefined ? Math.max(line, f.location.endLine ?? line) : 1;
  const columns = f.location.line !== undefined && endLine === line && f.location.column !== undefined
    ? { start_column: f.location.column, end_column: Math.max(f.location.column, f.location.endColumn ?? f.location.column) }
    : {};
  return {
    path: f.location.path,
    start_line: line,
    end_line: endLine,
    ...columns,
    annotation_level: SEVERITY_TABLE[f.severity].annotation,
    message: clip(f.message, ANNOTATION_LIMITS.messageChars),
    title: clip(`${f.ruleId} (${f.severity})`, ANNOTATION_LIMITS.titleChars),
    raw_details: details(f, helpUri),
  };
}

export function helpUris(report: Report): Map<string, string> {
  return new Map(report.rules.map((r) => [r.id, r.helpUri]));
}

/** Every open finding as check-run annotations, in batches of at most 50 (one request each). */
export function checkAnnotationBatches(report: Report): CheckAnnotation[][] {
  const uris = helpUris(report);
  const all = annotated(report).map((f) => toCheckAnnotation(f, uris.get(f.ruleId) ?? ''));
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < all.length; i += ANNOTATION_LIMITS.perRequest) batches.push(all.slice(i, i + ANNOTATION_LIMITS.perRequest));
  return batches;
}

const COMMAND: Record<AnnotationLevel, 'error' | 'warning' | 'notice'> = { failure: 'error', warning: 'warning', notice: 'notice' };

export interface CommandAnnotations {
  /** Lines to print, each one workflow command with its values escaped. */
  lines: string[];
  /** Open findings printed beyond what GitHub shows as annotations (still in the log, the summary and the reports). */
  hidden: number;
}

/**
 * Open findings as workflow commands with file and line. All are printed (the log keeps them); GitHub turns
 * only the first 10 per level into annotations, so `hidden` counts the rest for the summary to mention.
 */
export function workflowCommands(report: Report): CommandAnnotations {
  const perLevel: Record<string, number> = {};
  let hidden = 0;
  const lines = annotated(report).map((f) => {
    const a = toCheckAnnotation(f, '');
    const level = COMMAND[a.annotation_level];
    perLevel[level] = (perLevel[level] ?? 0) + 1;
    if (perLevel[level] > ANNOTATION_LIMITS.commandsPerLevel) hidden++;
    const props = [
      `file=${escapeCommandProperty(a.path)}`,
      `line=${a.start_line}`,
      ...(a.end_line !== a.start_line ? [`endLine=${a.end_line}`] : []),
      ...(a.start_column !== undefined ? [`col=${a.start_column}`, `endColumn=${a.end_column}`] : []),
      `title=${escapeCommandProperty(a.title)}`,
    ];
    return `::${level} ${props.join(',')}::${escapeCommandData(a.message)}`;
  });
  return { lines, hidden };
}
