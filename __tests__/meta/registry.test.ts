import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRulePage, renderRulesIndex } from '../../src/docs/render.js';
import { renderPolicyReference } from '../../src/docs/policy.js';
import type { AnyRule, RuleDocExample } from '../../src/engine/rule.js';
import { silentLogger } from '../../src/engine/logger.js';
import { buildPolicySchema } from '../../src/policy/schema.js';
import { allRules } from '../../src/rules/index.js';
import { scan } from '../../src/scan.js';

/** Keeps registry, rule files, tests and docs in step (the stylelint/markdownlint meta-test). */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const update = process.env.UPDATE_GENERATED === '1';

function generated(path: string, wanted: string): void {
  const abs = join(repo, path);
  if (update) {
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, wanted);
    return;
  }
  const current = existsSync(abs) ? readFileSync(abs, 'utf8') : '(missing)';
  if (current !== wanted) throw new Error(`${path} is out of date: run UPDATE_GENERATED=1 npm test`);
}

function filesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const area of readdirSync(join(repo, dir), { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    for (const f of readdirSync(join(repo, dir, area.name))) if (f.endsWith(suffix)) out.push(`${area.name}/${f.slice(0, -suffix.length)}`);
  }
  return out.sort();
}

describe('rule registry', () => {
  const ids = allRules.map((r) => r.meta.id).sort();

  it('holds exactly the rule files under src/rules/<area>/<name>.ts, ids unique', () => {
    expect(ids).toEqual(filesUnder('src/rules', '.ts'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a test file for every rule and no test for a rule that does not exist', () => {
    expect(filesUnder('__tests__/rules', '.test.ts')).toEqual(ids);
  });

  it.each(allRules.map((r) => [r.meta.id, r] as const))('%s: meta is complete', (_id, rule) => {
    expect(rule.meta.description).toMatch(/^[A-Z].*\.$/);
    expect(rule.meta.help).toContain('**Remediation**');
    expect(Boolean(rule.checkFile) || Boolean(rule.checkRun) || rule.meta.engineReported).toBe(true);
    if (rule.checkFile) expect(rule.meta.kinds.length).toBeGreaterThan(0);
  });

  it('docs/rules/ holds one current page per rule and a current index', () => {
    for (const rule of allRules) generated(`docs/rules/${rule.meta.id}.md`, renderRulePage(rule));
    generated('docs/rules/README.md', renderRulesIndex(allRules));
    expect(filesUnder('docs/rules', '.md')).toEqual(ids);
  });
});

describe('generated reference', () => {
  it('docs/policy.md is the policy reference rendered from the schema', () => {
    generated('docs/policy.md', renderPolicyReference(buildPolicySchema(allRules)));
  });
});

/** Runs one rule alone over one example written at its path; returns the rule's findings there. */
async function findingsOn(rule: AnyRule, example: RuleDocExample): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-doc-example-'));
  try {
    mkdirSync(dirname(join(dir, example.file!)), { recursive: true });
    writeFileSync(join(dir, example.file!), example.code);
    const report = await scan({ root: dir, cwd: dir, policyExplicit: false, policyFile: join(dir, 'no-policy.yml'), rules: [rule], logger: silentLogger, today: '2026-01-01' });
    return report.findings.filter((f) => f.ruleId === rule.meta.id).map((f) => f.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('docs examples', () => {
  const documented = allRules.filter((r) => r.meta.docs?.examples);
  const cases = documented.flatMap((rule) => [
    ...rule.meta.docs!.examples!.bad.filter((e) => e.file).map((e) => [rule.meta.id, 'reported', e.title, rule, e] as const),
    ...rule.meta.docs!.examples!.good.filter((e) => e.file).map((e) => [rule.meta.id, 'not reported', e.title, rule, e] as const),
  ]);

  it('covers the most important rules, each with a bad and a good example and https references', () => {
    const ids = documented.map((r) => r.meta.id);
    for (const id of ['model/unsafe-pickle', 'workflow/template-injection', 'data/pii', 'pipeline/remote-code-load', 'k8s/host-path',
      'secret/ai-provider-key', 'secret/cloud-credential', 'secret/dev-platform-token', 'secret/generic-credential', 'secret/private-key']) {
      expect(ids).toContain(id);
    }
    for (const rule of documented) {
      const { examples, references } = rule.meta.docs!;
      expect(examples!.bad.length).toBeGreaterThan(0);
      expect(examples!.good.length).toBeGreaterThan(0);
      for (const r of references ?? []) expect(r.url).toMatch(/^https:\/\//);
    }
  });

  it.each(cases)('%s: the example is %s: %s', async (_id, verdict, _title, rule, example) => {
    const found = await findingsOn(rule, example);
    if (verdict === 'reported') expect(found.length).toBeGreaterThan(0);
    else expect(found).toEqual([]);
  });
});
