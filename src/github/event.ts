/**
 * What the gate needs to know about the workflow run, read from the event payload and GITHUB_* variables:
 * which commit the check run goes on, what the change is compared with, and whether it is a pull request.
 * Pure (no I/O), so that every event shape is tested without a runner.
 */
import { ConfigurationError } from '../engine/errors.js';

export type EventKind = 'pull_request' | 'merge_group' | 'whole-tree';

export interface GateEvent {
  eventName: string;
  kind: EventKind;
  owner: string;
  repo: string;
  /**
   * The commit findings are about and the check run goes on: the PR head, not the merge commit in GITHUB_SHA.
   * Empty outside a runner (no commit known): no check run then.
   */
  headSha: string;
  /** The commit the change is compared with (PR base, merge-group base). */
  baseSha?: string;
  pullNumber?: number;
  /** The PR comes from another repository (its token is usually read-only). */
  fromFork: boolean;
  /** The PR's own count of changed files, when the payload gives it. */
  changedFiles?: number;
  serverUrl: string;
  runUrl?: string;
}

type Json = Record<string, any>;

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function sha(value: unknown, what: string): string {
  if (typeof value !== 'string' || !SHA.test(value)) throw new ConfigurationError(`the event payload has no valid ${what} (got ${JSON.stringify(value)?.slice(0, 80)})`);
  return value;
}

export function readEvent(eventName: string, payload: Json, env: NodeJS.ProcessEnv): GateEvent {
  const [envOwner, envRepo] = (env.GITHUB_REPOSITORY ?? '/').split('/');
  const owner: string = payload.repository?.owner?.login ?? envOwner ?? '';
  const repo: string = payload.repository?.name ?? envRepo ?? '';
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const runUrl = env.GITHUB_RUN_ID ? `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const common = { eventName, owner, repo, serverUrl, ...(runUrl ? { runUrl } : {}) };

  if (!owner || !repo) {
    // Not on a runner (a local run of the bundle): scan the checkout; there is nothing to report to.
    return { ...common, kind: 'whole-tree', headSha: '', fromFork: false };
  }
  // pull_request_review re-runs the gate when a review is submitted (governance/required-review); same PR shape.
  if ((eventName === 'pull_request' || eventName === 'pull_request_target' || eventName === 'pull_request_review') && payload.pull_request) {
    const pr = payload.pull_request;
    const headRepo = pr.head?.repo?.full_name;
    return {
      ...common,
      kind: 'pull_request',
      headSha: sha(pr.head?.sha, 'pull_request.head.sha'),
      baseSha: sha(pr.base?.sha, 'pull_request.base.sha'),
      pullNumber: Number(pr.number ?? payload.number),
      fromFork: Boolean(pr.head?.repo?.fork) || (typeof headRepo === 'string' && headRepo !== `${owner}/${repo}`),
      ...(typeof pr.changed_files === 'number' ? { changedFiles: pr.changed_files } : {}),
    };
  }
  if (eventName === 'merge_group' && payload.merge_group) {
    return {
      ...common,
      kind: 'merge_group',
      headSha: sha(payload.merge_group.head_sha, 'merge_group.head_sha'),
      baseSha: sha(payload.merge_group.base_sha, 'merge_group.base_sha'),
      fromFork: false,
    };
  }
  // push, workflow_dispatch, schedule and anything else: the whole repository at the checked-out commit.
  const head = eventName === 'push' && typeof payload.after === 'string' && SHA.test(payload.after) ? payload.after : env.GITHUB_SHA;
  return { ...common, kind: 'whole-tree', headSha: typeof head === 'string' && SHA.test(head) ? head : '', fromFork: false };
}
