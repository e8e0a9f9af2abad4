import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `ai-gate scan --base REF` through the bundled CLI (dist/cli.js, or AI_GATE_CLI) on a temporary git repository:
 * the change comes from git, so governance/policy-changed runs as in the action, and the change is judged by the
 * policy at the base.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = process.env.AI_GATE_CLI ?? join(repo, 'dist/cli.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A repository with `base` committed, then `head` written over it (not committed: the working tree is the head). */
function gitRepo(base: Record<string, string>, head: Record<string, string>, remove: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-cli-base-'));
  dirs.push(root);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root });
  git('init', '-q');
  write(root, base);
  git('add', '-A');
  git('commit', '-qm', 'base');
  write(root, head);
  for (const p of remove) rmSync(join(root, p));
  return root;
}

function scan(root: string, extra: string[] = []) {
  const r = spawnSync(process.execPath, [cli, 'scan', root, '--base', 'HEAD', '--format', 'json', ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, report: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const BASE_POLICY = 'fail-on: high\nrules:\n  workflow/unpinned-action: medium\n';

describe('ai-gate scan --base (bundled CLI)', () => {
  it('reports a policy edit (governance/policy-changed, high, blocking) and judges the change by the base policy', () => {
    const root = gitRepo({ '.github/ai-gate.yml': BASE_POLICY, 'README.md': '# x\n' }, { '.github/ai-gate.yml': 'fail-on: critical\nrules:\n  workflow/unpinned-action: off\n' });
    const { code, report } = scan(root);
    expect(code).toBe(1);
    expect(report.policy.failOn).toBe('high');
    const found = report.findings.filter((f: any) => f.ruleId === 'governance/policy-changed');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'high', blocking: true, location: { path: '.github/ai-gate.yml', line: 1 } });
    expect(found[0].message).toMatch(/^This PR changes the policy that gates pull requests: .*fail-on: "high" → "critical".*It was judged by the base branch's policy \([0-9a-f]{7}\)/);
  });

  it('reports the deletion of the policy and of the workflow that runs the gate', () => {
    const workflow = 'on: pull_request\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ai-pipeline-gate/ai-pipeline-gate@v1\n';
    const root = gitRepo({ '.github/ai-gate.yml': BASE_POLICY, '.github/workflows/gate.yml': workflow }, {}, ['.github/ai-gate.yml', '.github/workflows/gate.yml']);
    const { code, report } = scan(root);
    expect(code).toBe(1);
    const messages = report.findings.filter((f: any) => f.ruleId === 'governance/policy-changed').map((f: any) => `${f.location.path}: ${f.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\.github\/ai-gate\.yml: This PR deletes the policy file \.github\/ai-gate\.yml/),
      expect.stringMatching(/^\.github\/workflows\/gate\.yml: This PR deletes \.github\/workflows\/gate\.yml, a workflow that runs the AI pipeline gate \(job gate\)/),
    ]));
  });

  it('stays quiet when the change does not touch the policy, and uses a policy named with --policy', () => {
    const root = gitRepo({ '.github/ai-gate.yml': BASE_POLICY, 'README.md': '# x\n' }, { 'README.md': '# y\n' });
    const quiet = scan(root);
    expect(quiet.code).toBe(0);
    expect(quiet.report.findings.filter((f: any) => f.ruleId === 'governance/policy-changed')).toEqual([]);
    write(root, { 'ci/gate.yml': 'fail-on: low\n' });
    const named = scan(root, ['--policy', join(root, 'ci/gate.yml')]);
    expect(named.report.policy.failOn).toBe('low');
  });

  it('is a usage error (exit 2) when the ref is not a commit', () => {
    const root = gitRepo({ 'README.md': '# x\n' }, {});
    const r = spawnSync(process.execPath, [cli, 'scan', root, '--base', 'no-such-ref'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-ref');
  });
});
