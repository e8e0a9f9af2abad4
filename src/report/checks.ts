/**
 * The check run's output: title `3 blocking, 5 reported`, the Markdown report as the summary (within
 * 65,535 characters), annotations in batches of 50 (annotations.ts), and the conclusion.
 */
import { checkAnnotationBatches, type CheckAnnotation } from './annotations.js';
import type { LinkContext } from './markdown.js';
import { SURFACE_LIMITS, renderMarkdown, shortTitle } from './summary.js';
import type { Report } from './types.js';

export type Conclusion = 'success' | 'failure' | 'neutral';

export interface CheckOutput {
  title: string;
  summary: string;
  /** One request per batch: the first goes with the completing update, the rest in updates before it. */
  batches: CheckAnnotation[][];
  conclusion: Conclusion;
  /** Rows the summary had no room for (they are in the annotations, the SARIF log and the JSON report). */
  omittedRows: number;
}

export interface CheckOptions {
  links?: LinkContext;
  runUrl?: string;
  fullReport?: string;
  notes?: string[];
  /** `neutral` instead of `success` when the gate passed but reported findings (an action input). */
  neutralWhenReported?: boolean;
}

export function conclusionOf(report: Report, neutralWhenReported = false): Conclusion {
  if (!report.verdict.passed) return 'failure';
  return neutralWhenReported && report.verdict.counts.reported > 0 ? 'neutral' : 'success';
}

export function toCheckOutput(report: Report, opts: CheckOptions): CheckOutput {
  const { text, omittedRows } = renderMarkdown(report, {
    links: opts.links, runUrl: opts.runUrl, fullReport: opts.fullReport, notes: opts.notes, limit: SURFACE_LIMITS.checkSummaryChars,
  });
  return {
    title: shortTitle(report),
    summary: text,
    batches: checkAnnotationBatches(report),
    conclusion: conclusionOf(report, opts.neutralWhenReported),
    omittedRows,
  };
}
