/** .pre-commit-hooks.yaml: its entries name the package's bin and run as the CLI in a real git repository. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { runCli } from '../../src/cli/run.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const hooks = load(readFileSync(join(repo, '.pre-commit-hooks.yaml'), 'utf8')) as Array<Record<string, unknown>>;
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const temps: string[] = [];
afterEach(() => { for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true }); });

function gitRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-hook-'));
  temps.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t.invalid', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(dir, 'README.md'), '# project\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  return dir;
}

async function runEntry(entry: string, cwd: string): Promise<{ code: number; out: string }> {
  const [bin, ...args] = entry.split(/\s+/);
  expect(pkg.bin[bin]).toBe('dist/cli.js');
  let out = '';
  const sink = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
  const code = await runCli(args, { stdout: sink, stderr: new Writable({ write(_c, _e, cb) { cb(); } }), cwd, env: {} });
  return { code, out };
}

describe('.pre-commit-hooks.yaml', () => {
  it('declares node hooks whose entry is the package bin, without file names', () => {
    expect(hooks.map((h) => h.id)).toEqual(['ai-gate', 'ai-gate-all']);
    for (const h of hooks) {
      expect(h).toMatchObject({ language: 'node', pass_filenames: false });
      expect(String(h.entry)).toMatch(/^ai-gate scan /);
    }
    expect(readFileSync(join(repo, pkg.bin['ai-gate']), 'utf8').slice(0, 19)).toBe('#!/usr/bin/env node');
  });

  it.each(hooks.map((h) => [h.id as string, h.entry as string]))('%s blocks a staged unsafe pickle and passes a clean change', async (_id, entry) => {
    const dir = gitRepo();
    writeFileSync(join(dir, 'notes.md'), 'nothing to see\n');
    expect((await runEntry(entry, dir)).code).toBe(0);
    writeFileSync(join(dir, 'model.pkl'), "cos\nsystem\n(S'echo pwned'\ntR.");
    const { code, out } = await runEntry(entry, dir);
    expect(code).toBe(1);
    expect(out).toContain('model/unsafe-pickle');
  });
});
