import type { Report } from './types.js';

/** The JSON report is the Report object itself: stable keys, documented in src/report/types.ts. */
export function toJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
