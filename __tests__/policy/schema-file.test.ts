/**
 * policies/policy.schema.json is generated from the rule registry, for editors. This test keeps it current:
 * it fails when the file differs, and rewrites it when UPDATE_GENERATED=1.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPolicySchema } from '../../src/policy/schema.js';
import { allRules } from '../../src/rules/index.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies', 'policy.schema.json');

describe('policies/policy.schema.json', () => {
  it('is the schema generated from the registry', () => {
    const expected = `${JSON.stringify(buildPolicySchema(allRules), null, 2)}\n`;
    if (process.env.UPDATE_GENERATED === '1') {
      writeFileSync(FILE, expected);
      return;
    }
    const actual = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
    if (actual !== expected) {
      throw new Error('policies/policy.schema.json is out of date with the rule registry; run `UPDATE_GENERATED=1 npm test` and commit the result.');
    }
    expect(JSON.parse(actual).properties.rules.properties).toHaveProperty('model/serialization-format');
  });
});
