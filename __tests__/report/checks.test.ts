import { describe, expect, it } from '@jest/globals';
import { conclusionOf, toCheckOutput } from '../../src/report/checks.js';
import { SURFACE_LIMITS } from '../../src/report/summary.js';
import { makeFinding, makeReport } from '../helpers/report-factory.js';

describe('check run output', () => {
  it('concludes failure when something blocks, success otherwise, neutral when asked and findings were reported', () => {
    expect(conclusionOf(makeReport([makeFinding({ severity: 'critical' })]))).toBe('failure');
    expect(conclusionOf(makeReport([makeFinding({ severity: 'low' })]))).toBe('success');
    expect(conclusionOf(makeReport([makeFinding({ severity: 'low' })]), true)).toBe('neutral');
    expect(conclusionOf(makeReport([]), true)).toBe('success');
  });

  it('keeps the summary within 65,535 characters while every finding still gets an annotation', () => {
    const findings = Array.from({ length: 1500 }, (_, i) => makeFinding({ message: `${'m'.repeat(80)} ${i}`, location: { path: `p/${i}.pkl` } }));
    const out = toCheckOutput(makeReport(findings), { fullReport: 'the JSON report' });
    expect(out.summary.length).toBeLessThanOrEqual(SURFACE_LIMITS.checkSummaryChars);
    expect(out.omittedRows).toBeGreaterThan(0);
    expect(out.batches.flat()).toHaveLength(1500);
    expect(out.batches.every((b) => b.length <= 50)).toBe(true);
    expect(out.title).toBe('1,500 blocking, 0 reported');
  });
});
