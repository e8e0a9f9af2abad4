import { describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/engine/finding.js';
import { SEVERITIES } from '../../src/engine/severity.js';
import { SEVERITY_TABLE } from '../../src/report/severity.js';
import {
  FINGERPRINT_KEY,
  GITHUB_LIMITS,
  SARIF_SCHEMA_URI,
  SRCROOT,
  pascalCase,
  pathToUri,
  plainText,
  toSarif,
  type SarifLog,
} from '../../src/report/sarif.js';
import { makeFinding, makeReport, makeRule } from '../helpers/report-factory.js';

// The official schema (see __tests__/fixtures/README.md). It declares draft 2020-12 and keeps its definitions
// under `definitions`, which Ajv2020 resolves as plain JSON pointers. strictRequired is off because the schema
// lists in `anyOf: [{required: [...]}]` properties that are defined one level up, which is valid JSON Schema.
const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats.default(ajv);
const validateSchema = ajv.compile(schema);

function expectValid(log: SarifLog): void {
  // Round-trip through JSON: what is validated is what gets written.
  const ok = validateSchema(JSON.parse(JSON.stringify(log)));
  if (!ok) throw new Error(`SARIF log is not valid against the 2.1.0 schema:\n${JSON.stringify(validateSchema.errors, null, 2)}`);
}

const run = (log: SarifLog) => log.runs[0];

/** File names a PR can add, each with the URI it must become. */
const NASTY_NAMES: Array<[string, string]> = [
  ['data/my file.csv', 'data/my%20file.csv'],
  ['data/issue#12.csv', 'data/issue%2312.csv'],
  ['data/100%.csv', 'data/100%25.csv'],
  ['data/what?.csv', 'data/what%3F.csv'],
  ['data/line\nbreak.csv', 'data/line%0Abreak.csv'],
  ['c::d/x.py', 'c%3A%3Ad/x.py'],
  ['a:b.py', 'a%3Ab.py'],
  ['web/<img src=x onerror=alert(1)>.html', 'web/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.html'],
  ['données/modèle ✓.pkl', 'donn%C3%A9es/mod%C3%A8le%20%E2%9C%93.pkl'],
  ['emoji/🤖.bin', 'emoji/%F0%9F%A4%96.bin'],
  ['back\\slash.txt', 'back%5Cslash.txt'],
  ['bidi/evil\u202etxt.exe', 'bidi/evil%E2%80%AEtxt.exe'],
];

function kitchenSink(): Finding[] {
  return [
    makeFinding({ ruleId: 'model/unsafe-pickle', severity: 'critical', location: { path: 'models/m.pkl', member: 'archive/data.pkl', byteOffset: 1234 } }),
    makeFinding({ ruleId: 'workflow/script-injection', location: { path: '.github/workflows/ci.yml', line: 12, column: 14, endLine: 12, endColumn: 40, keyPath: 'jobs.build.steps[2].run' } }),
    makeFinding({ ruleId: 'data/pii', severity: 'high', location: { path: 'data/users.csv', line: 3 } }),
    makeFinding({ ruleId: 'container/no-user', severity: 'medium', location: { path: 'Dockerfile', line: 1 } }),
    makeFinding({ ruleId: 'deps/unpinned', severity: 'low', location: { path: 'requirements-dev.txt', line: 4 } }),
    makeFinding({ ruleId: 'secret/generic', severity: 'critical', location: { path: 'notes.md', line: 7 }, suppression: { kind: 'inline', reason: 'Test key, revoked.' } }),
    makeFinding({ ruleId: 'data/pii', location: { path: 'data/synthetic/a.csv', line: 2 }, suppression: { kind: 'exception', reason: 'Synthetic data; reviewed in #123', expires: '2027-03-31', exceptionIndex: 0 } }),
    ...NASTY_NAMES.map(([path], i) => makeFinding({ ruleId: 'data/pii', message: `Email address in ${path}.`, location: { path, line: i + 1 } })),
  ];
}

describe('toSarif: log structure', () => {
  const findings = kitchenSink();
  const report = makeReport(findings, [...makeReport(findings).rules, makeRule('k8s/privileged', { enabled: false, defaultSeverity: 'critical' })]);
  const log = toSarif(report);

  test('is valid against the official SARIF 2.1.0 schema', () => {
    expectValid(log);
  });

  test('the schema check is not vacuous: a raw space in a URI or an unknown property fails it', () => {
    const bad = JSON.parse(JSON.stringify(log));
    bad.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'my file.csv';
    bad.runs[0].results[1].bogus = true;
    expect(validateSchema(bad)).toBe(false);
    expect(validateSchema.errors!.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'format']);
  });

  test('one run, the schemastore $schema, version 2.1.0, our driver', () => {
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = run(log).tool.driver;
    expect(driver).toMatchObject({ name: 'ai-pipeline-gate', version: report.tool.version, semanticVersion: report.tool.version });
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(run(log).invocations[0]!.executionSuccessful).toBe(true);
    expect(run(log).originalUriBaseIds[SRCROOT]).toBeDefined();
  });

  test('every rule of the report is in tool.driver.rules, with help, helpUri and the table\'s levels', () => {
    const rules = run(log).tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(report.rules.map((r) => r.id));
    for (const [i, rule] of rules.entries()) {
      const summary = report.rules[i]!;
      expect(rule.name).toBe(pascalCase(summary.id));
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(rule.shortDescription!.text).toBe(summary.description);
      expect(rule.fullDescription!.text.length).toBeGreaterThan(0);
      expect(rule.help!.text).toContain(summary.helpUri);
      expect(rule.help!.text).not.toMatch(/\*\*|`/);
      expect(rule.help!.markdown).toContain(summary.help);
      expect(rule.helpUri).toBe(summary.helpUri);
      expect(rule.defaultConfiguration).toEqual({ enabled: summary.enabled, level: SEVERITY_TABLE[summary.defaultSeverity].sarif });
      expect(rule.properties).toMatchObject({
        tags: ['security', summary.id.split('/')[0]],
        'security-severity': SEVERITY_TABLE[summary.defaultSeverity].securitySeverity,
        precision: 'high',
      });
    }
  });

  test('every result: ruleId in rules at ruleIndex, level from the table, severity, blocking, fingerprints', () => {
    const { results, tool } = run(log);
    expect(results).toHaveLength(findings.length);
    for (const [i, result] of results.entries()) {
      const f = findings[i]!;
      expect(tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.ruleId).toBe(f.ruleId);
      expect(result.level).toBe(SEVERITY_TABLE[f.severity].sarif);
      expect(result.properties).toMatchObject({ severity: f.severity, blocking: f.blocking });
      expect(result.partialFingerprints[FINGERPRINT_KEY]).toBe(f.fingerprint);
      expect(result.partialFingerprints.primaryLocationLineHash).toBe(f.fingerprint);
      expect(result.locations).toHaveLength(1);
      const physical = result.locations[0]!.physicalLocation;
      expect(physical.artifactLocation.uriBaseId).toBe(SRCROOT);
      expect(physical.artifactLocation.uri).not.toMatch(/^\/|^[A-Za-z][A-Za-z0-9+.-]*:|\\/);
      expect(physical.region!.startLine).toBeGreaterThanOrEqual(1);
    }
  });

  test('levels follow SEVERITY_TABLE for every severity', () => {
    const one = SEVERITIES.map((severity) => makeFinding({ severity, ruleId: `data/r-${severity}` }));
    const results = run(toSarif(makeReport(one))).results;
    expect(results.map((r) => r.level)).toEqual(SEVERITIES.map((s) => SEVERITY_TABLE[s].sarif));
  });
});

describe('toSarif: locations', () => {
  test('a line becomes a region with the columns given', () => {
    const f = makeFinding({ location: { path: 'a.yml', line: 12, column: 14, endLine: 13, endColumn: 2 } });
    const log = toSarif(makeReport([f]));
    expectValid(log);
    expect(run(log).results[0]!.locations[0]!.physicalLocation.region).toEqual({ startLine: 12, startColumn: 14, endLine: 13, endColumn: 2 });
    expect(run(log).results[0]!.properties).not.toHaveProperty('wholeFile');
  });

  test('a whole-file (binary) finding points at line 1 and says so', () => {
    const f = makeFinding({ location: { path: 'models/m.safetensors' } });
    const result = run(toSarif(makeReport([f]))).results[0]!;
    expect(result.locations[0]!.physicalLocation.region).toEqual({ startLine: 1 });
    expect(result.properties).toMatchObject({ wholeFile: true });
  });

  test('inconsistent or impossible positions are dropped, never emitted (SARIF1007)', () => {
    const f = makeFinding({ location: { path: 'a.py', line: 5, column: 10, endLine: 4, endColumn: 3 } });
    const g = makeFinding({ location: { path: 'a.py', line: 5, column: 10, endLine: 5, endColumn: 3 } });
    const h = makeFinding({ location: { path: 'a.py', line: 0, column: -1 } });
    const log = toSarif(makeReport([f, g, h]));
    expectValid(log);
    const regions = run(log).results.map((r) => r.locations[0]!.physicalLocation.region);
    expect(regions).toEqual([{ startLine: 5, startColumn: 10 }, { startLine: 5, startColumn: 10, endLine: 5 }, { startLine: 1 }]);
  });

  test('archive member, byte offset and key path reach the message, properties and logicalLocations', () => {
    const f = makeFinding({ message: 'Pickle imports os.system.', location: { path: 'm.pt', member: 'archive/data.pkl', byteOffset: 77 } });
    const g = makeFinding({ message: 'Untrusted input reaches a run step.', location: { path: 'ci.yml', line: 3, keyPath: 'jobs.a.steps[0].run' } });
    const h = makeFinding({ message: 'archive/data.pkl calls eval at byte 12.', location: { path: 'm.pt', member: 'archive/data.pkl', byteOffset: 12 } });
    const log = toSarif(makeReport([f, g, h]));
    expectValid(log);
    const [rf, rg, rh] = run(log).results;
    expect(rf!.message.text).toBe('Pickle imports os.system (archive member archive/data.pkl, byte offset 77).');
    expect(rf!.properties).toMatchObject({ member: 'archive/data.pkl', byteOffset: 77, wholeFile: true });
    expect(rg!.message.text).toBe('Untrusted input reaches a run step (key jobs.a.steps[0].run).');
    expect(rg!.locations[0]!.logicalLocations).toEqual([{ fullyQualifiedName: 'jobs.a.steps[0].run', kind: 'property' }]);
    expect(rh!.message.text).toBe('archive/data.pkl calls eval at byte 12.');
  });

  test.each(NASTY_NAMES)('file name %j becomes the valid relative URI %j', (path, uri) => {
    const log = toSarif(makeReport([makeFinding({ location: { path, line: 1 } })]));
    expectValid(log);
    const got = run(log).results[0]!.locations[0]!.physicalLocation.artifactLocation.uri!;
    expect(got).toBe(uri);
    expect(got.split('/').map(decodeURIComponent).join('/')).toBe(path);
    expect(new URL(got, 'file:///root/').pathname.startsWith('/root/')).toBe(true);
  });

  test('URIs never start with a slash or contain empty or dot segments', () => {
    expect(pathToUri('/abs/./x//y.txt')).toBe('abs/x/y.txt');
    expect(pathToUri('./a b')).toBe('a%20b');
  });

  test('a lone surrogate in a name does not throw and still gives a valid URI', () => {
    const log = toSarif(makeReport([makeFinding({ location: { path: 'bad\ud800name.txt', line: 1 } })]));
    expectValid(log);
    expect(run(log).results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('bad%EF%BF%BDname.txt');
  });

  test('pathPrefix re-roots URIs at the repository root', () => {
    const log = toSarif(makeReport([makeFinding({ location: { path: 'a b.pkl' } })]), { pathPrefix: 'sub dir/' });
    expect(run(log).results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('sub%20dir/a%20b.pkl');
  });
});

describe('toSarif: suppressions', () => {
  test('inline and exception suppressions are kept as accepted suppressions, not dropped', () => {
    const inline = makeFinding({ suppression: { kind: 'inline', reason: 'False positive: test fixture.' } });
    const excepted = makeFinding({ suppression: { kind: 'exception', reason: 'Synthetic data; see #123', expires: '2027-03-31', exceptionIndex: 2 } });
    const open = makeFinding();
    const log = toSarif(makeReport([inline, excepted, open]));
    expectValid(log);
    const [a, b, c] = run(log).results;
    expect(a!.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'False positive: test fixture.' }]);
    expect(b!.suppressions).toEqual([{
      kind: 'external', status: 'accepted', justification: 'Synthetic data; see #123',
      properties: { expires: '2027-03-31', exceptionIndex: 2 },
    }]);
    expect(c!.suppressions).toBeUndefined();
    expect(a!.properties).toMatchObject({ blocking: false });
  });
});

describe('toSarif: text from the PR stays plain', () => {
  test('embedded-link syntax, control and bidi characters are neutralised; HTML stays literal text', () => {
    expect(plainText('see [here](https://evil.example) now')).toBe('see [here] (https://evil.example) now');
    expect(plainText('a\u001b[31mred\r\u202eb')).toBe('a\\u001b[31mred\\u000d\\u202eb');
    expect(plainText('two\nlines\tok')).toBe('two\nlines\tok');
    expect(plainText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
    const f = makeFinding({ message: 'Token in [x](0) file.', suppression: { kind: 'inline', reason: 'ok [y](https://e.example)' } });
    const result = run(toSarif(makeReport([f]))).results[0]!;
    expect(result.message.text).toBe('Token in [x] (0) file.');
    expect(result.suppressions![0]!.justification).toBe('ok [y] (https://e.example)');
  });

  test('overlong messages and descriptions are cut to GitHub\'s limits', () => {
    const rule = makeRule('data/long', { description: 'd'.repeat(3000), help: 'h'.repeat(3000) });
    const f = makeFinding({ ruleId: 'data/long', message: 'm'.repeat(10_000) });
    const log = toSarif(makeReport([f], [rule]));
    expectValid(log);
    const descriptor = run(log).tool.driver.rules[0]!;
    expect(descriptor.shortDescription!.text.length).toBeLessThanOrEqual(GITHUB_LIMITS.descriptionChars);
    expect(descriptor.fullDescription!.text.length).toBeLessThanOrEqual(GITHUB_LIMITS.descriptionChars);
    expect(run(log).results[0]!.message.text.length).toBeLessThanOrEqual(GITHUB_LIMITS.messageChars);
    expect(run(log).results[0]!.message.text.endsWith('…')).toBe(true);
  });
});

describe('toSarif: rules and limits', () => {
  test('a finding whose rule the report does not list still gets a descriptor', () => {
    const f = makeFinding({ ruleId: 'engine/crash' as string, location: { path: 'x.pkl' } });
    const report = { ...makeReport([]), findings: [f] };
    const log = toSarif(report);
    expectValid(log);
    const { rules } = run(log).tool.driver;
    const result = run(log).results[0]!;
    expect(rules[result.ruleIndex]!.id).toBe('engine/crash');
    expect(rules[result.ruleIndex]!.help!.text.length).toBeGreaterThan(0);
  });

  test('duplicate rule summaries are listed once (rules must be unique)', () => {
    const log = toSarif(makeReport([], [makeRule('data/pii'), makeRule('data/pii')]));
    expectValid(log);
    expect(run(log).tool.driver.rules).toHaveLength(1);
  });

  test('an empty report is a valid log with every rule and no results', () => {
    const log = toSarif(makeReport([]));
    expectValid(log);
    expect(run(log).results).toEqual([]);
    expect(run(log).tool.driver.rules.length).toBeGreaterThan(0);
  });

  test('past maxResults, open findings are kept first and the cut is reported', () => {
    const suppressed = makeFinding({ severity: 'critical', suppression: { kind: 'inline', reason: 'r' } });
    const open = [makeFinding({ severity: 'high' }), makeFinding({ severity: 'low' })];
    const log = toSarif(makeReport([suppressed, ...open]), { maxResults: 2 });
    expectValid(log);
    expect(run(log).results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).toEqual(open.map((f) => f.fingerprint));
    expect(run(log).invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(/^1 of 3 findings/);
    expect(run(log).properties).toMatchObject({ resultsOmitted: 1 });
    expect(toSarif(makeReport(open), { maxResults: 10 ** 9 }).runs[0].results).toHaveLength(2);
  });

  test('a category becomes runAutomationDetails.id for sharded uploads', () => {
    const log = toSarif(makeReport([]), { category: 'ai-pipeline-gate/shard-2' });
    expectValid(log);
    expect(run(log).automationDetails).toEqual({ id: 'ai-pipeline-gate/shard-2/' });
    expect(toSarif(makeReport([])).runs[0].automationDetails).toBeUndefined();
  });

  test('%SRCROOT% is an absolute file URI ending in / when the root is known, else only described', () => {
    const absolute = toSarif({ ...makeReport([]), root: '/work/repo with space' });
    expectValid(absolute);
    expect(run(absolute).originalUriBaseIds[SRCROOT]).toEqual({ uri: 'file:///work/repo%20with%20space/' });
    const relative = toSarif(makeReport([]));
    expect(run(relative).originalUriBaseIds[SRCROOT]!.uri).toBeUndefined();
    expect(run(relative).originalUriBaseIds[SRCROOT]!.description!.text.length).toBeGreaterThan(0);
    const given = toSarif(makeReport([]), { srcRoot: 'file:///github/workspace' });
    expect(run(given).originalUriBaseIds[SRCROOT]).toEqual({ uri: 'file:///github/workspace/' });
  });

  test('help.text is the help without Markdown markup; dunder names survive', () => {
    const rule = makeRule('model/unsafe-pickle', { help: '## Why\n\nA **pickle** runs `__reduce__` on load; see [the docs](https://docs.python.org/3/library/pickle.html).' });
    const descriptor = run(toSarif(makeReport([], [rule]))).tool.driver.rules[0]!;
    expect(descriptor.fullDescription!.text).toBe('A pickle runs __reduce__ on load; see the docs (https://docs.python.org/3/library/pickle.html).');
    const text = descriptor.help!.text;
    expect(text).toBe(`Why\n\nA pickle runs __reduce__ on load; see the docs (https://docs.python.org/3/library/pickle.html).\n\nDocumentation: ${rule.helpUri}`);
  });

  test('pascalCase', () => {
    expect(pascalCase('model/unsafe-pickle')).toBe('ModelUnsafePickle');
    expect(pascalCase('k8s/host-path')).toBe('K8sHostPath');
  });
});

// GitHub's ingestion rules, as Microsoft's SARIF Multitool checks them (TOOLCHAIN.md). About a second per run.
const MULTITOOL = new URL('../../node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool', import.meta.url).pathname;

interface MultitoolResult { ruleId: string; level?: string; message: { text?: string; arguments?: string[] } }

/** Runs `Sarif.Multitool validate` (it exits 0 even when it finds errors) and returns its warnings and errors. */
function multitool(log: unknown): MultitoolResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-sarif-'));
  try {
    const input = join(dir, 'in.sarif');
    const output = join(dir, 'out.sarif');
    writeFileSync(input, JSON.stringify(log, null, 2));
    execFileSync(MULTITOOL, ['validate', input, '-o', output, '--rule-kind', 'Gh;Sarif', '--level', 'Error;Warning', '--log', 'ForceOverwrite'], {
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
      stdio: 'pipe',
      timeout: 60_000,
    });
    const checked = JSON.parse(readFileSync(output, 'utf8').replace(/^\uFEFF/, ''));
    return checked.runs[0].results ?? [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const show = (r: MultitoolResult) => `${r.level ?? 'warning'} ${r.ruleId}: ${JSON.stringify(r.message.arguments ?? r.message.text)}`;

describe('SARIF Multitool (GitHub + SARIF rules)', () => {
  test('is installed (a devDependency)', () => {
    expect(existsSync(MULTITOOL)).toBe(true);
  });

  test('reports no error and no warning on a kitchen-sink log', () => {
    const log = toSarif({ ...makeReport(kitchenSink()), root: '/github/workspace' }, { category: 'ai-pipeline-gate/shard-1' });
    const results = multitool(log);
    expect(results.filter((r) => r.level === 'error').map(show)).toEqual([]);
    // Warnings are advice, not rejections, but none are expected: a new one deserves a look.
    expect(results.map(show)).toEqual([]);
  });

  test('does flag a rule without help (GH2012), so the check above is not vacuous', () => {
    const log = toSarif(makeReport([makeFinding()]));
    delete run(log).tool.driver.rules[0]!.help;
    const errors = multitool(log).filter((r) => r.level === 'error');
    expect(errors.map((r) => r.ruleId)).toContain('GH2012');
  });
});
