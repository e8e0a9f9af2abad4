/**
 * Shared by the pipeline config rules (DVC, MLflow): shell commands that fetch and run remote code, URLs with
 * credentials in them, and mapping a match in a scalar's value back to its line and column in the file.
 */
import { redact } from '../engine/redact.js';
import type { Severity } from '../engine/severity.js';
import { CURL_PIPE_SHELL } from '../formats/workflow.js';
import type { YamlPosition } from '../formats/yaml-positions.js';
import { findSecrets } from './secrets.js';

/** Process substitution and `-c "$(curl …)"` forms that CURL_PIPE_SHELL does not cover. */
const FETCH_AND_RUN = /\b(?:(?:ba|z)?sh|python[0-9.]*)\s+<\(\s*(?:curl|wget)\b|\bpython[0-9.]*\s+-c\s+["']?\$\(\s*(?:curl|wget)\b/;
/** Installing code straight from a URL or a git branch: not reviewed, not pinned. */
const REMOTE_INSTALL = /\bpip3?\s+install\b[^\n;&|]*?\s(git\+[^\s"']+|https?:\/\/[^\s"']+)/;

export interface CommandRisk { kind: 'fetch-and-run' | 'remote-install'; match: string; index: number }

export function commandRisk(cmd: string): CommandRisk | undefined {
  const m = CURL_PIPE_SHELL.exec(cmd) ?? FETCH_AND_RUN.exec(cmd);
  if (m) return { kind: 'fetch-and-run', match: m[0], index: m.index };
  const p = REMOTE_INSTALL.exec(cmd);
  if (p && !/@[0-9a-f]{40}\b/.test(p[1]) && !/#sha256=/.test(p[1])) return { kind: 'remote-install', match: p[1], index: p.index + p[0].indexOf(p[1]) };
  return undefined;
}

export interface UrlCredential {
  /** The URL with the credential redacted, safe for a message. */
  shown: string;
  /** Raw values for `sensitive`. */
  values: string[];
  severity: Severity;
  what: string;
}

/** `scheme://user:password@host` (or a token as the user) and any credential format found in the value. */
export function urlCredential(url: string): UrlCredential | undefined {
  const u = /^([a-z][\w+.-]*:\/\/)([^/@\s]+)@/i.exec(url);
  const secrets = findSecrets(url);
  if (!u && secrets.length === 0) return undefined;
  const values = secrets.map((s) => s.value);
  let shown = url;
  let what = '';
  if (u) {
    const [user, pass] = splitOnce(u[2], ':');
    if (pass !== undefined && pass !== '') { values.push(pass); what = 'a password in the URL'; }
    else if (user.length >= 16) { values.push(user); what = 'a token in the URL'; }
    else if (!secrets.length) return undefined; // a bare user name (git@, ssh user@host) is not a secret
  }
  what ||= `a credential (${secrets[0].detector})`;
  for (const v of values) shown = shown.split(v).join(redact(v));
  const severity: Severity = secrets.some((s) => s.severity === 'critical') ? 'critical' : 'high';
  return { shown, values, severity, what };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** 1-based line/column of offset `at` in `text`. */
export function positionAt(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < at; k = text.indexOf('\n', k + 1)) { line++; start = k + 1; }
  return { line, column: at - start + 1 };
}

/**
 * Where `needle` (found inside a scalar that starts at `pos`) sits in the source: the first line of the needle
 * searched from the scalar's start, else the scalar's own position.
 */
export function locateInScalar(source: string, pos: YamlPosition | undefined, needle: string): { line?: number; column?: number } {
  if (!pos) return {};
  const first = needle.split('\n')[0];
  const at = first ? source.indexOf(first, pos.offset) : -1;
  return at >= 0 ? positionAt(source, at) : { line: pos.line, column: pos.column };
}
