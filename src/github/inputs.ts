/**
 * The action's inputs, validated: a wrong value is the user's mistake (ConfigurationError naming the input),
 * never a silent default. Policy options (fail-on, scope) are left undefined when empty, so that their
 * defaults come from the policy schema only.
 */
import { ConfigurationError } from '../engine/errors.js';
import { SEVERITIES, isSeverity, type Severity } from '../engine/severity.js';
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
  const mode = get('mode').trim();
  if (mode && mode !== 'scan') throw new ConfigurationError(`input mode "${mode}" is not supported; expected scan`);
  const shard = get('shard').trim();
  if (shard && shard !== '1/1') throw new ConfigurationError(`input shard "${shard}" is not supported yet; leave it empty (or 1/1)`);
  return {
    ...(policy ? { policy } : {}),
    token: get('token'),
    ...(failOn ? { failOn: failOn as Severity } : {}),
    ...(scope ? { scope: oneOf('scope', scope, ['changed', 'all'] as const, 'changed') } : {}),
    checkName: get('check-name').trim() || 'AI pipeline gate',
    comment: oneOf('comment', get('comment').trim(), ['always', 'on-failure', 'never'] as const, 'on-failure'),
    annotations: oneOf('annotations', get('annotations').trim(), ['check-run', 'workflow-commands', 'both'] as const, 'check-run'),
    sarifFile: relativeFile('sarif-file', get('sarif-file').trim() || 'ai-gate.sarif'),
    reportFile: 'ai-gate-report.json',
  };
}
