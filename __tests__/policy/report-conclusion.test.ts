/** `report.conclusion-when-reported`: loaded with its default from the schema, merged through extends, validated. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../src/engine/errors.js';
import { silentLogger } from '../../src/engine/logger.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../src/policy/load.js';
import { buildPolicySchema } from '../../src/policy/schema.js';
import { fakeRules } from './fake-rules.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-report-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, DEFAULT_POLICY_FILE), text);
  return loadPolicy({ cwd: dir, explicit: false, rules: fakeRules, logger: silentLogger });
}

describe('report.conclusion-when-reported', () => {
  it('defaults to success, from the schema', async () => {
    const schema = buildPolicySchema(fakeRules) as any;
    expect(schema.properties.report.properties['conclusion-when-reported'].default).toBe('success');
    expect((await load('fail-on: high\n')).report).toEqual({ conclusionWhenReported: 'success' });
    expect((await load('report:\n')).report).toEqual({ conclusionWhenReported: 'success' });
  });
  it('takes neutral from the file, also alongside extends', async () => {
    expect((await load('report:\n  conclusion-when-reported: neutral\n')).report).toEqual({ conclusionWhenReported: 'neutral' });
    expect((await load('extends: strict\nreport: { conclusion-when-reported: neutral }\n')).report).toEqual({ conclusionWhenReported: 'neutral' });
  });
  it('rejects other values and unknown keys with the file and line', async () => {
    await expect(load('report:\n  conclusion-when-reported: failure\n')).rejects.toThrow(ConfigurationError);
    await expect(load('report:\n  conclusion-when-reported: failure\n')).rejects.toMatchObject({ problems: [expect.stringMatching(/:2\b.*conclusion-when-reported/)] });
    await expect(load('report:\n  conclusion: neutral\n')).rejects.toThrow(ConfigurationError);
  });
});
