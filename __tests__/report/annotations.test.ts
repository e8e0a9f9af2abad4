import { describe, expect, it } from '@jest/globals';
import { SEVERITIES } from '../../src/engine/severity.js';
import { ANNOTATION_LIMITS, checkAnnotationBatches, toCheckAnnotation, workflowCommands } from '../../src/report/annotations.js';
import { SEVERITY_TABLE } from '../../src/report/severity.js';
import { makeFinding, makeReport } from '../helpers/report-factory.js';

describe('check-run annotations', () => {
  it('takes the level from the one mapping table, the rule as title, and the docs link in raw details', () => {
    for (const severity of SEVERITIES) {
      const a = toCheckAnnotation(makeFinding({ severity, location: { path: 'a.yml', line: 3, column: 5, endColumn: 9 } }), 'https://docs/x');
      expect(a).toMatchObject({ path: 'a.yml', start_line: 3, end_line: 3, start_column: 5, end_column: 9, annotation_level: SEVERITY_TABLE[severity].annotation });
      expect(a.title).toBe(`model/unsafe-pickle (${severity})`);
      expect(a.raw_details).toContain('docs: https://docs/x');
    }
  });

  it('anchors file-level findings (binary files) at line 1 with no columns, and gives the member in raw details', () => {
    const a = toCheckAnnotation(makeFinding({ location: { path: 'm.pt', member: 'archive/data.pkl', byteOffset: 312 } }), '');
    expect(a).toMatchObject({ start_line: 1, end_line: 1 });
    expect(a.start_column).toBeUndefined();
    expect(a.raw_details).toContain('member: archive/data.pkl');
    expect(a.raw_details).toContain('byte offset: 312');
  });

  it('drops columns on multi-line spans (the API refuses them)', () => {
    const a = toCheckAnnotation(makeFinding({ location: { line: 2, endLine: 4, column: 1, endColumn: 3 } }), '');
    expect(a).toMatchObject({ start_line: 2, end_line: 4 });
    expect(a.start_column).toBeUndefined();
  });

  it('splits 123 open findings into batches of 50, 50 and 23, and leaves suppressed findings out', () => {
    const findings = Array.from({ length: 123 }, (_, i) => makeFinding({ location: { line: i + 1 } }));
    findings.push(makeFinding({ suppression: { kind: 'inline', reason: 'fixture' } }));
    const batches = checkAnnotationBatches(makeReport(findings));
    expect(batches.map((b) => b.length)).toEqual([50, 50, 23]);
    expect(batches.flat().every((a) => a.message.length <= ANNOTATION_LIMITS.messageChars)).toBe(true);
  });
});

describe('workflow-command annotations', () => {
  it('escapes file names and messages so that they cannot end the command or add properties', () => {
    const f = makeFinding({ severity: 'critical', message: 'bad\n::error::injected %0A', location: { path: 'a,b:c\r\n::warning file=x::y.pkl', line: 2 } });
    const { lines } = workflowCommands(makeReport([f]));
    expect(lines).toEqual(['::error file=a%2Cb%3Ac%0D%0A%3A%3Awarning file=x%3A%3Ay.pkl,line=2,title=model/unsafe-pickle (critical)::bad%0A::error::injected %250A']);
    expect(lines[0].split('\n')).toHaveLength(1);
  });

  it('prints every finding but counts those past 10 per level, which GitHub does not show', () => {
    const findings = [
      ...Array.from({ length: 14 }, () => makeFinding({ severity: 'high' })),
      ...Array.from({ length: 3 }, () => makeFinding({ severity: 'medium' })),
    ];
    const { lines, hidden } = workflowCommands(makeReport(findings));
    expect(lines).toHaveLength(17);
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(14);
    expect(hidden).toBe(4);
  });
});
