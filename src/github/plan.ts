/**
 * Decides what to scan for the event: for a pull request or merge group, the policy at the base commit
 * (never the PR's own copy) and the files the change touched; for anything else, the whole tree with the
 * checkout's policy. Each fallback is recorded as a note for the report.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeList } from '../discovery/index.js';
import { runGit } from '../discovery/git.js';
import { ConfigurationError } from '../engine/errors.js';
import type { Logger } from '../engine/logger.js';
import type { ChangeBase } from '../engine/rule.js';
import { DEFAULT_POLICY_FILE, MAX_POLICY_BYTES } from '../policy/load.js';
import { describeError, type GitHubClient } from './client.js';
import type { GateEvent } from './event.js';
import {
  PULL_FILES_CAP, changeBase, gitChanges, hasCommit, mergeGroupChanges, pullRequestChanges, readAtRef, readLocal,
  toChangeList, type ChangeSet,
} from './pr.js';
import { reviewLookup } from './reviews.js';

export interface ScanPlan {
  policyFile: string;
  policyExplicit: boolean;
  /** Set for changes: the base's policy text, or null when the base has none. */
  policyText?: string | null;
  changes?: ChangeList;
  /** A git base for discovery (the fallback past the API's caps). */
  base?: string;
  baseLabel?: string;
  change?: ChangeBase;
  notes: string[];
}

export async function planScan(opts: {
  client?: GitHubClient; ev: GateEvent; workspace: string; policyInput?: string; logger: Logger;
}): Promise<ScanPlan> {
  const { client, ev, workspace, logger } = opts;
  const policyFile = opts.policyInput ?? DEFAULT_POLICY_FILE;
  const notes: string[] = [];
  if (ev.kind === 'whole-tree' || !ev.baseSha) {
    logger.info(`Event ${ev.eventName}: scanning the whole repository with the policy in the checkout.`);
    return { policyFile, policyExplicit: opts.policyInput !== undefined, notes };
  }
  const baseSha = ev.baseSha;
  const short = baseSha.slice(0, 7);
  const gitHasBase = await hasCommit(workspace, baseSha);

  // The policy that judges the change is the base branch's: the PR cannot weaken it.
  let text: Buffer | undefined;
  if (client) {
    try {
      text = await readAtRef(client, ev, policyFile, baseSha, MAX_POLICY_BYTES + 1);
    } catch (error) {
      throw new ConfigurationError(`could not read the policy ${policyFile} at the base commit ${short} (${describeError(error)}); the PR's own copy is not trusted`);
    }
  } else if (gitHasBase) {
    text = await gitShow(workspace, baseSha, policyFile);
  } else {
    throw new ConfigurationError(`no token and no base commit ${short} in the checkout: the base branch's policy cannot be read`);
  }
  const policyText = text === undefined ? null : text.toString('utf8');
  if (policyText === null) {
    logger.info(`No policy file ${policyFile} on the base branch (${short}); using the built-in recommended policy.`);
    notes.push(`The base branch (${short}) has no policy file ${policyFile}: the built-in recommended policy was used.`);
  } else {
    logger.info(`Policy: ${policyFile} at the base commit ${short}.`);
  }

  let set: ChangeSet | undefined;
  if (client) set = ev.kind === 'pull_request' ? await pullRequestChanges(client, ev) : await mergeGroupChanges(client, ev);
  let changes: ChangeList | undefined;
  let base: string | undefined;
  if (set?.complete) {
    changes = toChangeList(set);
    logger.info(`${set.changes.length} changed files listed by the ${set.source === 'pulls-api' ? 'pulls' : 'compare'} API.`);
  } else if (gitHasBase) {
    const listed = set ? `the API lists only ${set.changes.length} of its files (GitHub's cap is ${PULL_FILES_CAP.toLocaleString('en-US')} for a pull request)` : 'no token was given to list its files';
    set = await gitChanges(workspace, baseSha);
    base = baseSha;
    notes.push(`This change is larger than the API can list: ${listed}. The changed files came from git diff against ${short} instead (${set.changes.length} files).`);
    logger.warning(notes[notes.length - 1]);
  } else {
    const listed = set ? `the API lists only ${set.changes.length} of its files` : 'no token was given to list its files';
    notes.push(`This change is larger than the API can list (${listed}) and the checkout does not hold the base commit ${short}: the whole tree was scanned instead. Check out with fetch-depth: 0 to scan only the change.`);
    logger.warning(notes[notes.length - 1]);
  }
  if (changes) await noteMissing(workspace, changes, ev, notes, logger);
  const change = set && client ? changeBase({ client, ev, root: workspace, policyPath: policyFile, changes: set.changes, logger }) : undefined;
  // A pull request's reviews, read only if governance/required-review asks (a protected path changed).
  if (change && client && ev.kind === 'pull_request' && ev.pullNumber) {
    change.reviews = reviewLookup(client, { owner: ev.owner, repo: ev.repo, pullNumber: ev.pullNumber, headSha: ev.headSha });
  }
  return {
    policyFile,
    policyExplicit: policyText !== null && opts.policyInput !== undefined,
    policyText,
    ...(changes ? { changes } : {}),
    ...(base ? { base } : {}),
    baseLabel: short,
    ...(change ? { change } : {}),
    notes,
  };
}

/**
 * Changed files absent from the checkout are not scanned: say so, rather than pass them silently. The usual
 * cause is pull_request_target, whose default checkout is the base branch.
 */
async function noteMissing(root: string, changes: ChangeList, ev: GateEvent, notes: string[], logger: Logger): Promise<void> {
  let missing = 0;
  for (const c of changes.changed) if (!(await lstat(join(root, c.path)).then(() => true, () => false))) missing++;
  if (missing === 0) return;
  const hint = ev.eventName === 'pull_request_target'
    ? ' pull_request_target checks out the base branch by default: check out the PR head (ref: the PR head SHA, persist-credentials: false); the gate only reads it.'
    : ' Check out the commit under review before the gate runs.';
  notes.push(`${missing} of the ${changes.changed.length} changed files are not in the checkout, so they were not scanned.${hint}`);
  logger.warning(notes[notes.length - 1]);
}

async function gitShow(root: string, sha: string, path: string): Promise<Buffer | undefined> {
  const r = await runGit(root, ['show', `${sha}:${path}`]);
  return r.ok ? r.stdout.subarray(0, MAX_POLICY_BYTES + 1) : undefined;
}

export { readLocal };
