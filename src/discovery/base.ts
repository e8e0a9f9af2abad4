/**
 * The base version of a changed file, for rules that compare base and head (schema drift, label shift,
 * duplicates…). With `--base REF` it comes from git (`git cat-file blob REF:./path`), streamed into a temp
 * file and cut at `maxBytes`, so a large dataset is never held in memory; a pull request scanned through the
 * API hands the same thing through `ChangeBase.readBase`. The engine opens the temp file like any other and
 * deletes it when the file's rules are done.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeBase } from '../engine/rule.js';
import { resolveBase } from './git.js';

export interface BaseVersion {
  /** Absolute path of the temp file holding the base bytes. */
  absPath: string;
  /** Bytes written (at most `maxBytes`). */
  size: number;
  /** True when the base was larger than `maxBytes` and was cut. */
  truncated: boolean;
  close(): Promise<void>;
}

export interface BaseFiles {
  /** The ref as the user gave it, for messages. */
  ref: string;
  /** The file at the base, or undefined when it did not exist there. */
  get(path: string): Promise<BaseVersion | undefined>;
}

// Same hardening as discovery's git calls: no pager, prompts, fsmonitor or caller-set repository location.
const LOCATION_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES',
];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
  for (const v of LOCATION_VARS) delete env[v];
  return env;
}

/** Base versions from git. `root` is the scanned folder (inside a checkout); paths are relative to it. */
export async function gitBaseFiles(root: string, ref: string, maxBytes: number): Promise<BaseFiles> {
  const sha = await resolveBase(root, ref);
  return {
    ref,
    async get(path) {
      const dir = await mkdtemp(join(tmpdir(), 'ai-gate-base-'));
      const absPath = join(dir, 'base');
      const close = () => rm(dir, { recursive: true, force: true });
      try {
        const got = await catFile(root, `${sha}:./${path}`, absPath, maxBytes);
        if (!got) { await close(); return undefined; }
        return { absPath, ...got, close };
      } catch (error) {
        await close();
        throw error;
      }
    },
  };
}

/** Streams `git cat-file blob SPEC` into `out`, stopping at `maxBytes`; undefined when SPEC names no blob. */
function catFile(root: string, spec: string, out: string, maxBytes: number): Promise<{ size: number; truncated: boolean } | undefined> {
  return new Promise((resolve, reject) => {
    const argv = ['-C', root, '-c', 'core.fsmonitor=false', 'cat-file', 'blob', spec];
    const child = spawn('git', argv, { env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const file = createWriteStream(out);
    let size = 0, truncated = false, stderr = '';
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString('utf8'); });
    child.stdout.on('data', (d: Buffer) => {
      if (truncated) return;
      const room = maxBytes - size;
      if (d.length > room) {
        truncated = true;
        file.write(d.subarray(0, room));
        size += room;
        child.kill();
        return;
      }
      size += d.length;
      if (!file.write(d)) { child.stdout.pause(); file.once('drain', () => child.stdout.resume()); }
    });
    child.on('error', (e) => { file.destroy(); reject(e); });
    child.on('close', (code) => {
      file.end(() => {
        if (truncated || code === 0) resolve({ size, truncated });
        // "does not exist", "exists on disk, but not in", "Not a valid object name": not at the base.
        else if (/not exist|not a valid object|bad file|invalid object/i.test(stderr)) resolve(undefined);
        else reject(new Error(`git cat-file ${spec} failed: ${stderr.split('\n')[0]}`));
      });
    });
  });
}

/** Base versions through the change's own reader (a pull request read through the GitHub API). */
export function changeBaseFiles(change: ChangeBase, maxBytes: number): BaseFiles {
  return {
    ref: change.ref,
    async get(path) {
      const bytes = await change.readBase(path, maxBytes + 1);
      if (!bytes) return undefined;
      const dir = await mkdtemp(join(tmpdir(), 'ai-gate-base-'));
      const absPath = join(dir, 'base');
      const kept = bytes.subarray(0, maxBytes);
      await writeFile(absPath, kept);
      return { absPath, size: kept.length, truncated: bytes.length > maxBytes, close: () => rm(dir, { recursive: true, force: true }) };
    },
  };
}
