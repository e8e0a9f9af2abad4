import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discover } from '../../src/discovery/index.js';
import type { Finding } from '../../src/engine/finding.js';
import { silentLogger } from '../../src/engine/logger.js';
import type { AnyRule, ChangeBase } from '../../src/engine/rule.js';
import { RULE_ERROR, runEngine } from '../../src/engine/run.js';
import type { Severity } from '../../src/engine/severity.js';
import type { PolicyException } from '../../src/policy/types.js';
import { allRules } from '../../src/rules/index.js';
import { makePolicy } from './policy.js';

/**
 * RuleTester in the ESLint manner: named `valid` cases must report nothing; named `invalid` cases must report
 * exactly the listed findings (message, and where given path/line/column/member/severity), in order of
 * path, line, column, member. Files are written to a temporary folder and go through the real discovery
 * (classification by bytes and name) and the real engine, so a rule is tested the way it runs.
 */
export type FileSpec = Record<string, string | Buffer | { symlink: string }>;

export interface Case {
  name: string;
  files: FileSpec;
  options?: Record<string, unknown>;
  severity?: Severity;
  exceptions?: PolicyException[];
  today?: string;
  /**
   * The base of a change (a PR): files as they were. When given, `files` is the head, and run-level rules get
   * `RunContext.change` (the paths that differ, with base and head readers; policy file .github/ai-gate.yml).
   */
  base?: Record<string, string | Buffer>;
}

export interface ExpectedFinding {
  message: string | RegExp;
  path?: string;
  line?: number;
  column?: number;
  member?: string;
  severity?: Severity;
}

export interface InvalidCase extends Case {
  errors: ExpectedFinding[];
}

export function writeTree(root: string, files: FileSpec): void {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) symlinkSync(content.symlink, abs);
    else writeFileSync(abs, content);
  }
}

/** Runs one rule over files and returns its findings (plus any rule-error finding, which a test must not hide). */
export async function runRule(rule: AnyRule, c: Case): Promise<Finding[]> {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-rule-'));
  try {
    writeTree(root, c.files);
    const rules = allRules.some((r) => r.meta.id === rule.meta.id) ? allRules : [...allRules, rule];
    const policy = makePolicy(rules, { [rule.meta.id]: { severity: c.severity, options: c.options }, [RULE_ERROR]: true }, {
      exceptions: c.exceptions ?? [],
    });
    const discovery = await discover({ root, ignore: [], logger: silentLogger });
    const change = c.base ? changeOf(c.base, c.files, root) : undefined;
    const { findings } = await runEngine({ rules, policy, discovery, logger: silentLogger, today: c.today ?? '2026-01-01', change });
    return findings
      .filter((f) => f.ruleId === rule.meta.id || f.ruleId === RULE_ERROR)
      .sort((a, b) =>
        a.location.path.localeCompare(b.location.path) ||
        (a.location.line ?? 0) - (b.location.line ?? 0) ||
        (a.location.column ?? 0) - (b.location.column ?? 0) ||
        (a.location.member ?? '').localeCompare(b.location.member ?? ''));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A change from `base` to `head`: added, modified and deleted paths (no rename detection), and readers. */
function changeOf(base: Record<string, string | Buffer>, head: FileSpec, root: string): ChangeBase {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.from(v) : Buffer.isBuffer(v) ? v : undefined);
  const changes: ChangeBase['changes'][number][] = [];
  for (const [path, content] of Object.entries(head)) {
    const before = bytes(base[path]);
    const after = bytes(content);
    if (!before) changes.push({ path, change: 'added' });
    else if (!after || !before.equals(after)) changes.push({ path, change: 'modified' });
  }
  for (const path of Object.keys(base)) if (!(path in head)) changes.push({ path, change: 'deleted' });
  return {
    ref: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    policyPath: '.github/ai-gate.yml',
    changes,
    readBase: async (path, max) => bytes(base[path])?.subarray(0, max),
    readHead: async (path, max) => (path in head ? readFileSync(join(root, path)).subarray(0, max) : undefined),
  };
}

function show(findings: Finding[]): string {
  return findings.map((f) => `  ${f.ruleId} ${f.severity} ${f.location.path}:${f.location.line ?? '-'} ${f.location.member ?? ''} ${f.message}`).join('\n');
}

export function testRule(rule: AnyRule, cases: { valid: Case[]; invalid: InvalidCase[] }): void {
  describe(rule.meta.id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        const findings = await runRule(rule, c);
        if (findings.length) throw new Error(`expected no findings, got ${findings.length}:\n${show(findings)}`);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        if (c.errors.length === 0) throw new Error('an invalid case must list the findings it expects');
        const findings = await runRule(rule, c);
        if (findings.length !== c.errors.length) {
          throw new Error(`expected ${c.errors.length} findings, got ${findings.length}:\n${show(findings)}`);
        }
        c.errors.forEach((want, i) => {
          const got = findings[i];
          expect(got.ruleId).toBe(rule.meta.id);
          if (typeof want.message === 'string') expect(got.message).toBe(want.message);
          else expect(got.message).toMatch(want.message);
          for (const key of ['path', 'line', 'column', 'member'] as const) {
            if (want[key] !== undefined) expect({ [key]: got.location[key] }).toEqual({ [key]: want[key] });
          }
          if (want.severity) expect(got.severity).toBe(want.severity);
        });
      });
    }
  });
}
