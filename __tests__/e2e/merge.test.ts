import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGitHub } from '../helpers/fake-github/server.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Sharding end to end: the bundled CLI (`scan --shard i/n` then `merge`) and the bundled action (shard jobs,
 * then `mode: merge` against the fake GitHub API): one verdict, one SARIF log, one check run, one comment.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cliBundle = process.env.AI_GATE_CLI ?? join(repo, 'dist/cli.js');
const actionBundle = process.env.AI_GATE_ACTION ?? join(repo, 'dist/index.js');
const nodeBin = process.env.AI_GATE_NODE ?? process.execPath;
const TOKEN = 'ghs_e2eMergeTokenValue0123456789abcdef';
const HEAD = 'a'.repeat(40), BASE = 'b'.repeat(40), OWNER = 'octo-org', NAME = 'ml-repo';

const pickle = Buffer.from('\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.', 'latin1');
const evil = Buffer.from('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1');

function tree(files: Record<string, string | Buffer>): string {
  const root = tempDir('ai-gate-merge-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function files(): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = { '.github/ai-gate.yml': 'fail-on: high\nscope: all\n', 'models/evil.pkl': evil };
  for (let i = 0; i < 12; i++) out[`models/m${i}.pkl`] = pickle;
  for (let i = 0; i < 12; i++) out[`src/f${i}.py`] = `x = ${i}\n`;
  return out;
}

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cliBundle, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const keys = (report: any) => report.findings.map((f: any) => `${f.ruleId} ${f.location.path} ${f.fingerprint}`);

describe('ai-gate merge (bundled CLI)', () => {
  it('three shards merged give the findings, verdict and SARIF of one unsharded scan', () => {
    const root = tree(files());
    const out = tempDir('ai-gate-merge-out-');
    const whole = cli(['scan', root, '--format', 'json'], root);
    expect(whole.code).toBe(1);
    const full = JSON.parse(whole.stdout);
    const reports = [1, 2, 3].map((i) => {
      const file = join(out, `r${i}.json`);
      const r = cli(['scan', root, '--shard', `${i}/3`, '--json', file, '--format', 'json'], root);
      expect([0, 1]).toContain(r.code);
      return file;
    });
    const sarifFile = join(out, 'merged.sarif');
    const merged = cli(['merge', ...reports, '--sarif', sarifFile, '--format', 'json'], out);
    expect(merged.code).toBe(1);
    const report = JSON.parse(merged.stdout);
    expect(keys(report)).toEqual(keys(full));
    expect(report.verdict).toEqual(full.verdict);
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0].results.map((r: any) => r.partialFingerprints)).toEqual(
      JSON.parse(cli(['scan', root, '--format', 'sarif'], root).stdout).runs[0].results.map((r: any) => r.partialFingerprints));
    const text = cli(['merge', ...reports], out);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('models/evil.pkl');
    expect(text.stdout).toContain('model/unsafe-pickle');
    const short = cli(['merge', reports[0], reports[2]], out);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('shard 2/3 missing');
  });
});

let fake: FakeGitHub | undefined;
afterEach(async () => { await fake?.stop(); fake = undefined; });

async function action(fakeGh: FakeGitHub, workspace: string, inputs: Record<string, string>) {
  const url = await fakeGh.start();
  const out = tempDir('ai-gate-merge-run-');
  const eventPath = join(out, 'event.json');
  writeFileSync(eventPath, JSON.stringify({
    action: 'synchronize', number: 7,
    pull_request: { number: 7, state: 'open', title: 'Add models', user: { login: 'alice' },
      head: { sha: HEAD, ref: 'feature', repo: { full_name: `${OWNER}/${NAME}`, fork: false } },
      base: { sha: BASE, ref: 'main', repo: { full_name: `${OWNER}/${NAME}` } } },
    repository: { name: NAME, full_name: `${OWNER}/${NAME}`, owner: { login: OWNER } },
  }));
  for (const f of ['output', 'summary']) writeFileSync(join(out, f), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME,
    GITHUB_API_URL: url, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: `${OWNER}/${NAME}`,
    GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: 'c'.repeat(40), GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: join(out, 'output'), GITHUB_STEP_SUMMARY: join(out, 'summary'),
    RUNNER_TEMP: out, INPUT_TOKEN: TOKEN,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(nodeBin, [actionBundle], { env, cwd: workspace });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stdout += d; });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  await fakeGh.stop();
  const outputs = Object.fromEntries([...readFileSync(join(out, 'output'), 'utf8').matchAll(/^(\S+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]));
  expect(stdout).not.toContain(TOKEN);
  expect(fakeGh.invalid()).toEqual([]);
  return { code, stdout, outputs };
}

describe('the action: shard jobs, then mode: merge (bundled, fake GitHub API)', () => {
  it('shard jobs publish nothing; the merge job makes one check run and one comment with every shard\'s findings', async () => {
    const content = files();
    const policy = String(content['.github/ai-gate.yml']);
    fake = new FakeGitHub({ owner: OWNER, repo: NAME, pullFiles: Object.keys(content).map((filename) => ({ filename, status: 'added' as const })),
      contents: { [BASE]: { '.github/ai-gate.yml': policy } } });

    const single = tree(content);
    const one = await action(fake, single, {});
    expect(one.code).toBe(1);
    const expected = JSON.parse(readFileSync(join(single, 'ai-gate-report.json'), 'utf8'));
    fake.state.checkRuns.length = 0;
    fake.state.comments.length = 0;
    fake.requests.length = 0;

    const merge = tree({});
    for (const i of [1, 2]) {
      const workspace = tree(content);
      const r = await action(fake, workspace, { shard: `${i}/2` });
      expect(r.code).toBe(0);
      expect(r.outputs['report-file']).toBe(`ai-gate-report-${i}-of-2.json`);
      expect(r.stdout).toContain(`Shard ${i}/2:`);
      // What upload-artifact and download-artifact (one folder per artifact) do between the jobs.
      cpSync(join(workspace, `ai-gate-report-${i}-of-2.json`), join(merge, 'ai-gate-reports', `shard-${i}`, `ai-gate-report-${i}-of-2.json`), { recursive: true });
    }
    expect(fake.state.checkRuns).toHaveLength(0);
    expect(fake.state.comments).toHaveLength(0);

    const merged = await action(fake, merge, { mode: 'merge' });
    expect(merged.code).toBe(1);
    expect(merged.outputs.result).toBe('fail');
    const report = JSON.parse(readFileSync(join(merge, 'ai-gate-report.json'), 'utf8'));
    expect(keys(report)).toEqual(keys(expected));
    expect(merged.outputs.findings).toBe(String(expected.findings.length));
    expect(fake.state.checkRuns).toHaveLength(1);
    expect(fake.state.checkRuns[0]).toMatchObject({ head_sha: HEAD, status: 'completed', conclusion: 'failure' });
    expect(fake.state.checkRuns[0].annotations.length).toBe(report.findings.filter((f: any) => !f.suppression).length);
    expect(fake.state.comments).toHaveLength(1);
    expect(fake.state.comments[0].body).toContain(`${report.verdict.counts.blocking} blocking`);
    const sarif = JSON.parse(readFileSync(join(merge, 'ai-gate.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(expected.findings.length);
  }, 120_000);

  it('the merge job fails clearly when a shard\'s report is missing', async () => {
    fake = new FakeGitHub({ owner: OWNER, repo: NAME, pullFiles: [], contents: { [BASE]: {} } });
    const workspace = tree(files());
    await action(fake, workspace, { shard: '1/2' });
    const merge = tree({});
    cpSync(join(workspace, 'ai-gate-report-1-of-2.json'), join(merge, 'ai-gate-reports', 'ai-gate-report-1-of-2.json'));
    const r = await action(fake, merge, { mode: 'merge' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('shard 2/2 missing');
    expect(fake.state.checkRuns.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
  }, 60_000);
});
