/**
 * The change under review, from GitHub: a PR's files (pulls API, paginated, renames and deletions kept),
 * a merge group's files (compare API), files at the base commit (contents API), and the `git diff` fallback
 * when the API cannot list everything (a PR past 3,000 files) and the checkout has the base commit.
 */
import { constants as fsc } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { ChangeList } from '../discovery/index.js';
import { parseNameStatus, runGit, splitNul } from '../discovery/git.js';
import type { Logger } from '../engine/logger.js';
import type { ChangeBase } from '../engine/rule.js';
import { describeError, statusOf, type GitHubClient } from './client.js';
import type { GateEvent } from './event.js';

/** The pulls API lists at most 3,000 files of a PR; the compare API at most 300. */
export const PULL_FILES_CAP = 3000;
export const COMPARE_FILES_CAP = 300;

export type Change = ChangeBase['changes'][number];

export interface ChangeSet {
  changes: Change[];
  /** False when the API could not list every file (its cap was reached). */
  complete: boolean;
  /** How the list was made, for the report. */
  source: 'pulls-api' | 'compare-api' | 'git-diff';
}

/** Git never stores `..` or absolute paths; a path that looks like one is not trusted as a file name. */
function safePath(p: unknown): p is string {
  return typeof p === 'string' && p !== '' && !isAbsolute(p) && !p.split('/').some((s) => s === '..' || s === '.' || s === '');
}

function toChange(f: { filename?: unknown; status?: unknown; previous_filename?: unknown }): Change | undefined {
  if (!safePath(f.filename)) return undefined;
  const previousPath = safePath(f.previous_filename) ? f.previous_filename : undefined;
  switch (f.status) {
    case 'removed': return { path: f.filename, change: 'deleted' };
    case 'added': return { path: f.filename, change: 'added' };
    case 'renamed': return { path: f.filename, change: 'renamed', ...(previousPath ? { previousPath } : {}) };
    case 'copied': return { path: f.filename, change: 'copied', ...(previousPath ? { previousPath } : {}) };
    case 'unchanged': return undefined;
    default: return { path: f.filename, change: 'modified' }; // modified, changed (mode/type)
  }
}

export async function pullRequestChanges(client: GitHubClient, ev: GateEvent): Promise<ChangeSet> {
  const files = await client.paginate(client.rest.pulls.listFiles, {
    owner: ev.owner, repo: ev.repo, pull_number: ev.pullNumber!, per_page: 100,
  });
  const changes = files.map(toChange).filter((c): c is Change => c !== undefined);
  const complete = files.length < PULL_FILES_CAP && (ev.changedFiles === undefined || files.length >= ev.changedFiles);
  return { changes, complete, source: 'pulls-api' };
}

export async function mergeGroupChanges(client: GitHubClient, ev: GateEvent): Promise<ChangeSet> {
  const { data } = await client.rest.repos.compareCommitsWithBasehead({
    owner: ev.owner, repo: ev.repo, basehead: `${ev.baseSha}...${ev.headSha}`, per_page: 100,
  });
  const files = data.files ?? [];
  const changes = files.map(toChange).filter((c): c is Change => c !== undefined);
  return { changes, complete: files.length < COMPARE_FILES_CAP, source: 'compare-api' };
}

/** True when the checkout holds `sha` (a fetch-depth: 0 checkout, or one that fetched the base). */
export async function hasCommit(root: string, sha: string): Promise<boolean> {
  const r = await runGit(root, ['cat-file', '-e', `${sha}^{commit}`]);
  return r.ok;
}

/** What changed between `base` and the working tree, from git (the fallback past the API's caps). */
export async function gitChanges(root: string, base: string): Promise<ChangeSet> {
  const r = await runGit(root, ['diff', '-z', '--name-status', '-M', '--no-ext-diff', '--no-textconv', base, '--']);
  if (!r.ok) throw new Error(`git diff against ${base} failed: ${r.error}`);
  const { changed, deleted } = parseNameStatus(splitNul(r.stdout));
  const changes: Change[] = [
    ...changed.map((c) => ({
      path: c.raw.toString('utf8'), change: c.change, ...(c.previousRaw ? { previousPath: c.previousRaw.toString('utf8') } : {}),
    })),
    ...deleted.map((d) => ({ path: d.toString('utf8'), change: 'deleted' as const })),
  ];
  return { changes, complete: true, source: 'git-diff' };
}

/** The discovery view of a change set: what to scan, and what was deleted. */
export function toChangeList(set: ChangeSet): ChangeList {
  const changed: ChangeList['changed'] = [];
  const deleted: string[] = [];
  for (const c of set.changes) {
    if (c.change === 'deleted') deleted.push(c.path);
    else changed.push({ path: c.path, change: c.change, ...(c.previousPath ? { previousPath: c.previousPath } : {}) });
  }
  return { changed, deleted };
}

/**
 * A file's text at `ref` through the contents API, or undefined when it does not exist there (404).
 * Other errors propagate: the caller must not mistake "could not read the base policy" for "no policy".
 */
export async function readAtRef(client: GitHubClient, ev: GateEvent, path: string, ref: string, maxBytes: number): Promise<Buffer | undefined> {
  try {
    const res = await client.rest.repos.getContent({
      owner: ev.owner, repo: ev.repo, path, ref, mediaType: { format: 'raw' },
    });
    const data = res.data as unknown;
    if (typeof data === 'string') return Buffer.from(data, 'utf8').subarray(0, maxBytes);
    if (data instanceof ArrayBuffer) return Buffer.from(data).subarray(0, maxBytes);
    // A directory listing (the path is a folder), or a JSON body where raw was asked for: not a file.
    const json = data as { type?: string; content?: string; encoding?: string };
    if (json && json.type === 'file' && typeof json.content === 'string' && json.encoding === 'base64') {
      return Buffer.from(json.content, 'base64').subarray(0, maxBytes);
    }
    return undefined;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Reads at most `maxBytes` of a file under `root`; undefined when it is absent, not a regular file, or reached
 * through a symbolic link (the PR controls the tree: a link could point anywhere on the runner).
 */
export async function readLocal(root: string, path: string, maxBytes: number): Promise<Buffer | undefined> {
  if (!safePath(path)) return undefined;
  let fh;
  try {
    const abs = join(root, normalize(path));
    const realRoot = await realpath(root);
    if (await realpath(abs) !== join(realRoot, normalize(path)) || !abs.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
    fh = await open(abs, fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0) | (fsc.O_NONBLOCK ?? 0));
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(maxBytes, st.size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** The change as run-level rules see it: base files through the API, head files from the checkout. */
export function changeBase(opts: {
  client: GitHubClient; ev: GateEvent; root: string; policyPath: string; changes: Change[]; logger: Logger;
}): ChangeBase {
  const { client, ev, root, logger } = opts;
  return {
    ref: ev.baseSha!,
    policyPath: opts.policyPath,
    changes: opts.changes,
    readBase: async (path, maxBytes) => {
      try {
        return await readAtRef(client, ev, path, ev.baseSha!, maxBytes);
      } catch (error) {
        logger.warning(`could not read a file at the base commit (${describeError(error)})`);
        throw error;
      }
    },
    readHead: (path, maxBytes) => readLocal(root, path, maxBytes),
  };
}
