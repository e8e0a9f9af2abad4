/**
 * The action's inputs, validated: a wrong value is the user's mistake (ConfigurationError naming the input),
 * never a silent default. Policy options (fail-on, scope) are left undefined when empty, so that their
 * defaults come from the policy schema only.
 */
import { ConfigurationError } from '../engine/errors.js';
import { SEVERITIES, isSeverity, type Severity } from '../engine/severity.js';
import { parseShard, type Shard } from '../engine/shard.js';
import type { CommentMode } from '../report/comment.js';
import type { AnnotationMode } from './publish.js';

export interface ActionInputs {
  policy?: string;
  token: string;
  failOn?: Severity;
  scope?: 'changed' | 'all';
  checkName: string;
  comment: CommentMode;
  annotations: AnnotationMode;
  sarifFile: string;
  reportFile: string;
  /** `scan` (default) or `merge`: combine the shards' JSON reports found under `reports` into one verdict. */
  mode: 'scan' | 'merge';
  /** `shard: i/n` with n > 1: check only this shard's files and leave the verdict and GitHub surfaces to the merge. */
  shard?: Shard;
  /** mode: merge: the workspace folder holding the shards' JSON reports (download-artifact's path). */
  reports: string;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(`input ${name} "${value}" is not valid; expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A workspace-relative output path: no absolute paths, no climbing out of the workspace. */
function relativeFile(name: string, value: string): string {
  if (value.startsWith('/') || value.split(/[\\/]/).includes('..')) {
    throw new ConfigurationError(`input ${name} "${value}" must be a path inside the workspace`);
  }
  return value;
}

export function readInputs(get: (name: string) => string): ActionInputs {
  const failOn = get('fail-on').trim();
  if (failOn && !isSeverity(failOn)) {
    throw new ConfigurationError(`input fail-on "${failOn}" is not a severity; expected one of ${SEVERITIES.join(', ')}`);
  }
  const scope = get('scope').trim();
  const policy = get('policy').trim();
  const mode = oneOf('mode', get('mode').trim(), ['scan', 'merge'] as const, 'scan');
  const shardText = get('shard').trim();
  const shard = shardText ? parseShard(shardText, 'input shard') : undefined;
  if (shard && shard.total > 1 && mode === 'merge') throw new ConfigurationError('input shard is for the scan jobs; the merge job (mode: merge) takes no shard');
  return {
    ...(policy ? { policy } : {}),
    token: get('token'),
    ...(failOn ? { failOn: failOn as Severity } : {}),
    ...(scope ? { scope: oneOf('scope', scope, ['changed', 'all'] as const, 'changed') } : {}),
    checkName: get('check-name').trim() || 'AI pipeline gate',
    comment: oneOf('comment', get('comment').trim(), ['always', 'on-failure', 'never'] as const, 'on-failure'),
    annotations: oneOf('annotations', get('annotations').trim(), ['check-run', 'workflow-commands', 'both'] as const, 'check-run'),
    sarifFile: relativeFile('sarif-file', get('sarif-file').trim() || 'ai-gate.sarif'),
    reportFile: shard && shard.total > 1 ? `ai-gate-report-${shard.index}-of-${shard.total}.json` : 'ai-gate-report.json',
    mode,
    ...(shard && shard.total > 1 ? { shard } : {}),
    reports: relativeFile('reports', get('reports').trim() || 'ai-gate-reports'),
  };
}
