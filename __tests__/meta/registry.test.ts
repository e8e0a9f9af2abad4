import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRulePage, renderRulesIndex } from '../../src/docs/render.js';
import { allRules } from '../../src/rules/index.js';

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
