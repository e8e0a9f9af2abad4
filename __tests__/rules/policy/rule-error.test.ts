import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/engine/logger.js';
import { defineRule } from '../../../src/engine/rule.js';
import { runEngine } from '../../../src/engine/run.js';
import { allRules } from '../../../src/rules/index.js';
import rule from '../../../src/rules/policy/rule-error.js';
import { makePolicy } from '../../helpers/policy.js';
import { tempDir } from '../../helpers/temp.js';

const crashing = defineRule<Record<string, never>>({
  meta: { id: 'model/test-crash', description: 'x', help: 'x', defaultSeverity: 'low', kinds: ['model'], defaultOptions: {} },
  checkFile() {
    throw new RangeError('offset out of range');
  },
});

async function scanWith(enabled: Parameters<typeof makePolicy>[1]) {
  const root = tempDir('ai-gate-rule-error-');
  writeFileSync(join(root, 'm.pt'), 'x');
  const rules = [...allRules, crashing];
  const discovery = {
    files: [{ path: 'm.pt', absPath: join(root, 'm.pt'), size: 1, kind: 'model' as const, format: 'unknown' as const, head: Buffer.from('x'), change: 'unchanged' as const }],
    issues: [], ignored: 0, deleted: [],
  };
  return runEngine({ rules, policy: makePolicy(rules, enabled), discovery, logger: silentLogger, today: '2026-01-01' });
}

describe(rule.meta.id, () => {
  it('invalid: a rule that throws yields one high finding on the file, and the gate fails closed', async () => {
    const { findings, verdict } = await scanWith({ 'model/test-crash': true, [rule.meta.id]: true });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'policy/rule-error', severity: 'high', location: { path: 'm.pt' },
      message: 'Rule model/test-crash failed on this file (RangeError: offset out of range); the file was not fully checked by it.',
    });
    expect(verdict.passed).toBe(false);
  });

  it('valid: turned off in the policy, the crash is not reported', async () => {
    const { findings } = await scanWith({ 'model/test-crash': true });
    expect(findings).toEqual([]);
  });

  it('invalid: the severity follows the policy', async () => {
    const { findings, verdict } = await scanWith({ 'model/test-crash': true, [rule.meta.id]: { severity: 'medium' } });
    expect(findings[0].severity).toBe('medium');
    expect(verdict.passed).toBe(true);
  });
});
