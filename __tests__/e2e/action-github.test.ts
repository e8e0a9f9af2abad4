import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGitHub, type PullFile } from '../helpers/fake-github/server.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The bundled action (dist/index.js, or AI_GATE_ACTION) run as the runner runs it, against a fake GitHub API
 * on 127.0.0.1 that checks every request against GitHub's OpenAPI description. AI_GATE_NODE picks the node
 * binary (CI runs this suite once more under Node 24).
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = process.env.AI_GATE_ACTION ?? join(repo, 'dist/index.js');
const nodeBin = process.env.AI_GATE_NODE ?? process.execPath;
const TOKEN = 'ghs_e2eSecretTokenValue0123456789abcdef';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const MERGE = 'c'.repeat(40);
const OWNER = 'octo-org';
const NAME = 'ml-repo';

// A raw pickle whose stream imports os.system: critical for the pickle rules, medium for serialization-format.
const pickle = Buffer.from('\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.', 'latin1');

let fake: FakeGitHub | undefined;
afterEach(async () => { await fake?.stop(); fake = undefined; });

interface RunOptions {
  files: Record<string, string | Buffer>;
  inputs?: Record<string, string>;
  fork?: boolean;
  changedFiles?: number;
  /** Make the workspace a git repository with the base commit in its history (files in `baseFiles`). */
  git?: { baseFiles: Record<string, string | Buffer> };
  eventName?: string;
}

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function payload(o: RunOptions): unknown {
  const headRepo = o.fork ? { full_name: `mallory/${NAME}`, fork: true } : { full_name: `${OWNER}/${NAME}`, fork: false };
  return {
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7, state: 'open', title: 'Add a model', user: { login: o.fork ? 'mallory' : 'alice' },
      head: { sha: HEAD, ref: 'feature', repo: headRepo }, base: { sha: BASE, ref: 'main', repo: { full_name: `${OWNER}/${NAME}` } },
      ...(o.changedFiles !== undefined ? { changed_files: o.changedFiles } : {}),
    },
    repository: { name: NAME, full_name: `${OWNER}/${NAME}`, owner: { login: OWNER } },
  };
}

async function runAction(fakeGh: FakeGitHub, o: RunOptions) {
  const url = await fakeGh.start();
  const workspace = tempDir('ai-gate-e2e-');
  let base = BASE;
  if (o.git) {
    const git = (...args: string[]) => execFileSync('git', ['-C', workspace, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { encoding: 'utf8' });
    git('init', '-q');
    write(workspace, o.git.baseFiles);
    git('add', '-A');
    git('commit', '-q', '-m', 'base', '--allow-empty');
    base = git('rev-parse', 'HEAD').trim();
    fakeGh.state.contents[base] = fakeGh.state.contents[BASE] ?? {};
  }
  write(workspace, o.files);
  if (o.git) {
    execFileSync('git', ['-C', workspace, '-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-A']);
    execFileSync('git', ['-C', workspace, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'head']);
  }
  const out = tempDir('ai-gate-e2e-out-');
  const eventPath = join(out, 'event.json');
  const ev = payload(o) as any;
  ev.pull_request.base.sha = base;
  writeFileSync(eventPath, JSON.stringify(ev));
  for (const f of ['output', 'summary']) writeFileSync(join(out, f), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME,
    GITHUB_API_URL: url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: `${OWNER}/${NAME}`,
    GITHUB_EVENT_NAME: o.eventName ?? 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: MERGE, GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: join(out, 'output'), GITHUB_STEP_SUMMARY: join(out, 'summary'),
    RUNNER_TEMP: out, INPUT_TOKEN: TOKEN,
  };
  for (const [k, v] of Object.entries(o.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(nodeBin, [bundle], { env, cwd: workspace });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const outputs = Object.fromEntries([...readFileSync(join(out, 'output'), 'utf8').matchAll(/^(\S+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]));
  const summary = readFileSync(join(out, 'summary'), 'utf8');
  // The token never reaches the log, and every request carried it only in the Authorization header.
  expect(stdout + stderr).not.toContain(TOKEN);
  expect(fakeGh.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  expect(fakeGh.invalid()).toEqual([]);
  return { code, stdout, stderr, outputs, summary, workspace, base };
}

const POLICY = 'fail-on: high\n';

function pr(files: PullFile[], extra: Partial<FakeGitHub['state']> = {}): FakeGitHub {
  return new FakeGitHub({ owner: OWNER, repo: NAME, pullFiles: files, contents: { [BASE]: { '.github/ai-gate.yml': POLICY } }, ...extra });
}

describe('the action against a fake GitHub API', () => {
  it('passes a clean PR: check run success on the head SHA, no comment, a job summary', async () => {
    fake = pr([{ filename: 'README.md', status: 'modified' }]);
    const r = await runAction(fake, { files: { 'README.md': '# hello\n', 'other.pkl': pickle } });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ result: 'pass', findings: '0', blocking: '0' });
    expect(fake.state.checkRuns).toHaveLength(1);
    expect(fake.state.checkRuns[0]).toMatchObject({ head_sha: HEAD, status: 'completed', conclusion: 'success', name: 'AI pipeline gate' });
    expect(fake.state.comments).toHaveLength(0);
    expect(r.summary).toContain('✅ AI pipeline gate: no blocking findings');
    // The policy came from the base commit through the contents API, not from the checkout.
    expect(fake.requests.find((q) => q.operationId === 'repos/get-content')?.query.ref).toBe(BASE);
    expect(fake.ops()).toEqual(['201 checks/create', '200 repos/get-content', '200 pulls/list-files', '200 checks/update', '200 issues/list-comments']);
  });

  it('fails a PR with more than 120 findings: annotations in batches of 50, one comment, all findings in the reports', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 130; i++) files[`models/m${String(i).padStart(3, '0')}.pkl`] = pickle;
    fake = pr(Object.keys(files).map((filename) => ({ filename, status: 'added' as const })));
    const r = await runAction(fake, { files, inputs: { 'fail-on': 'medium' } });
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('fail');
    const report = JSON.parse(readFileSync(join(r.workspace, 'ai-gate-report.json'), 'utf8'));
    const open = report.findings.filter((f: any) => !f.suppression);
    expect(open.length).toBeGreaterThan(120);
    const updates = fake.requests.filter((q) => q.operationId === 'checks/update');
    expect(updates.map((u) => u.body.output.annotations?.length ?? 0)).toEqual(
      Array.from({ length: Math.ceil(open.length / 50) }, (_, i) => Math.min(50, open.length - i * 50)));
    expect(updates.slice(0, -1).every((u) => u.body.status === undefined)).toBe(true);
    expect(updates.at(-1)!.body).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const run = fake.state.checkRuns[0];
    expect(run.annotations).toHaveLength(open.length);
    expect(run.annotations[0]).toMatchObject({ path: 'models/m000.pkl', start_line: 1, end_line: 1, annotation_level: 'warning' });
    expect(run.output.title).toBe(`${open.length} blocking, 0 reported`);
    expect(fake.state.comments).toHaveLength(1);
    expect(fake.state.comments[0].body.startsWith('<!-- ai-pipeline-gate:comment -->')).toBe(true);
    expect(fake.state.comments[0].body).toContain(`AI pipeline gate: ${open.length} blocking findings`);
    expect(fake.state.comments[0].body).toContain(`[models/m000\\.pkl](https://github.com/${OWNER}/${NAME}/blob/${HEAD}/models/m000.pkl)`);
  });

  it('updates the same comment on a re-run, and says what was fixed when the PR passes', async () => {
    fake = pr([{ filename: 'm.pkl', status: 'added' }]);
    await runAction(fake, { files: { 'm.pkl': pickle }, inputs: { 'fail-on': 'medium' } });
    await fake.stop();
    expect(fake.state.comments).toHaveLength(1);
    const id = fake.state.comments[0].id;
    // A human's comment quoting the marker is not ours to edit.
    fake.state.comments.unshift({ id: 1, body: '<!-- ai-pipeline-gate:comment --> quoted', user: { login: 'bob', type: 'User' } });
    fake.requests.length = 0;
    fake.state.pullFiles = [{ filename: 'README.md', status: 'added' }];
    const r = await runAction(fake, { files: { 'README.md': 'fixed\n' }, inputs: { 'fail-on': 'medium' } });
    expect(r.code).toBe(0);
    expect(fake.state.comments.filter((c) => c.user.type === 'Bot')).toHaveLength(1);
    expect(fake.requests.filter((q) => q.operationId === 'issues/create-comment')).toHaveLength(0);
    expect(fake.requests.find((q) => q.operationId === 'issues/update-comment')?.path).toContain(`/comments/${id}`);
    const body = fake.state.comments.find((c) => c.id === id)!.body;
    expect(body).toContain('✅ AI pipeline gate: no blocking findings');
    expect(body).toContain('> This pull request passes the gate now\\.');
    // The first run blocked on two medium findings (the pickle's format, and the new model's missing card).
    expect(body).toContain('> Fixed since the last run: 2 blocking findings\\.');
  });

  it("edits only its own comment: another bot's comment that opens with the marker is neither edited nor read", async () => {
    // What a spoof would claim: two findings blocking before, so that the next run could say they were fixed.
    const spoof = '<!-- ai-pipeline-gate:comment -->\n<!-- ai-pipeline-gate:blocking aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb -->\nspoof';
    fake = pr([{ filename: 'README.md', status: 'added' }], { comments: [{ id: 1, body: spoof, user: { login: 'other-app[bot]', type: 'Bot' } }] });
    const r = await runAction(fake, { files: { 'README.md': 'hello\n' }, inputs: { comment: 'always' } });
    expect(r.code).toBe(0);
    expect(fake.state.comments.find((c) => c.id === 1)!.body).toBe(spoof);
    expect(fake.requests.filter((q) => q.operationId === 'issues/update-comment')).toHaveLength(0);
    const ours = fake.state.comments.filter((c) => c.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    expect(ours[0].body).not.toContain('Fixed since the last run');
    expect(fake.requests.some((q) => q.operationId === 'graphql' && q.status === 200)).toBe(true);
  });

  it("finds its comment under a GitHub App's login too, and takes any bot's marked comment when GraphQL cannot be asked", async () => {
    const marked = (login: string, id: number) => ({ id, body: '<!-- ai-pipeline-gate:comment -->\nold', user: { login, type: 'Bot' as const } });
    fake = pr([{ filename: 'README.md', status: 'added' }], { viewer: 'our-gate-app[bot]', comments: [marked('other-app[bot]', 1), marked('our-gate-app[bot]', 2)] });
    await runAction(fake, { files: { 'README.md': 'hello\n' }, inputs: { comment: 'always' } });
    await fake.stop();
    expect(fake.requests.filter((q) => q.operationId === 'issues/update-comment').map((q) => q.path)).toEqual([expect.stringContaining('/comments/2')]);
    fake = pr([{ filename: 'README.md', status: 'added' }], { forbidden: ['graphql'], comments: [marked('other-app[bot]', 1)] });
    await runAction(fake, { files: { 'README.md': 'hello\n' }, inputs: { comment: 'always' } });
    expect(fake.requests.filter((q) => q.operationId === 'issues/update-comment').map((q) => q.path)).toEqual([expect.stringContaining('/comments/1')]);
  });

  it('falls back to workflow-command annotations and the job summary on a fork PR (403 on checks and comments)', async () => {
    fake = pr([{ filename: 'm.pkl', status: 'added' }, { filename: '::error::x%0Ay.pkl', status: 'added' }], {
      forbidden: ['checks/create', 'issues/create-comment', 'issues/update-comment'],
    });
    const r = await runAction(fake, { files: { 'm.pkl': pickle, '::error::x%0Ay.pkl': pickle }, fork: true, inputs: { 'fail-on': 'medium' } });
    expect(r.code).toBe(1);
    expect(fake.state.checkRuns).toHaveLength(0);
    expect(r.stdout).toMatch(/::warning::No check run: the token may not create check runs \(HTTP 403: Resource not accessible by integration; a pull request from a fork gets a read-only token\)/);
    const commands = r.stdout.split('\n').filter((l) => /^::(error|warning|notice) file=/.test(l));
    expect(commands).toContain('::warning file=m.pkl,line=1,title=model/serialization-format (medium)::' + commands.find((c) => c.startsWith('::warning file=m.pkl,line=1,title=model/serialization-format'))!.split('::')[2]);
    expect(commands.filter((c) => c.startsWith('::warning file=m.pkl,')).map((c) => /title=([^ ]+)/.exec(c)![1])).toEqual(['governance/model-card', 'model/serialization-format']);
    // The hostile file name is escaped inside the property: it cannot start a command or add properties.
    expect(commands.some((c) => c.startsWith('::warning file=%3A%3Aerror%3A%3Ax%250Ay.pkl,line=1,'))).toBe(true);
    expect(r.summary).toContain('> No check run: the token may not create check runs \\(HTTP 403: Resource not accessible by integration; a pull request from a fork gets a read\\-only token\\)');
    expect(r.summary).toContain('> The PR comment could not be written \\(HTTP 403');
    // Two new models: each blocks on its pickle format and on its missing model card (fail-on: medium).
    expect(r.summary).toContain('❌ AI pipeline gate: 4 blocking findings');
  });

  it('retries a 502 and succeeds', async () => {
    fake = pr([{ filename: 'README.md', status: 'modified' }], { faults: [{ operationId: 'pulls/list-files', status: 502, times: 1 }] });
    const r = await runAction(fake, { files: { 'README.md': 'x\n' } });
    expect(r.code).toBe(0);
    expect(fake.ops().filter((o) => o.endsWith('pulls/list-files'))).toEqual(['502 pulls/list-files', '200 pulls/list-files']);
    expect(fake.state.checkRuns[0].conclusion).toBe('success');
  });

  it('sends conclusion neutral when the base policy asks for it and the PR passes with non-blocking findings', async () => {
    fake = pr([{ filename: 'm.pkl', status: 'added' }], {
      contents: { [BASE]: { '.github/ai-gate.yml': 'fail-on: high\nreport:\n  conclusion-when-reported: neutral\n' } },
    });
    const r = await runAction(fake, { files: { 'm.pkl': pickle } });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ result: 'pass', blocking: '0' });
    expect(Number(r.outputs.findings)).toBeGreaterThan(0);
    const completed = fake.requests.filter((q) => q.operationId === 'checks/update').map((q) => q.body as { conclusion?: string }).filter((b) => b.conclusion);
    expect(completed).toEqual([expect.objectContaining({ conclusion: 'neutral', status: 'completed' })]);
    expect(fake.state.checkRuns[0]).toMatchObject({ head_sha: HEAD, status: 'completed', conclusion: 'neutral' });
  });

  it('flags a PR that edits the policy (governance/policy-changed, high) and judges it by the base policy', async () => {
    fake = pr([{ filename: '.github/ai-gate.yml', status: 'modified' }, { filename: 'm.pkl', status: 'added' }], {
      contents: { [BASE]: { '.github/ai-gate.yml': 'fail-on: medium\n' } },
    });
    const r = await runAction(fake, { files: { '.github/ai-gate.yml': 'fail-on: critical\n', 'm.pkl': pickle } });
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(join(r.workspace, 'ai-gate-report.json'), 'utf8'));
    expect(report.policy.failOn).toBe('medium');
    const changed = report.findings.find((f: any) => f.ruleId === 'governance/policy-changed');
    expect(changed).toMatchObject({ severity: 'high', blocking: true, location: { path: '.github/ai-gate.yml', line: 1 } });
    expect(changed.message).toContain('fail-on: "medium" → "critical"');
    expect(fake.state.checkRuns[0].annotations.some((a) => a.title === 'governance/policy-changed (high)' && a.annotation_level === 'failure')).toBe(true);
  });

  it('falls back to git diff for a PR with more than 3,000 files, and says so', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3005; i++) files[`data/f${i}.txt`] = `row ${i}\n`;
    fake = pr(Object.keys(files).map((filename) => ({ filename, status: 'added' as const })));
    const r = await runAction(fake, { files: { ...files, 'late/m.pkl': pickle }, changedFiles: 3006, git: { baseFiles: { 'README.md': 'base\n' } } });
    const report = JSON.parse(readFileSync(join(r.workspace, 'ai-gate-report.json'), 'utf8'));
    expect(fake.requests.filter((q) => q.operationId === 'pulls/list-files')).toHaveLength(30);
    expect(report.stats.filesScanned).toBe(3006);
    expect(report.notes.join('\n')).toMatch(/the API lists only 3000 of its files .*git diff against \w{7} instead \(3006 files\)/);
    expect(r.summary).toMatch(/git diff against/);
    expect(report.findings.some((f: any) => f.location.path === 'late/m.pkl')).toBe(true);
  });

  it('says so when a pull_request_target checkout lacks the PR\'s files, rather than passing them silently', async () => {
    fake = pr([{ filename: 'm.pkl', status: 'added' }, { filename: 'README.md', status: 'modified' }]);
    const r = await runAction(fake, { files: { 'README.md': 'base\n' }, eventName: 'pull_request_target' });
    expect(fake.state.checkRuns[0].head_sha).toBe(HEAD);
    expect(r.stdout).toContain('::warning::1 of the 2 changed files are not in the checkout, so they were not scanned. pull_request_target checks out the base branch');
    expect(r.summary).toContain('> 1 of the 2 changed files are not in the checkout');
  });

  it('scans the whole tree on push, with the checkout\'s policy', async () => {
    fake = new FakeGitHub({ owner: OWNER, repo: NAME });
    const r = await runAction(fake, { files: { 'a/m.pkl': pickle, '.github/ai-gate.yml': 'fail-on: medium\n' }, eventName: 'push' });
    expect(r.code).toBe(1);
    expect(fake.state.checkRuns[0]).toMatchObject({ head_sha: MERGE, conclusion: 'failure' });
    expect(fake.requests.some((q) => q.operationId === 'pulls/list-files' || q.operationId === 'issues/list-comments')).toBe(false);
  });
});
