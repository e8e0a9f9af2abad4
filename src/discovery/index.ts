/**
 * Discovery: the files in scope, each with its first bytes read once and classified.
 *
 * Candidates come from git where the root is inside a checkout (tracked files plus untracked ones that are
 * not ignored; with `base`, only what changed since it), else from a walk of the tree. Every candidate is
 * lstat'ed before anything is opened:
 *  - a symlink whose target (resolved, or for a dangling link, read lexically) lies outside the root is a
 *    `symlink-escape` issue, whether or not the target exists; so is one into a `.git` directory;
 *  - a symlink to a regular file inside the root is scanned under the link's path only when the target is not
 *    itself a candidate (otherwise the target is scanned once, under its own path); a dangling link inside
 *    the root and a link to a directory are skipped (directories reached by a link are never descended);
 *  - FIFOs, sockets and devices are never opened: `special-file`;
 *  - regular files are opened with O_NOFOLLOW | O_NONBLOCK and fstat'ed again, so that a file swapped for a
 *    FIFO or a link between lstat and open is still never read.
 * A name that is not valid UTF-8 cannot be handed on as a string path, so it becomes an `unreadable` issue
 * rather than disappearing.
 */
import { closeSync, constants as fsc, fstatSync, lstatSync, openSync, readSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import picomatch from 'picomatch';
import { ConfigurationError } from '../engine/errors.js';
import type { Logger } from '../engine/logger.js';
import { classify } from './classify.js';
import { gitChangedFiles, gitListFiles, gitTopLevel } from './git.js';
import { HEAD_BYTES, type ChangeType, type DiscoveryIssue, type DiscoveryResult, type ScannedFile } from './types.js';
import { walkTree } from './walk.js';

export { classify } from './classify.js';

export interface DiscoverOptions {
  /** The directory to scan; paths in the result are relative to it. */
  root: string;
  /** A git ref: scan only what changed between it and the working tree. */
  base?: string;
  /** picomatch globs relative to the root (dot files included); a glob matching a directory covers what is below. */
  ignore: string[];
  logger: Logger;
  /** How many leading bytes to read into `head`. Default HEAD_BYTES. */
  maxHeadBytes?: number;
  /**
   * The change's files as a caller already knows them (a PR's files from the GitHub API), relative to the
   * root: only these are candidates, and git is not asked. Takes precedence over `base`.
   */
  changes?: ChangeList;
  /** Called with each file as it is found (before discovery ends), for work that can start at once. */
  onFile?: (file: ScannedFile) => void;
}

/** Files a change touched, by path relative to the scanned root. */
export interface ChangeList {
  changed: Array<{ path: string; change: Exclude<ChangeType, 'unchanged'>; previousPath?: string }>;
  deleted: string[];
}

interface Candidate {
  raw: Buffer;
  path: string;
  change: ChangeType;
  previousPath?: string;
}

/** Files inspected between two turns of the event loop (the checks themselves are synchronous: see inspect). */
const YIELD_EVERY = 512;
const OPEN_FLAGS = fsc.O_RDONLY | (fsc.O_NONBLOCK ?? 0) | (fsc.O_NOFOLLOW ?? 0);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function discover(opts: DiscoverOptions): Promise<DiscoveryResult> {
  const root = nodePath.resolve(opts.root);
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new ConfigurationError(`scan root "${opts.root}" is not a directory`);
  const ctx: Context = {
    root, realRoot: await realpath(root), logger: opts.logger, maxHead: opts.maxHeadBytes ?? HEAD_BYTES,
    files: [], issues: [], listed: new Set(), parents: new Map(), onFile: opts.onFile,
  };
  const isIgnored = ignoreMatcher(opts.ignore);
  const { candidates, deleted, unlistable } = await listCandidates(root, opts);
  for (const u of unlistable) ctx.issues.push({ path: lossy(u.raw), kind: 'unreadable', detail: u.detail });

  let ignored = 0;
  const seen = new Set<string>();
  const todo: Candidate[] = [];
  for (const c of candidates) {
    const key = c.raw.toString('latin1');
    if (seen.has(key) || c.path.split('/').includes('.git')) continue;
    seen.add(key);
    if (isIgnored(c.path)) { ignored++; continue; }
    todo.push(c);
    ctx.listed.add(c.path);
  }
  for (let k = 0; k < todo.length; k++) {
    if (k > 0 && k % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    inspect(ctx, todo[k]);
  }

  ctx.files.sort((a, b) => cmp(a.path, b.path));
  ctx.issues.sort((a, b) => cmp(a.path, b.path) || cmp(a.kind, b.kind));
  const deletedPaths = [...new Set(deleted.map(lossy))].filter((p) => !p.split('/').includes('.git') && !isIgnored(p)).sort(cmp);
  opts.logger.debug(`discovery: ${ctx.files.length} files, ${ctx.issues.length} issues, ${ignored} ignored, ${deletedPaths.length} deleted`);
  return { files: ctx.files, issues: ctx.issues, ignored, deleted: deletedPaths };
}

interface Listing {
  candidates: Candidate[];
  deleted: Buffer[];
  /** Directories the walk could not list. */
  unlistable: Array<{ raw: Buffer; detail: string }>;
}

async function listCandidates(root: string, opts: DiscoverOptions): Promise<Listing> {
  if (opts.changes) {
    const candidates = opts.changes.changed.map((c) => ({
      raw: Buffer.from(c.path, 'utf8'), path: c.path, change: c.change, ...(c.previousPath !== undefined ? { previousPath: c.previousPath } : {}),
    }));
    return { candidates, deleted: opts.changes.deleted.map((p) => Buffer.from(p, 'utf8')), unlistable: [] };
  }
  const git = await gitTopLevel(root);
  if (opts.base !== undefined) {
    if (!git.top) throw new ConfigurationError(`a base ref ("${opts.base}") needs a git checkout, but ${opts.root} is not in one: ${git.reason}`);
    const { changed, deleted } = await gitChangedFiles(root, opts.base);
    const candidates = changed.map((c) => ({
      raw: c.raw, path: lossy(c.raw), change: c.change, ...(c.previousRaw ? { previousPath: lossy(c.previousRaw) } : {}),
    }));
    return { candidates, deleted, unlistable: [] };
  }
  if (git.top) {
    const candidates: Candidate[] = (await gitListFiles(root)).map((raw) => ({ raw, path: lossy(raw), change: 'unchanged' }));
    if (candidates.length === 0) {
      // Scanning an ignored folder of a checkout (node_modules, a data cache) finds nothing to scan: say why.
      opts.logger.warning(`git lists no files under ${opts.root} (all ignored or none there); nothing to scan. Scan a copy outside the checkout to inspect ignored files.`);
    }
    return { candidates, deleted: [], unlistable: [] };
  }
  const message = `git cannot be used at ${root} (${git.reason}); scanning every file below it`;
  if (/dubious ownership|safe\.directory/.test(git.reason)) opts.logger.warning(message);
  else opts.logger.debug(message);
  const walked = await walkTree(root);
  const candidates: Candidate[] = walked.paths.map((raw) => ({ raw, path: lossy(raw), change: 'unchanged' }));
  return { candidates, deleted: [], unlistable: walked.unreadable };
}

function lossy(raw: Buffer): string {
  return raw.toString('utf8');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ignoreMatcher(patterns: string[]): (path: string) => boolean {
  const cleaned = patterns.map((p) => p.replace(/^\.\//, '')).filter((p) => p !== '');
  if (cleaned.length === 0) return () => false;
  let match: (p: string) => boolean;
  try {
    match = picomatch(cleaned.map((p) => (p.endsWith('/') ? `${p}**` : p)), { dot: true });
  } catch (e) {
    throw new ConfigurationError(`paths.ignore: invalid glob (${(e as Error).message})`);
  }
  // Whether a directory is ignored, asked once per directory rather than once per file below it.
  const dirs = new Map<string, boolean>();
  const dirIgnored = (dir: string): boolean => {
    let hit = dirs.get(dir);
    if (hit === undefined) {
      const slash = dir.lastIndexOf('/');
      hit = (slash > 0 && dirIgnored(dir.slice(0, slash))) || match(dir);
      dirs.set(dir, hit);
    }
    return hit;
  };
  return (path) => {
    if (match(path)) return true;
    if (path.startsWith('/')) return false; // no parent directories to ask about (the walk never makes such a path)
    const slash = path.lastIndexOf('/');
    return slash > 0 && dirIgnored(path.slice(0, slash));
  };
}

interface Context {
  root: string;
  realRoot: string;
  logger: Logger;
  maxHead: number;
  files: ScannedFile[];
  issues: DiscoveryIssue[];
  /** Candidate paths (after ignores): a symlink to one of these is not scanned a second time. */
  listed: Set<string>;
  /** Real path of each parent directory met, resolved once (undefined: it is not there). */
  parents: Map<string, string | undefined>;
  onFile?: (file: ScannedFile) => void;
}

function inside(realRoot: string, p: string): boolean {
  return p === realRoot || p.startsWith(realRoot.endsWith(nodePath.sep) ? realRoot : realRoot + nodePath.sep);
}

const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

/**
 * One candidate, judged and (when it is a regular file in the tree) read. Every call here is synchronous: a
 * thread-pool round trip per lstat/open/fstat/read/close cost more than the calls themselves for a repository
 * of small files, and none of them can block on a FIFO or a device (those are never opened; the open itself is
 * O_NONBLOCK, so one swapped in after the lstat does not block either).
 */
function inspect(ctx: Context, c: Candidate): void {
  const issue = (kind: DiscoveryIssue['kind'], detail: string): void => { ctx.issues.push({ path: c.path, kind, detail }); };
  let name: string;
  try {
    name = utf8.decode(c.raw);
  } catch {
    issue('unreadable', 'the file name is not valid UTF-8, so it cannot be scanned; rename it');
    return;
  }
  const abs = nodePath.join(ctx.root, name);
  // A file the change touched (not deleted) that is not in the checkout cannot be scanned: say so, loudly (the
  // usual cause is pull_request_target's default checkout of the base branch).
  const missing = (): void => {
    if (c.change !== 'unchanged') issue('missing', 'the change adds or modifies it, but it is not in the checkout, so it was not scanned');
  };
  const parent = realParent(ctx, nodePath.dirname(abs));
  if (parent === undefined) { missing(); return; } // the directory is not there
  if (!inside(ctx.realRoot, parent)) {
    issue('symlink-escape', 'a parent directory is a symbolic link that leads outside the scanned root; not followed');
    return;
  }
  let st: Stats | undefined;
  try {
    st = lstatSync(abs, { throwIfNoEntry: false });
  } catch (e) {
    if (errCode(e) === 'ENOTDIR') { missing(); return; } // not in the working tree
    issue('unreadable', `cannot be examined (${errCode(e)})`);
    return;
  }
  if (st === undefined) { missing(); return; } // ENOENT: not in the working tree
  if (st.isSymbolicLink()) { inspectLink(ctx, c, abs, parent, issue); return; }
  if (st.isDirectory()) { ctx.logger.debug(`discovery: skipping directory entry ${JSON.stringify(c.path)} (a submodule or nested repository)`); return; }
  if (!st.isFile()) { issue('special-file', `${specialKind(st)}; never opened`); return; }
  readFile(ctx, c, abs, issue);
}

function realParent(ctx: Context, dir: string): string | undefined {
  if (ctx.parents.has(dir)) return ctx.parents.get(dir);
  let real: string | undefined;
  try {
    real = realpathSync.native(dir);
  } catch {
    real = undefined;
  }
  ctx.parents.set(dir, real);
  return real;
}

function specialKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

type IssueFn = (kind: DiscoveryIssue['kind'], detail: string) => void;

function inspectLink(ctx: Context, c: Candidate, abs: string, realDir: string, issue: IssueFn): void {
  let text: string;
  try {
    text = readlinkSync(abs);
  } catch {
    text = '?';
  }
  let real: string | undefined;
  try {
    real = realpathSync.native(abs);
  } catch {
    real = undefined;
  }
  if (real === undefined) {
    // Dangling (or a loop): harmless inside the tree, an escape attempt if it points out of it.
    if (!inside(ctx.realRoot, nodePath.resolve(realDir, text))) {
      issue('symlink-escape', `symbolic link to ${JSON.stringify(text)} points outside the scanned root (the target does not exist); not followed`);
    } else {
      ctx.logger.debug(`discovery: skipping dangling symbolic link ${JSON.stringify(c.path)}`);
    }
    return;
  }
  if (!inside(ctx.realRoot, real)) {
    issue('symlink-escape', `symbolic link to ${JSON.stringify(text)} points outside the scanned root (the target exists); not followed`);
    return;
  }
  const relTarget = nodePath.relative(ctx.realRoot, real).split(nodePath.sep).join('/');
  if (relTarget.split('/').includes('.git')) {
    issue('symlink-escape', `symbolic link to ${JSON.stringify(text)} points into a .git directory; not followed`);
    return;
  }
  // The resolved target is examined without following anything further: realpath left no link in it, and a
  // link swapped in since then is refused by readFile's O_NOFOLLOW open.
  let st: Stats;
  try {
    st = lstatSync(real);
  } catch (e) {
    issue('unreadable', `symbolic link to ${JSON.stringify(text)} cannot be examined (${errCode(e)})`);
    return;
  }
  if (st.isDirectory()) { ctx.logger.debug(`discovery: not descending symbolic link to a directory ${JSON.stringify(c.path)}`); return; }
  if (st.isSymbolicLink()) { issue('unreadable', 'became a symbolic link while being scanned; not followed'); return; }
  if (!st.isFile()) { issue('special-file', `symbolic link to ${JSON.stringify(text)}, which is ${specialKind(st)}; never opened`); return; }
  if (ctx.listed.has(relTarget)) {
    ctx.logger.debug(`discovery: ${JSON.stringify(c.path)} links to ${JSON.stringify(relTarget)}, which is scanned under its own path`);
    return;
  }
  readFile(ctx, c, real, issue);
}

function readFile(ctx: Context, c: Candidate, abs: string, issue: IssueFn): void {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT') return;
    if (code === 'ELOOP') issue('unreadable', 'became a symbolic link while being scanned; not followed');
    else if (code === 'ENXIO') issue('special-file', 'a socket or device (it cannot be opened for reading); never read');
    else issue('unreadable', `cannot be opened (${code})`);
    return;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      if (!st.isDirectory()) issue('special-file', `${specialKind(st)} (it changed while being scanned); never read`);
      return;
    }
    const want = Math.min(ctx.maxHead, st.size);
    // allocUnsafe: only the bytes read are handed on (the subarray below), never what the buffer held before.
    const head = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, head, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    const bytes = got < want ? head.subarray(0, got) : head;
    const { kind, format } = classify(c.path, bytes, st.size);
    const file: ScannedFile = {
      path: c.path, absPath: abs, size: st.size, kind, format, head: bytes, change: c.change,
      ...(c.previousPath !== undefined ? { previousPath: c.previousPath } : {}),
    };
    ctx.files.push(file);
    ctx.onFile?.(file);
  } catch (e) {
    issue('unreadable', `cannot be read (${errCode(e)})`);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already closed or never fully opened: nothing to release
    }
  }
}
