/**
 * The few git questions discovery asks, each one `git` process with an argument array (never a shell) and
 * NUL-separated output, so that any byte a file name may hold survives. Names come back as raw Buffers.
 *
 * The scanned tree may be hostile, so git runs with `core.fsmonitor=false` (a repository's config could
 * otherwise name a program to run), `--no-ext-diff --no-textconv`, and without the caller's GIT_DIR-style
 * variables (a hook's environment must not redirect git to another repository).
 */
import { execFile } from 'node:child_process';
import { ConfigurationError } from '../engine/errors.js';
import type { ChangeType } from './types.js';

const MAX_OUTPUT = 512 * 1024 * 1024;
const LOCATION_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES',
];

export interface GitResult {
  ok: boolean;
  stdout: Buffer;
  /** First line of stderr, or the spawn error ("git not found"). */
  error: string;
}

export function runGit(cwd: string, args: string[]): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
  for (const v of LOCATION_VARS) delete env[v];
  const argv = ['-C', cwd, '-c', 'core.quotepath=off', '-c', 'core.fsmonitor=false', ...args];
  return new Promise((resolve) => {
    execFile('git', argv, { encoding: 'buffer', maxBuffer: MAX_OUTPUT, env, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) { resolve({ ok: true, stdout, error: '' }); return; }
      const code = (err as NodeJS.ErrnoException).code;
      const first = stderr.toString('utf8').split('\n').find((l) => l.trim() !== '') ?? '';
      resolve({ ok: false, stdout, error: code === 'ENOENT' ? 'git is not installed' : first || err.message });
    });
  });
}

/** Split NUL-terminated output into its fields (the last, empty one dropped). */
export function splitNul(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0, start)) {
    out.push(buf.subarray(start, i));
    start = i + 1;
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

/** The checkout's top level when `root` is inside a git work tree, else undefined with the reason. */
export async function gitTopLevel(root: string): Promise<{ top?: string; reason: string }> {
  const r = await runGit(root, ['rev-parse', '--show-toplevel']);
  if (!r.ok) return { reason: r.error };
  const top = r.stdout.toString('utf8').replace(/\n$/, '');
  return top ? { top, reason: '' } : { reason: 'not inside a work tree' };
}

/** Files git tracks plus untracked files that are not ignored, below `root`, relative to it. */
export async function gitListFiles(root: string): Promise<Buffer[]> {
  const r = await runGit(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (!r.ok) throw new ConfigurationError(`git ls-files failed in ${root}: ${r.error}`);
  return splitNul(r.stdout);
}

export interface RawChange {
  raw: Buffer;
  change: Exclude<ChangeType, 'unchanged'>;
  previousRaw?: Buffer;
}

/** Resolve `base` to a commit, or throw ConfigurationError naming it. */
export async function resolveBase(root: string, base: string): Promise<string> {
  const r = await runGit(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${base}^{commit}`]);
  const sha = r.stdout.toString('utf8').trim();
  if (!r.ok || !/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new ConfigurationError(`base ref "${base}" is not a commit in the repository at ${root}`);
  }
  return sha;
}

/**
 * What changed between `base` and the working tree, below `root` and relative to it: `git diff --name-status
 * -M` (staged and unstaged changes alike), plus untracked files that are not ignored, as added.
 */
export async function gitChangedFiles(root: string, base: string): Promise<{ changed: RawChange[]; deleted: Buffer[] }> {
  const sha = await resolveBase(root, base);
  const diff = await runGit(root, ['diff', '-z', '--name-status', '-M', '--no-ext-diff', '--no-textconv', '--relative', sha, '--']);
  if (!diff.ok) throw new ConfigurationError(`git diff against "${base}" failed: ${diff.error}`);
  const { changed, deleted } = parseNameStatus(splitNul(diff.stdout));
  const others = await runGit(root, ['ls-files', '-z', '--others', '--exclude-standard']);
  if (!others.ok) throw new ConfigurationError(`git ls-files failed in ${root}: ${others.error}`);
  for (const raw of splitNul(others.stdout)) changed.push({ raw, change: 'added' });
  return { changed, deleted };
}

/** `--name-status -z`: `X\0path\0`, and for renames and copies `R100\0old\0new\0`. */
export function parseNameStatus(fields: Buffer[]): { changed: RawChange[]; deleted: Buffer[] } {
  const changed: RawChange[] = [];
  const deleted: Buffer[] = [];
  for (let i = 0; i < fields.length;) {
    const status = fields[i++].toString('latin1');
    const letter = status[0];
    if (letter === 'R' || letter === 'C') {
      const previousRaw = fields[i++];
      const raw = fields[i++];
      if (raw === undefined || previousRaw === undefined) break;
      changed.push({ raw, previousRaw, change: letter === 'R' ? 'renamed' : 'copied' });
      continue;
    }
    const raw = fields[i++];
    if (raw === undefined) break;
    if (letter === 'D') deleted.push(raw);
    else if (letter === 'A') changed.push({ raw, change: 'added' });
    else changed.push({ raw, change: 'modified' }); // M, T (type change), U (unmerged), X
  }
  return { changed, deleted };
}
