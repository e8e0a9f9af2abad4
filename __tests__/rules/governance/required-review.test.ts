import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover } from '../../../src/discovery/index.js';
import { silentLogger } from '../../../src/engine/logger.js';
import type { ChangeBase, ReviewLookup, ReviewerState } from '../../../src/engine/rule.js';
import { RULE_ERROR, runEngine } from '../../../src/engine/run.js';
import { allRules } from '../../../src/rules/index.js';
import rule from '../../../src/rules/governance/required-review.js';
import { makePolicy } from '../../helpers/policy.js';
import { testRule, writeTree } from '../../helpers/rule-tester.js';

const owners = [
  { paths: ['models/**'], teams: ['acme/ml-platform'], users: ['carol'] },
  { paths: ['.github/ai-gate.yml'], users: ['sec-lead'], approvals: 1 },
];

testRule(rule, {
  valid: [
    { name: 'no owners in the policy', files: { 'models/a.safetensors': 'x' } },
    { name: 'no protected path in scope', options: { owners }, files: { 'src/train.py': 'print(1)\n' } },
  ],
  invalid: [
    {
      name: 'offline (no reviews to read): a low finding naming who must approve',
      options: { owners },
      files: { 'models/a.bin': 'x', 'models/b.bin': 'y', 'README.md': '# x\n' },
      errors: [{ path: 'models/a.bin', severity: 'low', message: 'The change to models/a.bin and 1 more under models/** needs approval from one of @acme/ml-platform (team), @carol; reviews cannot be checked offline, so the gate checks this in the pull request.' }],
    },
  ],
});

const HEAD = 'b'.repeat(40);

function lookup(latest: ReviewerState[] | Error, teams: Record<string, string[] | 'forbidden'>): ReviewLookup {
  return {
    headSha: HEAD,
    latest: async () => { if (latest instanceof Error) throw latest; return latest; },
    isTeamMember: async (team, login) => {
      const members = teams[team];
      return members === 'forbidden' ? undefined : (members ?? []).includes(login);
    },
  };
}

async function run(paths: string[], reviews: ReviewLookup, options: Record<string, unknown> = { owners }, deleted: string[] = []) {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-review-'));
  try {
    writeTree(root, Object.fromEntries(paths.map((p) => [p, 'x'])));
    const policy = makePolicy(allRules, { [rule.meta.id]: { options }, [RULE_ERROR]: true });
    const change: ChangeBase = {
      ref: 'a'.repeat(40), policyPath: '.github/ai-gate.yml', changes: [...paths.map((path) => ({ path, change: 'modified' as const })), ...deleted.map((path) => ({ path, change: 'deleted' as const }))],
      readBase: async () => undefined, readHead: async () => undefined, reviews,
    };
    const discovery = await discover({ root, ignore: [], logger: silentLogger });
    const { findings } = await runEngine({ rules: allRules, policy, discovery, logger: silentLogger, today: '2026-01-01', change });
    return findings.filter((f) => f.ruleId === rule.meta.id || f.ruleId === RULE_ERROR).map((f) => `${f.severity} ${f.location.path}: ${f.message}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('governance/required-review with the pull request\'s reviews', () => {
  it('passes when a team member approved', async () => {
    expect(await run(['models/a.bin'], lookup([{ login: 'dave', state: 'APPROVED' }], { 'acme/ml-platform': ['dave'] }))).toEqual([]);
  });

  it('passes when a named user approved, whatever the case of the login', async () => {
    expect(await run(['models/a.bin'], lookup([{ login: 'Carol', state: 'APPROVED' }], {}))).toEqual([]);
  });

  it('fails and names who is needed when the approver is not an owner', async () => {
    expect(await run(['models/a.bin', 'src/x.py'], lookup([{ login: 'eve', state: 'APPROVED' }, { login: 'carol', state: 'CHANGES_REQUESTED' }], { 'acme/ml-platform': ['dave'] }))).toEqual([
      'high models/a.bin: The change to models/a.bin needs 1 approval from one of @acme/ml-platform (team), @carol and has 0; request a review from them.',
    ]);
  });

  it('protects the policy file on its own', async () => {
    expect(await run(['.github/ai-gate.yml'], lookup([{ login: 'carol', state: 'APPROVED' }], {}))).toEqual([
      'high .github/ai-gate.yml: The change to .github/ai-gate.yml needs 1 approval from @sec-lead and has 0; request a review from them.',
    ]);
  });

  it('counts several approvals when the policy asks for them', async () => {
    const two = { owners: [{ paths: ['data/**'], users: ['a', 'b', 'c'], approvals: 2 }] };
    expect(await run(['data/t.csv'], lookup([{ login: 'a', state: 'APPROVED' }], {}), two)).toEqual([
      'high data/t.csv: The change to data/t.csv needs 2 approvals from one of @a, @b, @c and has 1 (@a); request a review from them.',
    ]);
    expect(await run(['data/t.csv'], lookup([{ login: 'a', state: 'APPROVED' }, { login: 'c', state: 'APPROVED' }], {}), two)).toEqual([]);
  });

  it('says when team membership could not be read', async () => {
    expect(await run(['models/a.bin'], lookup([{ login: 'dave', state: 'APPROVED' }], { 'acme/ml-platform': 'forbidden' }))).toEqual([
      'high models/a.bin: The change to models/a.bin needs 1 approval from one of @acme/ml-platform (team), @carol and has 0; request a review from them. The team membership of @dave could not be read (the token needs permission to read organization members).',
    ]);
  });

  it('with require-current-head, ignores approvals of an older commit', async () => {
    const options = { owners, 'require-current-head': true };
    expect(await run(['models/a.bin'], lookup([{ login: 'carol', state: 'APPROVED', commitId: 'c'.repeat(40) }], {}), options)).toHaveLength(1);
    expect(await run(['models/a.bin'], lookup([{ login: 'carol', state: 'APPROVED', commitId: HEAD }], {}), options)).toEqual([]);
  });

  it('fails closed when the reviews cannot be read', async () => {
    const [finding] = await run(['models/a.bin'], lookup(new Error('HTTP 502: bad gateway'), {}));
    expect(finding).toBe('high models/a.bin: The change to models/a.bin needs approval from one of @acme/ml-platform (team), @carol, but the pull request\'s reviews could not be read (HTTP 502: bad gateway); re-run the gate.');
  });

  it('a deleted protected file needs approval too', async () => {
    const findings = await run(['src/x.py'], lookup([], {}), { owners: [{ paths: ['models/**'], users: ['carol'] }] }, ['models/old.bin']);
    expect(findings).toEqual(['high models/old.bin: The change to models/old.bin needs 1 approval from @carol and has 0; request a review from them.']);
  });
});
