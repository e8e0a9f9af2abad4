/** The built-in policies under policies/ against the real registry. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/engine/logger.js';
import { BUILTIN_POLICY_TEXT } from '../../src/policy/builtin-text.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load.js';
import { allRules } from '../../src/rules/index.js';

const policiesDir = join(dirname(fileURLToPath(import.meta.url)), '../../policies');

describe('built-in policies', () => {
  it('are carried in the bundle exactly as the YAML files in policies/ say (scripts/generate.mjs)', () => {
    for (const name of ['recommended', 'strict'] as const) {
      expect(BUILTIN_POLICY_TEXT[name]).toBe(readFileSync(join(policiesDir, `${name}.yml`), 'utf8'));
    }
  });

  it.each(['recommended', 'strict'])('%s validates against the registry as it is (no rule id dropped)', (name) => {
    const text = readFileSync(join(policiesDir, `${name}.yml`), 'utf8');
    const layer = parsePolicy(text, `policies/${name}.yml`, allRules);
    expect(layer.exceptions).toEqual([]);
  });

  it('chain as documented: strict extends recommended, which is the root', () => {
    const read = (name: string) => parsePolicy(readFileSync(join(policiesDir, `${name}.yml`), 'utf8'), name, allRules);
    expect(read('recommended').extends).toBe('none');
    expect(read('strict').extends).toBe('recommended');
  });

  it.each([
    ['recommended', 'high', 'changed'],
    ['strict', 'medium', 'all'],
  ])('extends: %s resolves to fail-on %s, scope %s, with every real rule enabled', async (name, failOn, scope) => {
    const policy = await loadPolicy({
      cwd: '/nonexistent', explicit: true, policyFile: 'p.yml', policyText: `extends: ${name}\n`, rules: allRules, logger: silentLogger,
    });
    expect(policy).toMatchObject({ extends: name, failOn, scope });
    expect(Object.keys(policy.rules).sort()).toEqual(allRules.map((r) => r.meta.id).sort());
    expect(Object.values(policy.rules).every((r) => r.enabled)).toBe(true);
  });
});
