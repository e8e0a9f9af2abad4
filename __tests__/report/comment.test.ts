import { describe, expect, it } from '@jest/globals';
import { COMMENT_MARKER, isGateComment, rememberedBlocking, shouldComment, toComment } from '../../src/report/comment.js';
import { SURFACE_LIMITS } from '../../src/report/summary.js';
import { makeFinding, makeReport } from '../helpers/report-factory.js';

describe('the sticky PR comment', () => {
  it('opens with the hidden marker and remembers the blocking fingerprints', () => {
    const f = makeFinding({ fingerprint: 'ab'.repeat(16) });
    const { body } = toComment(makeReport([f]), {});
    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(isGateComment(body)).toBe(true);
    expect(rememberedBlocking(body)).toEqual(['ab'.repeat(16)]);
  });

  it('says the PR passes now and how many blocking findings were fixed', () => {
    const before = toComment(makeReport([makeFinding({ fingerprint: '1'.repeat(32) }), makeFinding({ fingerprint: '2'.repeat(32) })]), {}).body;
    const { body } = toComment(makeReport([]), { previous: before });
    expect(body).toContain('✅ AI pipeline gate: no blocking findings');
    expect(body).toContain('> This pull request passes the gate now\\.');
    expect(body).toContain('> Fixed since the last run: 2 blocking findings\\.');
  });

  it('a file name cannot close the marker or forge another one', () => {
    const f = makeFinding({ location: { path: '--><!-- ai-pipeline-gate:comment -->.pkl' }, message: '<!-- ai-pipeline-gate:blocking ff -->' });
    const { body } = toComment(makeReport([f]), {});
    expect(body.split(COMMENT_MARKER)).toHaveLength(2);
    expect(body.match(/<!--/g)).toHaveLength(2);
  });

  it('stays under 65,536 characters with thousands of findings', () => {
    const findings = Array.from({ length: 3000 }, (_, i) => makeFinding({ location: { path: `m/${i}.pkl` } }));
    const { body, omittedRows } = toComment(makeReport(findings), { fullReport: 'the JSON report' });
    expect(body.length).toBeLessThan(SURFACE_LIMITS.commentChars);
    expect(omittedRows).toBeGreaterThan(0);
  });

  it('comments per the input: never, always, or on failure (and still updates an existing one)', () => {
    const passing = makeReport([]);
    const failing = makeReport([makeFinding()]);
    expect(shouldComment('never', failing, true)).toBe(false);
    expect(shouldComment('always', passing, false)).toBe(true);
    expect(shouldComment('on-failure', passing, false)).toBe(false);
    expect(shouldComment('on-failure', passing, true)).toBe(true);
    expect(shouldComment('on-failure', failing, false)).toBe(true);
  });
});
