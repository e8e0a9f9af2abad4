/** Each class of mistake in a policy file: the exact file:line:col and message a user sees. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../src/engine/errors.js';
import { silentLogger } from '../../src/engine/logger.js';
import { loadPolicy } from '../../src/policy/load.js';
import { fakeRules } from './fake-rules.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function repoWith(text: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-policy-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github', 'ai-gate.yml'), text);
  return dir;
}

/** The ConfigurationError's message and problem lines for this policy text. */
async function errorsFor(text: string | Buffer): Promise<{ message: string; problems: string[] }> {
  const cwd = repoWith(text);
  try {
    await loadPolicy({ cwd, explicit: false, rules: fakeRules, logger: silentLogger });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const { message, problems } = error as ConfigurationError;
    return { message, problems };
  }
  throw new Error('the policy loaded without an error');
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('a broken policy', () => {
  it('reports every problem at once, aligned, as in UX.md', async () => {
    const text = lines(
      'extends: recommended',
      '# Fail on high and critical.',
      'fail-on: hgih',
      'scope: changed',
      '',
      'rules:',
      '  model/unsafe-pickles: critical',
      '  model/serialization-format: { allow: [joblib] }',
      '',
      '',
      'exceptions:',
      '  - rule: data/pii',
      '    paths: ["data/synthetic/**"]',
      '    reason: Synthetic data generated for tests; reviewed in #123',
    );
    expect(await errorsFor(text)).toEqual({
      message: '3 errors in the policy; nothing was scanned.',
      problems: [
        '.github/ai-gate.yml:3:10  fail-on: "hgih" is not a severity; expected one of critical, high, medium, low',
        '.github/ai-gate.yml:7:3   rules: unknown rule "model/unsafe-pickles"; did you mean "model/unsafe-pickle"?',
        '.github/ai-gate.yml:12:5  exceptions[0]: missing "expires" (an exception needs a reason and an expiry date)',
      ],
    });
  });

  it('a bad severity, in one error', async () => {
    expect(await errorsFor('fail-on: hgih\n')).toEqual({
      message: '1 error in the policy; nothing was scanned.',
      problems: ['.github/ai-gate.yml:1:10  fail-on: "hgih" is not a severity; expected one of critical, high, medium, low'],
    });
  });

  it('a bad scope and a bad extends', async () => {
    expect((await errorsFor('extends: recomended\nscope: everything\n')).problems).toEqual([
      '.github/ai-gate.yml:1:10  extends: "recomended" is not a built-in policy; expected one of recommended, strict, none',
      '.github/ai-gate.yml:2:8   scope: "everything" is not a scope; expected one of changed, all',
    ]);
  });

  it('an unknown rule, with and without a close match', async () => {
    expect((await errorsFor(lines('rules:', '  unsafe-pickle: high', '  foo/bar: off'))).problems).toEqual([
      '.github/ai-gate.yml:2:3  rules: unknown rule "unsafe-pickle"; did you mean "model/unsafe-pickle"?',
      '.github/ai-gate.yml:3:3  rules: unknown rule "foo/bar"',
    ]);
  });

  it('an unknown top-level key, with a suggestion or the list of keys', async () => {
    expect((await errorsFor(lines('fail_on: high', 'colour: red'))).problems).toEqual([
      '.github/ai-gate.yml:1:1  unknown key "fail_on"; did you mean "fail-on"?',
      '.github/ai-gate.yml:2:1  unknown key "colour"; expected one of extends, fail-on, scope, paths, rules, exceptions, limits, report',
    ]);
  });

  it('an unknown nested key', async () => {
    expect((await errorsFor(lines('paths:', '  ignored: ["a/**"]'))).problems).toEqual([
      '.github/ai-gate.yml:2:3  paths: unknown key "ignored"; did you mean "ignore"?',
    ]);
  });

  it('missing exception fields, each on its own line', async () => {
    expect((await errorsFor(lines('exceptions:', '  - rule: data/pii', '  - paths: [a]'))).problems).toEqual([
      '.github/ai-gate.yml:2:5  exceptions[0]: missing "paths" (the globs of the paths it covers)',
      '.github/ai-gate.yml:2:5  exceptions[0]: missing "reason" (an exception needs a reason and an expiry date)',
      '.github/ai-gate.yml:2:5  exceptions[0]: missing "expires" (an exception needs a reason and an expiry date)',
      '.github/ai-gate.yml:3:5  exceptions[1]: missing "rule" (the id of the rule whose findings it excepts)',
      '.github/ai-gate.yml:3:5  exceptions[1]: missing "reason" (an exception needs a reason and an expiry date)',
      '.github/ai-gate.yml:3:5  exceptions[1]: missing "expires" (an exception needs a reason and an expiry date)',
    ]);
  });

  const exception = (fields: Record<string, string>) => lines(
    'exceptions:',
    ...Object.entries({ rule: 'data/pii', paths: '["data/**"]', reason: 'Reviewed in #1', expires: '2027-03-31', ...fields })
      .map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${v}`),
  );

  it('a date that is not a real calendar date, or not a date', async () => {
    expect((await errorsFor(exception({ expires: '2027-02-30' }))).problems).toEqual([
      '.github/ai-gate.yml:5:14  exceptions[0].expires: "2027-02-30" is not a real calendar date; expected YYYY-MM-DD',
    ]);
    expect((await errorsFor(exception({ expires: 'next year' }))).problems).toEqual([
      '.github/ai-gate.yml:5:14  exceptions[0].expires: "next year" is not a date; expected YYYY-MM-DD',
    ]);
    expect((await errorsFor(exception({ expires: '20270331' }))).problems).toEqual([
      '.github/ai-gate.yml:5:14  exceptions[0].expires: expected a string, got 20270331',
    ]);
  });

  it('an exception for an unknown rule, with a suggestion', async () => {
    expect((await errorsFor(exception({ rule: 'data/pi' }))).problems).toEqual([
      '.github/ai-gate.yml:2:11  exceptions[0].rule: unknown rule "data/pi"; did you mean "data/pii"?',
    ]);
  });

  it('empty paths, a blank reason and an unknown field in an exception', async () => {
    expect((await errorsFor(exception({ paths: '[]', reason: '"  "', reasons: 'x' }))).problems).toEqual([
      '.github/ai-gate.yml:3:12  exceptions[0].paths: must not be empty',
      '.github/ai-gate.yml:4:13  exceptions[0].reason: must not be blank',
      '.github/ai-gate.yml:6:5   exceptions[0]: unknown key "reasons"; did you mean "reason"?',
    ]);
  });

  it('an empty reason is one complaint, not two', async () => {
    expect((await errorsFor(exception({ reason: '""' }))).problems).toEqual([
      '.github/ai-gate.yml:4:13  exceptions[0].reason: must not be empty',
    ]);
  });

  it("a bad option for a rule, judged by that rule's own schema", async () => {
    const text = lines(
      'rules:',
      '  model/serialization-format:',
      '    allow: [pickle, pickel]',
      '    alow: [joblib]',
      '  data/pii: { severity: hgih, min-count: many, entities: [] }',
    );
    expect((await errorsFor(text)).problems).toEqual([
      '.github/ai-gate.yml:3:21  rules.model/serialization-format.allow[1]: "pickel" is not an accepted value; expected one of pickle, pytorch-zip, joblib, safetensors, onnx',
      '.github/ai-gate.yml:4:5   rules.model/serialization-format: unknown option "alow"; did you mean "allow"?',
      '.github/ai-gate.yml:5:25  rules.data/pii.severity: "hgih" is not a severity; expected one of critical, high, medium, low',
      '.github/ai-gate.yml:5:42  rules.data/pii.min-count: expected a whole number, got "many"',
      '.github/ai-gate.yml:5:58  rules.data/pii.entities: must not be empty',
    ]);
  });

  it('an option given to a rule that takes none', async () => {
    expect((await errorsFor(lines('rules:', '  model/unsafe-pickle: { severity: high, allow: [x] }'))).problems).toEqual([
      '.github/ai-gate.yml:2:42  rules.model/unsafe-pickle: unknown option "allow"; expected severity',
    ]);
  });

  it('a rule setting that is neither off, a severity nor options', async () => {
    expect((await errorsFor(lines('rules:', '  workflow/unpinned-action: on', '  data/pii: 3'))).problems).toEqual([
      '.github/ai-gate.yml:2:29  rules.workflow/unpinned-action: "on" is not a rule setting; expected off, a severity (critical, high, medium, low) or a mapping of options',
      '.github/ai-gate.yml:3:13  rules.data/pii: 3 is not a rule setting; expected off, a severity (critical, high, medium, low) or a mapping of options',
    ]);
  });

  it('an option repeated in a list', async () => {
    expect((await errorsFor(lines('rules:', '  model/serialization-format: { allow: [joblib, onnx, joblib] }'))).problems).toEqual([
      '.github/ai-gate.yml:2:55  rules.model/serialization-format.allow[2]: "joblib" is listed twice',
    ]);
  });

  it('wrong types and out-of-range limits', async () => {
    expect((await errorsFor(lines('paths: { ignore: "tests/**" }', 'limits:', '  max-file-bytes: 0', '  max-text-bytes: 1.5'))).problems).toEqual([
      '.github/ai-gate.yml:1:18  paths.ignore: expected a list, got "tests/**"',
      '.github/ai-gate.yml:3:19  limits.max-file-bytes: 0 is too small; expected at least 1',
      '.github/ai-gate.yml:4:19  limits.max-text-bytes: expected a whole number, got 1.5',
    ]);
  });

  it('a policy that is not a mapping', async () => {
    expect((await errorsFor('- fail-on: high\n')).problems).toEqual([
      '.github/ai-gate.yml:1:1  the policy: expected a mapping, got a list',
    ]);
  });

  it('a YAML syntax error', async () => {
    expect(await errorsFor(lines('rules:', '  data/pii: [email', 'fail-on: high'))).toEqual({
      message: '1 error in the policy; nothing was scanned.',
      problems: ['.github/ai-gate.yml:3:1  invalid YAML: deficient indentation'],
    });
  });

  it('a duplicated key', async () => {
    expect((await errorsFor(lines('fail-on: high', 'scope: all', 'fail-on: low'))).problems).toEqual([
      '.github/ai-gate.yml:3:1  invalid YAML: duplicated mapping key',
    ]);
  });

  it('a YAML alias bomb (billion laughs): refused quickly, not a hang', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    levels.push('fail-on: *i');
    const started = Date.now();
    const { problems } = await errorsFor(lines(...levels));
    expect(Date.now() - started).toBeLessThan(2000);
    // Line 5, the 8th alias to `d`: where the running total of expanded nodes passes the limit.
    expect(problems).toEqual(['.github/ai-gate.yml:5:29  invalid YAML: aliases expand this document by more than 100000 nodes']);
  });

  it('a __proto__ key is just an unknown key (no prototype pollution)', async () => {
    expect((await errorsFor(lines('rules:', '  __proto__: { polluted: true }', '__proto__: high'))).problems).toEqual([
      '.github/ai-gate.yml:2:3  rules: unknown rule "__proto__"',
      '.github/ai-gate.yml:3:1  unknown key "__proto__"; expected one of extends, fail-on, scope, paths, rules, exceptions, limits, report',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('long values are cut short, and hundreds of errors are capped', async () => {
    const long = 'x'.repeat(5000);
    expect((await errorsFor(`fail-on: ${long}\n`)).problems).toEqual([
      `.github/ai-gate.yml:1:10  fail-on: "${'x'.repeat(76)}…" is not a severity; expected one of critical, high, medium, low`,
    ]);
    const many = lines('rules:', ...Array.from({ length: 150 }, (_, i) => `  foo/rule-${i}: off`));
    const { message, problems } = await errorsFor(many);
    expect(message).toBe('150 errors in the policy; nothing was scanned.');
    expect(problems).toHaveLength(101);
    expect(problems[100]).toBe('.github/ai-gate.yml: …and 50 more');
  });

  it('a policy file over 1 MiB', async () => {
    const { problems } = await errorsFor(`# ${'x'.repeat(1024 * 1024)}\n`);
    expect(problems).toEqual(['.github/ai-gate.yml: the file is 1048579 bytes; a policy may be at most 1048576 bytes (1 MiB)']);
  });

  it('a policy file that is not UTF-8', async () => {
    const { problems } = await errorsFor(Buffer.from([0x66, 0x61, 0x69, 0x6c, 0xff, 0xfe, 0x0a]));
    expect(problems).toEqual(['.github/ai-gate.yml: the file is not valid UTF-8 text']);
  });

  it('a policy path that is a folder', async () => {
    const cwd = repoWith('');
    await expect(loadPolicy({ cwd, policyFile: '.github', explicit: true, rules: fakeRules, logger: silentLogger }))
      .rejects.toThrow('policy file .github is not a regular file');
  });
});
