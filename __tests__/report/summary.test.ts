import { describe, expect, it } from '@jest/globals';
import { code, encodePath, md } from '../../src/report/markdown.js';
import { SURFACE_LIMITS, renderMarkdown, shortTitle, toJobSummary } from '../../src/report/summary.js';
import { makeFinding, makeReport } from '../helpers/report-factory.js';

const links = { repoUrl: 'https://github.com/o/r', sha: 'a'.repeat(40) };

describe('Markdown escaping', () => {
  it('neutralises markup, raw HTML, table pipes, mentions and references', () => {
    const out = md('<img src=x onerror=alert(1)> **b** [l](http://e) | @octocat @org/team #12 <!-- x -->');
    expect(out).not.toMatch(/<img|<!--|-->/);
    expect(out).not.toMatch(/(^|[^\\])\|/);
    expect(out).not.toMatch(/@octocat|@org|#12/);
    expect(out).toContain('\\*\\*b\\*\\*');
    expect(out).toContain('\\[l\\]\\(http://e\\)');
  });

  it('turns newlines and bidi controls into spaces so that a row cannot be split or reordered', () => {
    expect(md('a\nb\u202ec')).toBe('a b c');
  });

  it('makes code spans that survive backticks and pipes', () => {
    expect(code('a`b|c')).toBe('``a`b\\|c``');
    expect(code('`x')).toBe('`` `x ``');
  });

  it('encodes the characters that would end a link destination', () => {
    expect(encodePath('dir one/a(b).pkl')).toBe('dir%20one/a%28b%29.pkl');
  });
});

describe('the Markdown report', () => {
  it('lists blocking findings with links at the head SHA, collapses the rest, and lists suppressed findings apart', () => {
    const report = makeReport([
      makeFinding({ severity: 'critical', location: { path: 'models/x.pt', member: 'archive/data.pkl' } }),
      makeFinding({ severity: 'high', ruleId: 'workflow/template-injection', location: { path: '.github/workflows/t.yml', line: 14 } }),
      makeFinding({ severity: 'medium', location: { path: 'b.pkl' } }),
      makeFinding({ severity: 'high', location: { path: 'data/synthetic/a.csv' }, suppression: { kind: 'exception', reason: 'Synthetic, see @alice', expires: '2027-03-31' } }),
    ]);
    const { text, omittedRows } = renderMarkdown(report, { links, limit: SURFACE_LIMITS.checkSummaryChars });
    expect(omittedRows).toBe(0);
    expect(text).toContain('### ❌ AI pipeline gate: 2 blocking findings');
    expect(text).toContain('| blocking (fail-on: high) | 1 | 1 | – | – |');
    expect(text).toContain('| reported | – | – | 1 | – |');
    expect(text).toContain(`[models/x\\.pt](https://github.com/o/r/blob/${'a'.repeat(40)}/models/x.pt) › \`archive/data.pkl\``);
    expect(text).toContain(`[\\.github/workflows/t\\.yml\\#⁠L14](https://github.com/o/r/blob/${'a'.repeat(40)}/.github/workflows/t.yml#L14)`);
    expect(text).toContain('<details><summary>1 medium (not blocking)</summary>');
    expect(text).toContain('excepted until 2027-03-31: Synthetic, see @⁠alice');
    expect(text).toContain('By area: model 2 · workflow 1');
  });

  it('stays within the limit and counts the rows it left out', () => {
    const findings = Array.from({ length: 2000 }, (_, i) => makeFinding({ message: `Finding number ${i} ${'x'.repeat(100)}.`, location: { path: `m/${i}.pkl` } }));
    const { text, omittedRows } = renderMarkdown(makeReport(findings), { links, limit: SURFACE_LIMITS.checkSummaryChars, fullReport: 'the JSON report' });
    expect(text.length).toBeLessThanOrEqual(SURFACE_LIMITS.checkSummaryChars);
    expect(omittedRows).toBeGreaterThan(0);
    expect(text).toContain(`**${omittedRows.toLocaleString('en-US')} more findings did not fit here**; every finding is in the JSON report.`);
    const rows = text.split('\n').filter((l) => l.startsWith('| 🟠'));
    expect(rows.length + omittedRows).toBe(2000);
  });

  it('keeps the job summary under 1 MiB in bytes', () => {
    const findings = Array.from({ length: 6000 }, (_, i) => makeFinding({ message: `${'é'.repeat(200)} ${i}`, location: { path: `m/${i}.pkl` } }));
    const { text, omittedRows } = toJobSummary(makeReport(findings), { links });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SURFACE_LIMITS.jobSummaryBytes);
    expect(omittedRows).toBeGreaterThan(0);
  });

  it('shows the notes a reader must know, escaped', () => {
    const report = { ...makeReport([]), notes: ['The PR has more than 3,000 files: <b>git diff</b> was used.'] };
    expect(renderMarkdown(report, { limit: 10_000 }).text).toContain('> The PR has more than 3,000 files: &lt;b&gt;git diff&lt;/b&gt; was used\\.');
  });

  it('titles the check run with blocking and reported counts', () => {
    expect(shortTitle(makeReport([makeFinding({ severity: 'high' }), makeFinding({ severity: 'low' })]))).toBe('1 blocking, 1 reported');
    expect(shortTitle(makeReport([]))).toBe('passed, 0 reported');
  });
});
