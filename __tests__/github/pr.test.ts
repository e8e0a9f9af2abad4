import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/engine/logger.js';
import { createClient } from '../../src/github/client.js';
import type { GateEvent } from '../../src/github/event.js';
import { gitChanges, pullRequestChanges, readAtRef, readLocal, toChangeList } from '../../src/github/pr.js';
import { FakeGitHub } from '../helpers/fake-github/server.js';

let fake: FakeGitHub | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ev = (extra: Partial<GateEvent> = {}): GateEvent => ({
  eventName: 'pull_request', kind: 'pull_request', owner: 'octo-org', repo: 'ml-repo', headSha: 'a'.repeat(40), baseSha: 'b'.repeat(40),
  pullNumber: 3, fromFork: false, serverUrl: 'https://github.com', ...extra,
});

describe('pull request files', () => {
  it('pages through the pulls API and keeps renames, copies and deletions', async () => {
    fake = new FakeGitHub({
      pullFiles: [
        ...Array.from({ length: 230 }, (_, i) => ({ filename: `f${i}.txt`, status: 'added' as const })),
        { filename: 'new.pt', status: 'renamed', previous_filename: 'old.pt' },
        { filename: 'gone.csv', status: 'removed' },
        { filename: '../escape', status: 'added' },
      ],
    });
    const client = createClient('t0ken', { logger: silentLogger, baseUrl: await fake.start() });
    const set = await pullRequestChanges(client, ev({ changedFiles: 233 }));
    expect(fake.requests.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(fake.invalid()).toEqual([]);
    expect(set.complete).toBe(true);
    const list = toChangeList(set);
    expect(list.changed).toHaveLength(231);
    expect(list.changed).toContainEqual({ path: 'new.pt', change: 'renamed', previousPath: 'old.pt' });
    expect(list.deleted).toEqual(['gone.csv']);
  });

  it('knows a list is incomplete at the 3,000-file cap', async () => {
    fake = new FakeGitHub({ pullFiles: Array.from({ length: 3001 }, (_, i) => ({ filename: `f${i}`, status: 'added' as const })) });
    const client = createClient('t0ken', { logger: silentLogger, baseUrl: await fake.start() });
    const set = await pullRequestChanges(client, ev());
    expect(set.changes).toHaveLength(3000);
    expect(set.complete).toBe(false);
  });

  it('reads a file at a ref through the contents API, undefined on 404', async () => {
    fake = new FakeGitHub({ contents: { ['b'.repeat(40)]: { '.github/ai-gate.yml': 'fail-on: low\n' } } });
    const client = createClient('t0ken', { logger: silentLogger, baseUrl: await fake.start() });
    expect((await readAtRef(client, ev(), '.github/ai-gate.yml', 'b'.repeat(40), 100))?.toString()).toBe('fail-on: low\n');
    expect(await readAtRef(client, ev(), 'nope.yml', 'b'.repeat(40), 100)).toBeUndefined();
    expect(fake.invalid()).toEqual([]);
  });

  it('propagates other errors, so "could not read" is never taken for "no policy"', async () => {
    fake = new FakeGitHub({ forbidden: ['repos/get-content'] });
    const client = createClient('t0ken', { logger: silentLogger, baseUrl: await fake.start() });
    await expect(readAtRef(client, ev(), '.github/ai-gate.yml', 'b'.repeat(40), 100)).rejects.toMatchObject({ status: 403 });
  });
});

describe('local reads and git', () => {
  it('never follows a symbolic link out of the checkout', () => {
    const root = mkdtempSync(join(tmpdir(), 'ai-gate-pr-'));
    dirs.push(root);
    mkdirSync(join(root, '.github'));
    symlinkSync('/etc/passwd', join(root, '.github/ai-gate.yml'));
    writeFileSync(join(root, 'ok.yml'), 'a: 1\n');
    return Promise.all([
      expect(readLocal(root, '.github/ai-gate.yml', 100)).resolves.toBeUndefined(),
      expect(readLocal(root, '../etc/passwd', 100)).resolves.toBeUndefined(),
      expect(readLocal(root, 'ok.yml', 3).then((b) => b?.toString())).resolves.toBe('a: '),
    ]);
  });

  it('lists a change with git diff against the base commit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ai-gate-pr-'));
    dirs.push(root);
    const git = (...a: string[]) => execFileSync('git', ['-C', root, '-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { encoding: 'utf8' });
    git('init', '-q');
    writeFileSync(join(root, 'a.txt'), 'a\n'.repeat(50));
    writeFileSync(join(root, 'b.txt'), 'b\n');
    git('add', '-A');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD').trim();
    git('mv', 'a.txt', 'c.txt');
    git('rm', '-q', 'b.txt');
    writeFileSync(join(root, 'd.txt'), 'd\n');
    git('add', '-A');
    git('commit', '-qm', 'head');
    const set = await gitChanges(root, base);
    expect(set.changes).toEqual(expect.arrayContaining([
      { path: 'c.txt', change: 'renamed', previousPath: 'a.txt' }, { path: 'd.txt', change: 'added' }, { path: 'b.txt', change: 'deleted' },
    ]));
    expect(set.changes).toHaveLength(3);
  });
});
