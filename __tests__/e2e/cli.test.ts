import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp.js';

/** The bundled CLI (dist/cli.js, or AI_GATE_CLI), run as a user runs it: a child process. */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = process.env.AI_GATE_CLI ?? join(repo, 'dist/cli.js');

function run(args: string[], cwd = repo) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tree(files: Record<string, string | Buffer>): string {
  const root = tempDir('ai-gate-cli-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const pickle = Buffer.from('\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.', 'latin1');

describe('ai-gate CLI (bundled)', () => {
  it('scans the demo repository: every planted problem at its place, and the gate fails', () => {
    const { code, stdout } = run(['scan', 'examples/demo-repo', '--format', 'json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    const got = report.findings.map((f: { ruleId: string; severity: string; location: { path: string; line?: number } }) =>
      `${f.location.path}:${f.location.line ?? '-'} ${f.ruleId} ${f.severity}`).sort();
    expect(got).toEqual([
      '.github/ai-gate.yml:9 policy/expired-exception medium',
      '.github/workflows/triage.yml:11 workflow/unpinned-action medium',
      '.github/workflows/triage.yml:15 workflow/template-injection high',
      '.github/workflows/triage.yml:16 workflow/template-injection high',
      '.github/workflows/triage.yml:6 workflow/excessive-permissions medium',
      'Dockerfile:2 container/root-user medium',
      'data/raw/reviews.csv:- data/provenance medium',
      'data/raw/reviews.csv:2 data/pii high',
      'data/raw/reviews.csv:2 data/pii high',
      'models/classifier.pkl:- model/serialization-format medium',
      'models/community/adapter.bin:- model/serialization-format medium',
      'models/community/adapter.bin:- model/unsafe-pickle critical',
      'models/sentiment.pt:- model/serialization-format medium',
      'requirements.txt:1 deps/vulnerable-ml-package high',
      'src/serve.py:11 pipeline/remote-code-load medium',
      'src/serve.py:14 pipeline/remote-code-load medium',
      'src/serve.py:8 secret/generic-credential high',
    ]);
    expect(report.verdict.counts).toMatchObject({ blocking: 7, reported: 10 });
    expect(JSON.stringify(report)).not.toContain('vR7#qLm2!xTz9KpW4sGd');
  });

  it('prints the demo findings grouped by file, with the verdict', () => {
    const { code, stdout } = run(['scan', 'examples/demo-repo']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^models\/community\/adapter\.bin\n\s+@2\s+critical\s+model\/unsafe-pickle\s+Loading this file imports os\.system/m);
    expect(stdout).toMatch(/^\.github\/workflows\/triage\.yml\n\s+15:32\s+high\s+workflow\/template-injection\s+`\$\{\{ github\.event\.issue\.title \}\}` is expanded inside run:/m);
    expect(stdout).toMatch(/^\s+9\s+medium\s+policy\/expired-exception\s+Exception 0 for model\/serialization-format on models\/classifier\.pkl expired on 2024-12-31/m);
    expect(stdout).toMatch(/✖ gate failed: 7 blocking \(1 critical, 6 high\), 10 reported/);
    expect(stdout).toContain('policy: .github/ai-gate.yml (fail-on: high');
  });

  it('follows --fail-on: a higher threshold blocks less, a clean folder passes at any threshold', () => {
    const { code, stdout } = run(['scan', 'examples/demo-repo', '--fail-on', 'critical']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✖ gate failed: 1 blocking \(1 critical\), 16 reported/);
    const clean = run(['scan', 'examples/demo-repo/data/synthetic', '--fail-on', 'low']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/✔ gate passed: no blocking findings, 0 reported/);
  });

  it('finds a pickle by its bytes whatever its name', () => {
    const root = tree({ 'notes.txt': pickle, 'README.md': '# hello\n' });
    const { code, stdout } = run(['scan', root, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.findings.map((f: { ruleId: string; location: { path: string } }) => [f.ruleId, f.location.path])).toEqual([
      ['model/serialization-format', 'notes.txt'],
    ]);
    expect(report.policy.source).toBe('built-in recommended');
  });

  it('writes SARIF and JSON files next to the text output', () => {
    const root = tree({ 'm.pkl': pickle });
    const out = tempDir('ai-gate-out-');
    const { code, stdout } = run(['scan', root, '--sarif', join(out, 'r.sarif'), '--json', join(out, 'r.json')]);
    expect(code).toBe(0);
    const sarif = JSON.parse(readFileSync(join(out, 'r.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results[0].ruleId).toBe('model/serialization-format');
    expect(JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')).findings).toHaveLength(1);
    expect(stdout).toContain(`SARIF: ${join(out, 'r.sarif')}`);
  });

  it('exits 2 on a broken policy, naming file, line and key, and scans nothing', () => {
    const root = tree({ '.github/ai-gate.yml': 'extends: recommended\nfail-on: hgih\n', 'm.pkl': pickle });
    const { code, stdout, stderr } = run(['scan', root]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/ai-gate\.yml:2:10 +fail-on: "hgih" is not a severity; expected one of critical, high, medium, low/);
    expect(stderr).toMatch(/1 error in the policy; nothing was scanned\./);
  });

  it.each([
    [['scan', '--bogus'], /Unknown option '--bogus'/],
    [['scan', '.', '--format', 'xml'], /--format "xml" is not one of text, json, sarif/],
    [['scan', '.', '--fail-on', 'severe'], /--fail-on "severe" is not a severity/],
    [['scan', 'no/such/dir'], /no\/such\/dir is not a folder to scan/],
    [['scan', '.', '--policy', 'missing.yml'], /missing\.yml/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 on usage errors: %j', (args, message) => {
    const { code, stderr } = run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('prints help and the rule list', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('ai-gate scan [DIR] [options]');
    const rules = run(['rules']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^model\/serialization-format\s+model\s+medium\s+A model or array is stored in a pickle-based format/m);
    expect(rules.stdout).toMatch(/^policy\/expired-exception\s+policy\s+medium/m);
  });

  it('with --base, scans only what changed since the ref', () => {
    const root = tree({ 'old.pkl': pickle, 'keep.txt': 'x\n' });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(join(root, 'new.pkl'), pickle);
    const { code, stdout } = run(['scan', root, '--base', 'HEAD', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    // Only the added file: its pickle format, and (a model added by the change) its missing model card.
    expect(report.findings.map((f: { ruleId: string; location: { path: string } }) => `${f.location.path} ${f.ruleId}`).sort()).toEqual([
      'new.pkl governance/model-card', 'new.pkl model/serialization-format',
    ]);
    expect(report.stats.filesScanned).toBe(1);
    const bad = run(['scan', root, '--base', 'no-such-ref']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no-such-ref');
  });

  it('escapes control characters of hostile file names in text output', () => {
    const root = tree({ 'evil\u001b[2Jname\n::error::x.pkl': pickle });
    const { code, stdout } = run(['scan', root]);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b[2J');
    expect(stdout).toContain('evil\\x1b[2Jname\\n::error::x.pkl');
  });

  it('checks large files in worker threads with the same findings, fingerprints and digests as on one thread', () => {
    const rows = (n: number, planted: string) => `id,text\n${Array.from({ length: n }, (_, i) => (i % 5000 === 7 ? `${i},"write to ${planted}${i}@example.com"` : `${i},"row ${i} is fine"`)).join('\n')}\n`;
    const root = tree({
      'data/a.csv': rows(90_000, 'ann'), 'data/b.csv': rows(90_000, 'bob'), 'data/c.jsonl': `${'{"t":"nothing"}\n'.repeat(80_000)}{"email":"eve@example.org"}\n`,
      'models/m.pkl': pickle, 'src/app.py': 'import pickle\npickle.load(open("m.pkl", "rb"))\n',
    });
    const env = { ...process.env, NO_COLOR: '1', AI_GATE_REDACTION_KEY: 'fixed-for-comparison' };
    const scan = (threads: string) => {
      const r = spawnSync(process.execPath, [cli, 'scan', root, '--format', 'json'], { encoding: 'utf8', env: { ...env, AI_GATE_THREADS: threads, AI_GATE_DEBUG: '1' }, timeout: 120_000 });
      const report = JSON.parse(r.stdout);
      const threaded = [...r.stderr.matchAll(/^debug: (.+): checked in a worker thread$/gm)].map((m) => m[1]).sort();
      return { scan: { code: r.status, findings: report.findings, artifacts: report.audit.artifacts }, threaded };
    };
    const { scan: one, threaded: none } = scan('0');
    const { scan: two, threaded } = scan('3');
    expect(none).toEqual([]);
    expect(threaded).toEqual(['data/a.csv', 'data/b.csv', 'data/c.jsonl']);
    expect(one.findings.filter((f: { ruleId: string }) => f.ruleId === 'data/pii').map((f: { location: { path: string } }) => f.location.path).sort())
      .toEqual(['data/a.csv', 'data/b.csv', 'data/c.jsonl']);
    expect(two).toEqual(one);
    // The datasets' digests come from the engine's one read of each (on a thread or not): the files' SHA-256.
    const sha = (path: string) => createHash('sha256').update(readFileSync(join(root, path))).digest('hex');
    expect(two.artifacts.map((a: { path: string; sha256: string }) => [a.path, a.sha256]))
      .toEqual(['data/a.csv', 'data/b.csv', 'data/c.jsonl', 'models/m.pkl'].map((p) => [p, sha(p)]));
  });
});
