/** The example policies under policies/examples/ load against the real registry, with no warning. */
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../src/engine/logger.js';
import { loadPolicy } from '../../src/policy/load.js';
import { allRules } from '../../src/rules/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies', 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warning: (m) => { warnings.push(m); }, error: (m) => { warnings.push(m); } };
}

describe('policies/examples', () => {
  it('holds the LLM fine-tuning and tabular-ML examples', () => {
    expect(files).toEqual(expect.arrayContaining(['llm-fine-tuning.yml', 'tabular-ml.yml']));
  });

  it.each(files)('%s loads without errors or warnings and changes what it says it changes', async (file) => {
    const logger = recordingLogger();
    const policy = await loadPolicy({ policyFile: join(dir, file), explicit: true, cwd: dir, rules: allRules, logger });
    expect(logger.warnings).toEqual([]);
    expect(policy.extends).toBe('recommended');
    expect(policy.exceptions.length).toBeGreaterThan(0);
    for (const e of policy.exceptions) expect(e.reason.length).toBeGreaterThan(10);
    expect(Object.values(policy.rules).filter((r) => r.enabled).length).toBe(allRules.length);
  });

  it('llm-fine-tuning.yml accepts only safetensors and GGUF weights and restricts model publishers', async () => {
    const policy = await loadPolicy({ policyFile: join(dir, 'llm-fine-tuning.yml'), explicit: true, cwd: dir, rules: allRules, logger: recordingLogger() });
    expect(policy.rules['model/serialization-format']).toMatchObject({ severity: 'high', options: { allow: ['safetensors', 'gguf'] } });
    expect((policy.rules['pipeline/unpinned-model'].options as { publishers: string[] }).publishers).toContain('meta-llama');
  });

  it('tabular-ml.yml accepts joblib dumps but keeps unsafe-pickle strict on unknown globals', async () => {
    const policy = await loadPolicy({ policyFile: join(dir, 'tabular-ml.yml'), explicit: true, cwd: dir, rules: allRules, logger: recordingLogger() });
    expect((policy.rules['model/serialization-format'].options as { allow: string[] }).allow).toContain('joblib');
    expect(policy.rules['model/unsafe-pickle']).toMatchObject({ enabled: true, options: { unknown: 'high' } });
  });
});
