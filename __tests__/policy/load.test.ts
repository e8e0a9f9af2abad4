/** Loading a valid policy: fallback, extends, per-rule merging, overrides, defaults, sha256, exceptions. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../src/engine/errors.js';
import { silentLogger, type Logger } from '../../src/engine/logger.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadPolicyOptions } from '../../src/policy/load.js';
import { buildPolicySchema } from '../../src/policy/schema.js';
import { fakeRules } from './fake-rules.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function emptyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-policy-'));
  dirs.push(dir);
  return dir;
}

function repoWith(text: string, file = DEFAULT_POLICY_FILE): string {
  const dir = emptyRepo();
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => { lines.push(`${level}: ${m}`); };
  return { lines, debug: log('debug'), info: log('info'), warning: log('warning'), error: log('error') };
}

const load = (text: string, extra: Partial<LoadPolicyOptions> = {}) =>
  loadPolicy({ cwd: repoWith(text), explicit: false, rules: fakeRules, logger: silentLogger, ...extra });

const enabled = (policy: Awaited<ReturnType<typeof loadPolicy>>) =>
  Object.entries(policy.rules).filter(([, s]) => s.enabled).map(([id, s]) => `${id}:${s.severity}`).sort();

const ALL_AT_DEFAULTS = [
  'data/pii:high', 'model/serialization-format:medium', 'model/unsafe-pickle:critical',
  'policy/expired-exception:medium', 'workflow/unpinned-action:medium',
];

describe('no policy file', () => {
  it('falls back to the built-in recommended policy, with a notice', async () => {
    const logger = recordingLogger();
    const policy = await loadPolicy({ cwd: emptyRepo(), explicit: false, rules: fakeRules, logger });
    expect(logger.lines).toContain('info: No policy file at .github/ai-gate.yml; using the built-in recommended policy.');
    expect(policy).toMatchObject({
      source: 'built-in recommended', extends: 'recommended', failOn: 'high', scope: 'changed',
      paths: { ignore: [] }, exceptions: [],
    });
    expect(policy.sha256).toBeUndefined();
    expect(enabled(policy)).toEqual(ALL_AT_DEFAULTS);
    expect(policy.rules['model/serialization-format'].options).toEqual({ allow: ['safetensors', 'onnx'] });
  });

  it('is an error when the file was named explicitly', async () => {
    const attempt = loadPolicy({ cwd: emptyRepo(), policyFile: 'ci/gate.yml', explicit: true, rules: fakeRules, logger: silentLogger });
    await expect(attempt).rejects.toThrow(ConfigurationError);
    await expect(attempt).rejects.toMatchObject({ message: 'policy file ci/gate.yml not found', problems: [] });
  });

  it('falls back when the caller found no policy on the base branch (policyText null), ignoring the working tree', async () => {
    const cwd = repoWith('fail-on: low\n');
    const policy = await loadPolicy({ cwd, explicit: false, policyText: null, rules: fakeRules, logger: silentLogger });
    expect(policy).toMatchObject({ source: 'built-in recommended', failOn: 'high' });
  });
});

describe('defaults', () => {
  it('come from the policy schema', async () => {
    const schema = buildPolicySchema(fakeRules) as any;
    const policy = await load('# nothing but a comment\n');
    expect(policy.extends).toBe(schema.properties.extends.default);
    expect(policy.failOn).toBe(schema.properties['fail-on'].default);
    expect(policy.scope).toBe(schema.properties.scope.default);
    expect(policy.limits).toEqual({
      maxFileBytes: schema.properties.limits.properties['max-file-bytes'].default,
      maxTextBytes: schema.properties.limits.properties['max-text-bytes'].default,
    });
    expect(policy).toMatchObject({
      extends: 'recommended', failOn: 'high', scope: 'changed',
      limits: { maxFileBytes: 4 * 1024 ** 3, maxTextBytes: 64 * 1024 ** 2 },
    });
  });

  it('apply to sections left empty', async () => {
    const policy = await load('paths:\n  ignore:\nrules:\nexceptions:\nlimits:\n');
    expect(policy).toMatchObject({ paths: { ignore: [] }, exceptions: [], limits: { maxTextBytes: 64 * 1024 ** 2 } });
    expect(enabled(policy)).toEqual(ALL_AT_DEFAULTS);
  });

  it('give way to the file', async () => {
    const policy = await load('scope: all\nfail-on: critical\nlimits: { max-file-bytes: 1024 }\npaths: { ignore: ["tests/fixtures/**"] }\n');
    expect(policy).toMatchObject({
      failOn: 'critical', scope: 'all', paths: { ignore: ['tests/fixtures/**'] },
      limits: { maxFileBytes: 1024, maxTextBytes: 64 * 1024 ** 2 },
    });
  });
});

describe('extends', () => {
  it('recommended: every rule on at its default severity, fail-on high, scope changed', async () => {
    const policy = await load('extends: recommended\n');
    expect(policy).toMatchObject({ extends: 'recommended', failOn: 'high', scope: 'changed' });
    expect(enabled(policy)).toEqual(ALL_AT_DEFAULTS);
  });

  it('strict: the same rules, blocking on medium, over the whole tree', async () => {
    const policy = await load('extends: strict\n');
    expect(policy).toMatchObject({ extends: 'strict', failOn: 'medium', scope: 'all' });
    expect(enabled(policy)).toEqual(ALL_AT_DEFAULTS);
  });

  it('strict, with the file overriding what strict sets', async () => {
    expect(await load('extends: strict\nfail-on: low\nscope: changed\n')).toMatchObject({ failOn: 'low', scope: 'changed' });
  });

  it('none: only the rules the file names run (and the policy/ rules, which watch the gate itself)', async () => {
    const policy = await load('extends: none\nrules:\n  data/pii: { entities: [iban] }\n  model/unsafe-pickle: high\n');
    expect(policy).toMatchObject({ extends: 'none', failOn: 'high', scope: 'changed' });
    expect(enabled(policy)).toEqual(['data/pii:high', 'model/unsafe-pickle:high', 'policy/expired-exception:medium']);
    expect(policy.rules['data/pii'].options).toEqual({ entities: ['iban'], 'min-count': 1 });
    expect(policy.rules['workflow/unpinned-action']).toEqual({ enabled: false, severity: 'medium', options: {} });
  });

  it('none: a policy/ rule can still be turned off', async () => {
    const policy = await load('extends: none\nrules:\n  policy/expired-exception: off\n');
    expect(enabled(policy)).toEqual([]);
  });
});

describe('rule settings', () => {
  it('off, a severity, or options merged over the rule defaults', async () => {
    const policy = await load([
      'rules:',
      '  workflow/unpinned-action: off',
      '  model/unsafe-pickle: high',
      '  model/serialization-format: { allow: [joblib] }',
      '  data/pii: { severity: critical, min-count: 5 }',
      '',
    ].join('\n'));
    expect(policy.rules).toEqual({
      'workflow/unpinned-action': { enabled: false, severity: 'medium', options: {} },
      'model/unsafe-pickle': { enabled: true, severity: 'high', options: {} },
      'model/serialization-format': { enabled: true, severity: 'medium', options: { allow: ['joblib'] } },
      'data/pii': { enabled: true, severity: 'critical', options: { entities: ['email', 'phone'], 'min-count': 5 } },
      'policy/expired-exception': { enabled: true, severity: 'medium', options: {} },
    });
  });

  it('options do not leak between loads (aliases and defaults are copied)', async () => {
    const first = await load([
      'paths: { ignore: &fixtures ["tests/fixtures/**"] }',
      'rules:',
      '  model/serialization-format: { allow: [joblib] }',
      'exceptions:',
      '  - { rule: data/pii, paths: *fixtures, reason: Fixtures, expires: 2027-01-01 }',
      '',
    ].join('\n'));
    expect(first.exceptions[0].paths).toEqual(['tests/fixtures/**']);
    first.exceptions[0].paths.push('more/**');
    expect(first.paths.ignore).toEqual(['tests/fixtures/**']);
    (first.rules['model/serialization-format'].options.allow as string[]).push('pickle');
    (first.rules['data/pii'].options.entities as string[]).push('iban');
    const second = await load('');
    expect(second.rules['model/serialization-format'].options).toEqual({ allow: ['safetensors', 'onnx'] });
    expect(second.rules['data/pii'].options.entities).toEqual(['email', 'phone']);
  });
});

describe('overrides', () => {
  it('--fail-on beats the file and the built-in', async () => {
    expect(await load('fail-on: low\n', { overrides: { failOn: 'critical' } })).toMatchObject({ failOn: 'critical' });
    expect(await load('extends: strict\n', { overrides: { failOn: 'high' } })).toMatchObject({ failOn: 'high' });
  });

  it('for a pull request, overrides may only tighten the policy: a looser one is refused with a warning', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warning: (m: string) => { warnings.push(m); } };
    expect(await load('fail-on: high\nscope: all\n', { overrides: { failOn: 'critical', scope: 'changed' }, overridesOnlyTighten: true, logger }))
      .toMatchObject({ failOn: 'high', scope: 'all' });
    expect(warnings).toEqual([
      'Input fail-on "critical" would loosen the policy\'s fail-on "high"; a pull request\'s inputs may only tighten the policy, so "high" applies.',
      'Input scope "changed" would loosen the policy\'s scope "all"; a pull request\'s inputs may only tighten the policy, so "all" applies.',
    ]);
    expect(await load('fail-on: high\n', { overrides: { failOn: 'low', scope: 'all' }, overridesOnlyTighten: true })).toMatchObject({ failOn: 'low', scope: 'all' });
  });

  it('warns when the policy turns on no checking rule (e.g. a built-in root layer passed as the policy)', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warning: (m: string) => { warnings.push(m); } };
    await load('extends: none\nrules: {}\n', { logger });
    expect(warnings).toEqual(['The policy .github/ai-gate.yml enables no checking rule (extends: none, no rules turned on), so the gate checks nothing; write `extends: recommended` in it to build on the built-in policy.']);
    warnings.length = 0;
    await load('extends: none\nrules:\n  data/pii: high\n', { logger });
    expect(warnings).toEqual([]);
  });

  it('scope can be overridden too, and an absent override changes nothing', async () => {
    expect(await load('scope: all\n', { overrides: { scope: 'changed' } })).toMatchObject({ scope: 'changed' });
    expect(await load('fail-on: low\n', { overrides: {} })).toMatchObject({ failOn: 'low' });
  });
});

describe('the file itself', () => {
  it('is named as given and hashed (sha256 of its bytes)', async () => {
    const text = '# ünïcode comment\nfail-on: medium\n';
    const cwd = repoWith(text, 'config/gate.yml');
    const policy = await loadPolicy({ cwd, policyFile: 'config/gate.yml', explicit: true, rules: fakeRules, logger: silentLogger });
    const expected = createHash('sha256').update(readFileSync(join(cwd, 'config/gate.yml'))).digest('hex');
    expect(policy).toMatchObject({ source: 'config/gate.yml', sha256: expected, failOn: 'medium' });
  });

  it('comes from policyText when given (the base branch), without reading the working tree', async () => {
    const cwd = repoWith('fail-on: low\n');
    const text = 'fail-on: critical\n';
    const policy = await loadPolicy({ cwd, explicit: false, policyText: text, rules: fakeRules, logger: silentLogger });
    expect(policy).toMatchObject({
      source: '.github/ai-gate.yml', failOn: 'critical', sha256: createHash('sha256').update(text).digest('hex'),
    });
  });

  it('names problems in policyText by the display name', async () => {
    const attempt = loadPolicy({
      cwd: emptyRepo(), policyFile: '.github/ai-gate.yml@base', explicit: true, policyText: 'fail-on: hgih\n',
      rules: fakeRules, logger: silentLogger,
    });
    await expect(attempt).rejects.toMatchObject({ problems: [expect.stringMatching(/^\.github\/ai-gate\.yml@base:1:10 {2}fail-on/)] });
  });
});

describe('exceptions', () => {
  it('keep their index and their line in the file', async () => {
    const policy = await load([
      'fail-on: high',
      'exceptions:',
      '  - rule: data/pii',
      '    paths: ["data/synthetic/**"]',
      '    reason: "Synthetic data generated for tests; reviewed in #123"',
      '    expires: 2027-03-31',
      '',
      '  - rule: model/serialization-format',
      '    paths: ["tests/fixtures/*.pkl", "tests/legacy/**"]',
      '    reason: >',
      '      Fixtures for the loader tests.',
      "    expires: '2026-12-01'",
      '',
    ].join('\n'));
    expect(policy.exceptions).toEqual([
      { rule: 'data/pii', paths: ['data/synthetic/**'], reason: 'Synthetic data generated for tests; reviewed in #123', expires: '2027-03-31', index: 0, line: 3 },
      { rule: 'model/serialization-format', paths: ['tests/fixtures/*.pkl', 'tests/legacy/**'], reason: 'Fixtures for the loader tests.', expires: '2026-12-01', index: 1, line: 8 },
    ]);
  });

  it('warn when a reason lost its end to a YAML comment (`reviewed in #123`)', async () => {
    const logger = recordingLogger();
    const policy = await load([
      'exceptions:',
      '  - rule: data/pii',
      '    paths: [a]',
      '    reason: Synthetic data; reviewed in #123',
      '    expires: 2027-03-31',
      '  - { rule: data/pii, paths: [b], reason: "Quoted; see #124", expires: 2027-03-31 }  # a real comment',
      '',
    ].join('\n'), { logger });
    expect(policy.exceptions.map((e) => e.reason)).toEqual(['Synthetic data; reviewed in', 'Quoted; see #124']);
    expect(logger.lines.filter((l) => l.startsWith('warning'))).toEqual([
      'warning: .github/ai-gate.yml:4:13  exceptions[0].reason: the text after "#" is a YAML comment, not part of the reason; put the reason in quotes to keep it',
    ]);
  });

  it('accept a leap day', async () => {
    const policy = await load('exceptions:\n  - { rule: data/pii, paths: [a], reason: r, expires: 2028-02-29 }\n');
    expect(policy.exceptions[0].expires).toBe('2028-02-29');
  });
});
