import { describe, expect, it } from '@jest/globals';
import { parseInlineDirective } from '../../src/engine/suppress.js';
import { redact } from '../../src/engine/redact.js';
import { decide } from '../../src/engine/verdict.js';
import type { Finding } from '../../src/engine/finding.js';

describe('inline directives', () => {
  it.each([
    ['# ai-gate: ignore[data/pii] synthetic rows', { rules: ['data/pii'], reason: 'synthetic rows' }],
    ['x = 1  // ai-gate: ignore[secret/generic, data/pii]   test key', { rules: ['secret/generic', 'data/pii'], reason: 'test key' }],
    ['<!-- ai-gate: ignore[notebook/outputs] demo output -->', { rules: ['notebook/outputs'], reason: 'demo output' }],
    ['-- ai-gate: ignore[data/pii]', { rules: ['data/pii'], reason: '' }],
    ['    "key = load()  # ai-gate: ignore[secret/generic-credential] revoked test token\\n",', { rules: ['secret/generic-credential'], reason: 'revoked test token' }],
    ['    "x = 1  # ai-gate: ignore[notebook/pii] synthetic"', { rules: ['notebook/pii'], reason: 'synthetic' }],
    ['# ai-gate: ignore[data/pii] see "the card"', { rules: ['data/pii'], reason: 'see "the card"' }],
  ])('parses %s', (line, want) => {
    expect(parseInlineDirective(line)).toEqual(want);
  });

  it.each(['ai-gate: ignore[data/pii] no comment leader', '# ai-gate: ignore[] empty', '# ai-gate ignore[data/pii]'])('rejects %s', (line) => {
    expect(parseInlineDirective(line)).toBeUndefined();
  });
});

describe('redaction', () => {
  it('never contains the value, keeps a short prefix of long values, and is stable', () => {
    const secret = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
    const shown = redact(secret);
    expect(shown).not.toContain(secret.slice(4));
    expect(shown.startsWith('hf_a…[redacted hmac:')).toBe(true);
    expect(redact(secret)).toBe(shown);
    expect(redact('short')).toMatch(/^…\[redacted hmac:[0-9a-f]{8}\]$/);
  });
});

describe('verdict', () => {
  const f = (severity: Finding['severity'], suppressed = false): Finding => ({
    ruleId: 'x/y', severity, message: 'm', location: { path: 'a' }, fingerprint: 'f', blocking: false,
    ...(suppressed ? { suppression: { kind: 'inline' as const, reason: 'r' } } : {}),
  });

  it('blocks at and above fail-on, never on suppressed findings', () => {
    const findings = [f('critical'), f('high'), f('medium'), f('low'), f('critical', true)];
    const verdict = decide(findings, 'high');
    expect(findings.map((x) => x.blocking)).toEqual([true, true, false, false, false]);
    expect(verdict).toEqual({
      passed: false, failOn: 'high',
      counts: { bySeverity: { critical: 1, high: 1, medium: 1, low: 1 }, blocking: 2, reported: 2, suppressedInline: 1, excepted: 0 },
    });
    expect(decide([f('medium')], 'high').passed).toBe(true);
    expect(decide([f('medium')], 'medium').passed).toBe(false);
  });
});
