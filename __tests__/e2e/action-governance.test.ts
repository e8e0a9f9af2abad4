import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGitHub, type FakeReview, type PullFile } from '../helpers/fake-github/server.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Governance in the bundled action (AI_GATE_ACTION or dist/index.js) against the fake GitHub API: required
 * reviews read from the PR (re-run on pull_request_review), team membership through the API, and the audit
 * trail in the JSON report. Every request is checked against GitHub's OpenAPI description.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = process.env.AI_GATE_ACTION ?? join(repo, 'dist/index.js');
const nodeBin = process.env.AI_GATE_NODE ?? process.execPath;
const TOKEN = 'ghs_e2eGovernanceToken0123456789abcdef';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const OWNER = 'octo-org';
const NAME = 'ml-repo';

const POLICY = [
  'fail-on: high',
  'rules:',
  '  governance/required-review:',
  '    owners:',
  '      - paths: ["models/**"]',
  '        teams: [octo-org/ml-platform]',
  '      - paths: [".github/ai-gate.yml"]',
  '        users: [sec-lead]',
  '',
].join('\n');
const weights = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);
const card = '---\nlicense: apache-2.0\ndatasets: [squad]\nmetrics: [f1]\n---\n## Intended use\nQA.\n';

let fake: FakeGitHub | undefined;
afterEach(async () => { await fake?.stop(); fake = undefined; });

async function runAction(fakeGh: FakeGitHub, files: Record<string, string | Buffer>, eventName = 'pull_request') {
  const url = await fakeGh.start();
  const workspace = tempDir('ai-gate-gov-');
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, p)), { recursive: true });
    writeFileSync(join(workspace, p), c);
  }
  const out = tempDir('ai-gate-gov-out-');
  const event = {
    action: eventName === 'pull_request_review' ? 'submitted' : 'synchronize', number: 7,
    ...(eventName === 'pull_request_review' ? { review: { state: 'approved', user: { login: 'dave' } } } : {}),
    pull_request: {
      number: 7, state: 'open', user: { login: 'alice' },
      head: { sha: HEAD, ref: 'feature', repo: { full_name: `${OWNER}/${NAME}`, fork: false } },
      base: { sha: BASE, ref: 'main', repo: { full_name: `${OWNER}/${NAME}` } },
    },
    repository: { name: NAME, full_name: `${OWNER}/${NAME}`, owner: { login: OWNER } },
  };
  writeFileSync(join(out, 'event.json'), JSON.stringify(event));
  for (const f of ['output', 'summary']) writeFileSync(join(out, f), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME,
    GITHUB_API_URL: url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: `${OWNER}/${NAME}`,
    GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: join(out, 'event.json'), GITHUB_SHA: 'c'.repeat(40), GITHUB_RUN_ID: '99',
    GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: join(out, 'output'), GITHUB_STEP_SUMMARY: join(out, 'summary'),
    RUNNER_TEMP: out, INPUT_TOKEN: TOKEN, 'INPUT_REPORT-FILE': 'ai-gate-report.json',
  };
  const child = spawn(nodeBin, [bundle], { env, cwd: workspace });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect(stdout + stderr).not.toContain(TOKEN);
  expect(fakeGh.invalid()).toEqual([]);
  const report = JSON.parse(readFileSync(join(workspace, 'ai-gate-report.json'), 'utf8'));
  return { code, stdout, report };
}

function pr(files: PullFile[], reviews: FakeReview[], teams: FakeGitHub['state']['teams'] = {}, forbidden: string[] = []): FakeGitHub {
  return new FakeGitHub({ owner: OWNER, repo: NAME, pullFiles: files, contents: { [BASE]: { '.github/ai-gate.yml': POLICY } }, reviews, teams, forbidden });
}

const reviewFindings = (report: any) => report.findings.filter((f: any) => f.ruleId === 'governance/required-review').map((f: any) => `${f.severity} ${f.location.path}: ${f.message}`);
const files = { 'models/qa/model.safetensors': weights, 'models/qa/README.md': card, '.github/ai-gate.yml': POLICY };

describe('governance in the action', () => {
  it('fails a PR that changes a model without an approval from the owning team, naming the team', async () => {
    fake = pr([{ filename: 'models/qa/model.safetensors', status: 'modified' }], [{ login: 'eve', state: 'APPROVED' }], { 'octo-org/ml-platform': [{ login: 'dave' }] });
    const r = await runAction(fake, files);
    expect(r.code).toBe(1);
    expect(reviewFindings(r.report)).toEqual(['high models/qa/model.safetensors: The change to models/qa/model.safetensors needs 1 approval from @octo-org/ml-platform (team) and has 0; request a review from them.']);
    expect(fake.ops()).toContain('200 pulls/list-reviews');
    expect(fake.ops()).toContain('404 teams/get-membership-for-user-in-org');
  });

  it('passes on pull_request_review once a team member approves (a later comment does not undo it)', async () => {
    fake = pr([{ filename: 'models/qa/model.safetensors', status: 'modified' }],
      [{ login: 'eve', state: 'APPROVED' }, { login: 'dave', state: 'APPROVED', commit_id: HEAD }, { login: 'dave', state: 'COMMENTED' }],
      { 'octo-org/ml-platform': [{ login: 'dave' }] });
    const r = await runAction(fake, files, 'pull_request_review');
    expect(reviewFindings(r.report)).toEqual([]);
    expect(r.code).toBe(0);
    expect(fake.state.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: 'success' });
  });

  it('does not count an approval whose team membership the token cannot read, and says so', async () => {
    fake = pr([{ filename: 'models/qa/model.safetensors', status: 'modified' }], [{ login: 'dave', state: 'APPROVED' }], {}, ['teams/get-membership-for-user-in-org']);
    const r = await runAction(fake, files);
    expect(r.code).toBe(1);
    expect(reviewFindings(r.report)[0]).toMatch(/and has 0; request a review from them\. The team membership of @dave could not be read/);
  });

  it('leaves a PR that touches no protected path alone (no review requests at all)', async () => {
    fake = pr([{ filename: 'src/train.py', status: 'modified' }], []);
    const r = await runAction(fake, { ...files, 'src/train.py': 'print(1)\n' });
    expect(r.code).toBe(0);
    expect(fake.ops().filter((o) => /reviews|teams/.test(o))).toEqual([]);
  });

  it('writes the audit trail to the JSON report: policy digest, rule set, model digests, verdict', async () => {
    fake = pr([{ filename: 'models/qa/model.safetensors', status: 'modified' }], [{ login: 'dave', state: 'APPROVED' }], { 'octo-org/ml-platform': [{ login: 'dave' }] });
    const r = await runAction(fake, files);
    const audit = r.report.audit;
    expect(audit.policy.sha256).toBe(createHash('sha256').update(POLICY).digest('hex'));
    expect(audit.ruleSet).toMatchObject({ toolVersion: r.report.tool.version, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(audit.artifacts).toEqual([{ path: 'models/qa/model.safetensors', kind: 'model', format: 'safetensors', size: weights.length, sha256: createHash('sha256').update(weights).digest('hex') }]);
    expect(audit.verdict).toEqual({ passed: true, failOn: 'high', blocking: 0 });
  });
});
