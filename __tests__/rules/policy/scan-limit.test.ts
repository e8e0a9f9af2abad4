import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discover } from '../../../src/discovery/index.js';
import { silentLogger } from '../../../src/engine/logger.js';
import { runEngine } from '../../../src/engine/run.js';
import { allRules } from '../../../src/rules/index.js';
import rule from '../../../src/rules/policy/scan-limit.js';
import { makePolicy } from '../../helpers/policy.js';
import { tempDir } from '../../helpers/temp.js';

async function scanTree(setup: (root: string) => void, limits?: { maxFileBytes: number; maxTextBytes: number }) {
  const root = tempDir('ai-gate-scan-limit-');
  setup(root);
  const discovery = await discover({ root, ignore: [], logger: silentLogger });
  const policy = makePolicy(allRules, { [rule.meta.id]: true, 'model/serialization-format': true }, limits ? { limits } : {});
  return runEngine({ rules: allRules, policy, discovery, logger: silentLogger, today: '2026-01-01' });
}

describe(rule.meta.id, () => {
  it('invalid: a FIFO in the tree is reported, never opened, and the scan finishes', async () => {
    const { findings } = await scanTree((root) => {
      execFileSync('mkfifo', [join(root, 'model.pt')]);
      writeFileSync(join(root, 'ok.txt'), 'fine\n');
    });
    expect(findings.map((f) => [f.ruleId, f.location.path, f.severity])).toEqual([[rule.meta.id, 'model.pt', 'medium']]);
    expect(findings[0].message).toMatch(/^This path is not a regular file \(FIFO, socket or device\) and was not opened: /);
  });

  it('valid: ordinary files within the limits', async () => {
    const { findings } = await scanTree((root) => writeFileSync(join(root, 'a.txt'), 'x\n'));
    expect(findings).toEqual([]);
  });

  it('invalid: a changed file missing from the checkout blocks (high), since the gate never saw it', async () => {
    const root = tempDir('ai-gate-scan-limit-');
    writeFileSync(join(root, 'a.txt'), 'x\n');
    const discovery = await discover({ root, ignore: [], logger: silentLogger, changes: { changed: [{ path: 'models/new.pkl', change: 'added' }], deleted: [] } });
    const policy = makePolicy(allRules, { [rule.meta.id]: true });
    const { findings, verdict } = await runEngine({ rules: allRules, policy, discovery, logger: silentLogger, today: '2026-01-01' });
    expect(findings.map((f) => [f.ruleId, f.location.path, f.severity, f.message])).toEqual([[rule.meta.id, 'models/new.pkl', 'high',
      'This path was not checked: the change adds or modifies it, but it is not in the checkout, so it was not scanned.']]);
    expect(verdict.passed).toBe(false);
  });
});
