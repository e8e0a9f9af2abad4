import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../src/discovery/index.js';
import type { ChangeType } from '../../src/discovery/types.js';
import type { Finding } from '../../src/engine/finding.js';
import { silentLogger } from '../../src/engine/logger.js';
import type { AnyRule } from '../../src/engine/rule.js';
import { RULE_ERROR, runEngine } from '../../src/engine/run.js';
import { allRules } from '../../src/rules/index.js';
import { makePolicy } from './policy.js';
import { writeTree, type FileSpec } from './rule-tester.js';

/**
 * Runs one rule over files as the changed files of a pull request: `changes` gives each listed path's change
 * type (others stay `unchanged`), the way discovery marks them in a scan with a base.
 */
export async function runWithChanges(rule: AnyRule, files: FileSpec, changes: Record<string, ChangeType>): Promise<Finding[]> {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-pipeline-'));
  try {
    writeTree(root, files);
    const discovery = await discover({ root, ignore: [], logger: silentLogger });
    for (const f of discovery.files) f.change = changes[f.path] ?? 'unchanged';
    const policy = makePolicy(allRules, { [rule.meta.id]: true, [RULE_ERROR]: true });
    const { findings } = await runEngine({ rules: allRules, policy, discovery, logger: silentLogger, today: '2026-01-01' });
    return findings
      .filter((f) => f.ruleId === rule.meta.id || f.ruleId === RULE_ERROR)
      .sort((a, b) => a.location.path.localeCompare(b.location.path) || (a.location.line ?? 0) - (b.location.line ?? 0));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
