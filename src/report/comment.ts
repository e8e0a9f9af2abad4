/**
 * The one sticky PR comment: found again by its hidden marker and edited in place. It carries the blocking
 * findings' fingerprints (hex digests made by the engine, never PR text) in a second hidden line, so that a
 * later run can say how many of them were fixed.
 */
import { count, plural, type LinkContext } from './markdown.js';
import { SURFACE_LIMITS, renderMarkdown } from './summary.js';
import type { Report } from './types.js';

export const COMMENT_MARKER = '<!-- ai-pipeline-gate:comment -->';
const STATE_PREFIX = '<!-- ai-pipeline-gate:blocking ';
const MAX_REMEMBERED = 500;

export type CommentMode = 'always' | 'on-failure' | 'never';

export interface CommentOptions {
  links?: LinkContext;
  runUrl?: string;
  fullReport?: string;
  notes?: string[];
  /** The body of the comment this run replaces, if there is one. */
  previous?: string;
}

/** True when a comment body is ours (the marker opens it). */
export function isGateComment(body: string | null | undefined): boolean {
  return typeof body === 'string' && body.startsWith(COMMENT_MARKER);
}

/** The blocking fingerprints a previous comment recorded (empty when it holds none). */
export function rememberedBlocking(body: string | undefined): string[] {
  const line = body?.split('\n').find((l) => l.startsWith(STATE_PREFIX));
  if (!line) return [];
  return line.slice(STATE_PREFIX.length).replace(/ -->$/, '').split(',').filter((fp) => /^[0-9a-f]{8,128}$/.test(fp));
}

/** Whether this run should write the comment: `on-failure` still updates an existing one so it never goes stale. */
export function shouldComment(mode: CommentMode, report: Report, hasPrevious: boolean): boolean {
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  return !report.verdict.passed || hasPrevious;
}

export function toComment(report: Report, opts: CommentOptions): { body: string; omittedRows: number } {
  const blocking = report.findings.filter((f) => f.blocking).map((f) => f.fingerprint).filter((fp) => /^[0-9a-f]{8,128}$/.test(fp));
  const before = rememberedBlocking(opts.previous);
  const notes = [...(opts.notes ?? [])];
  if (opts.previous !== undefined) {
    const now = new Set(blocking);
    const fixed = before.filter((fp) => !now.has(fp)).length;
    if (fixed > 0) notes.unshift(`Fixed since the last run: ${plural(fixed, 'blocking finding')}.`);
    if (report.verdict.passed && before.length > 0 && fixed === before.length) notes.unshift('This pull request passes the gate now.');
  }
  const state = `${STATE_PREFIX}${blocking.slice(0, MAX_REMEMBERED).join(',')} -->`;
  const { text, omittedRows } = renderMarkdown(report, {
    links: opts.links, runUrl: opts.runUrl, fullReport: opts.fullReport, notes,
    prefix: [COMMENT_MARKER, state], limit: SURFACE_LIMITS.commentChars - 100,
  });
  return { body: text, omittedRows };
}

export { count };
