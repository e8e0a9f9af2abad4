import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitBaseFiles } from '../../src/discovery/base.js';
import { discover } from '../../src/discovery/index.js';
import type { Finding } from '../../src/engine/finding.js';
import { silentLogger } from '../../src/engine/logger.js';
import type { AnyRule } from '../../src/engine/rule.js';
import { RULE_ERROR, runEngine } from '../../src/engine/run.js';
import { allRules } from '../../src/rules/index.js';
import { makePolicy } from './policy.js';
import { writeTree, type ExpectedFinding, type FileSpec } from './rule-tester.js';

/**
 * The RuleTester for base-versus-head rules: each case commits `base` in a fresh git repository, writes
 * `head` over it (a file set to null is deleted), and scans with `--base HEAD` semantics: discovery of what
 * changed, and base versions read through git. Same expectations as testRule.
 */
export interface BaseCase {
  name: string;
  base: FileSpec;
  head: Record<string, string | Buffer | null>;
  options?: Record<string, unknown>;
}

const gitEnv: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
for (const v of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete gitEnv[v];

export async function runBaseRule(rule: AnyRule, c: BaseCase): Promise<Finding[]> {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-base-rule-'));
  try {
    writeTree(root, c.base);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: gitEnv, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'base');
    for (const [path, content] of Object.entries(c.head)) {
      if (content === null) rmSync(join(root, path));
      else writeTree(root, { [path]: content });
    }
    const rules = allRules.some((r) => r.meta.id === rule.meta.id) ? allRules : [...allRules, rule];
    const policy = makePolicy(rules, { [rule.meta.id]: { options: c.options }, [RULE_ERROR]: true });
    const discovery = await discover({ root, base: 'HEAD', ignore: [], logger: silentLogger });
    const baseFiles = await gitBaseFiles(root, 'HEAD', policy.limits.maxFileBytes);
    const { findings } = await runEngine({ rules, policy, discovery, logger: silentLogger, today: '2026-01-01', baseFiles });
    return findings.filter((f) => f.ruleId === rule.meta.id || f.ruleId === RULE_ERROR);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function testBaseRule(rule: AnyRule, cases: { valid: BaseCase[]; invalid: Array<BaseCase & { errors: ExpectedFinding[] }> }): void {
  describe(`${rule.meta.id} (base versus head)`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        const findings = await runBaseRule(rule, c);
        expect(findings.map((f) => f.message)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const findings = await runBaseRule(rule, c);
        expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toHaveLength(c.errors.length);
        c.errors.forEach((want, i) => {
          const got = findings[i];
          expect(got.ruleId).toBe(rule.meta.id);
          if (typeof want.message === 'string') expect(got.message).toBe(want.message);
          else expect(got.message).toMatch(want.message);
          if (want.path !== undefined) expect(got.location.path).toBe(want.path);
          if (want.line !== undefined) expect(got.location.line).toBe(want.line);
          if (want.severity) expect(got.severity).toBe(want.severity);
        });
      });
    }
  });
}
