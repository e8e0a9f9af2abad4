import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '../../src/engine/errors.js';
import { readEvent } from '../../src/github/event.js';
import { readInputs } from '../../src/github/inputs.js';

const H = '1'.repeat(40), B = '2'.repeat(40), M = '3'.repeat(40);
const env = { GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: M, GITHUB_SERVER_URL: 'https://github.example', GITHUB_RUN_ID: '9' };
const repository = { name: 'r', owner: { login: 'o' } };
const pull = (headRepo: string, fork = false) => ({
  number: 5, repository,
  pull_request: { number: 5, changed_files: 12, head: { sha: H, repo: { full_name: headRepo, fork } }, base: { sha: B } },
});

describe('readEvent', () => {
  it('puts a pull request\'s check run on its head SHA, not the merge commit', () => {
    expect(readEvent('pull_request', pull('o/r'), env)).toMatchObject({
      kind: 'pull_request', headSha: H, baseSha: B, pullNumber: 5, fromFork: false, changedFiles: 12,
      runUrl: 'https://github.example/o/r/actions/runs/9',
    });
  });

  it('treats pull_request_target like a pull request and recognises forks', () => {
    expect(readEvent('pull_request_target', pull('mallory/r', true), env)).toMatchObject({ kind: 'pull_request', headSha: H, fromFork: true });
    expect(readEvent('pull_request', pull('mallory/r'), env).fromFork).toBe(true);
  });

  it('reads a merge group\'s head and base', () => {
    expect(readEvent('merge_group', { repository, merge_group: { head_sha: H, base_sha: B } }, env)).toMatchObject({ kind: 'merge_group', headSha: H, baseSha: B });
  });

  it('scans the whole tree on push and workflow_dispatch', () => {
    expect(readEvent('push', { repository, after: H }, env)).toMatchObject({ kind: 'whole-tree', headSha: H });
    expect(readEvent('workflow_dispatch', { repository }, env)).toMatchObject({ kind: 'whole-tree', headSha: M });
  });

  it('refuses a payload whose SHAs are not SHAs', () => {
    const bad = pull('o/r');
    bad.pull_request.head.sha = 'main; rm -rf /';
    expect(() => readEvent('pull_request', bad, env)).toThrow(ConfigurationError);
  });

  it('runs outside a runner with nothing to report to', () => {
    expect(readEvent('', {}, {})).toMatchObject({ kind: 'whole-tree', headSha: '', owner: '' });
  });
});

describe('readInputs', () => {
  const get = (values: Record<string, string>) => (name: string) => values[name] ?? '';

  it('leaves policy options undefined when empty, so their defaults come from the policy schema', () => {
    const inputs = readInputs(get({ token: 't' }));
    expect(inputs.failOn).toBeUndefined();
    expect(inputs.scope).toBeUndefined();
    expect(inputs).toMatchObject({ comment: 'on-failure', annotations: 'check-run', checkName: 'AI pipeline gate', sarifFile: 'ai-gate.sarif' });
  });

  it('names the input in every mistake', () => {
    expect(() => readInputs(get({ 'fail-on': 'hgih' }))).toThrow('input fail-on "hgih" is not a severity');
    expect(() => readInputs(get({ comment: 'sometimes' }))).toThrow('input comment "sometimes" is not valid; expected one of always, on-failure, never');
    expect(() => readInputs(get({ annotations: 'x' }))).toThrow('input annotations');
    expect(() => readInputs(get({ scope: 'some' }))).toThrow('input scope');
    expect(() => readInputs(get({ 'sarif-file': '../../etc/x' }))).toThrow('input sarif-file "../../etc/x" must be a path inside the workspace');
    expect(() => readInputs(get({ shard: '5/4' }))).toThrow('input shard "5/4" is not a shard');
    expect(() => readInputs(get({ mode: 'scatter' }))).toThrow('input mode "scatter" is not valid; expected one of scan, merge');
    expect(() => readInputs(get({ mode: 'merge', shard: '1/2' }))).toThrow('input shard is for the scan jobs');
    expect(() => readInputs(get({ mode: 'merge', reports: '../x' }))).toThrow('input reports "../x" must be a path inside the workspace');
  });

  it('takes a shard (its own report file) and the merge mode', () => {
    expect(readInputs(get({ shard: '2/4' }))).toMatchObject({ mode: 'scan', shard: { index: 2, total: 4 }, reportFile: 'ai-gate-report-2-of-4.json' });
    expect(readInputs(get({ shard: '1/1' })).shard).toBeUndefined();
    expect(readInputs(get({ mode: 'merge' }))).toMatchObject({ mode: 'merge', reports: 'ai-gate-reports', reportFile: 'ai-gate-report.json' });
  });
});
