import picomatch from 'picomatch';
import type { Finding } from './finding.js';
import { severityRank, type Severity } from './severity.js';
import type { PolicyException } from '../policy/types.js';

/**
 * Inline suppressions: `# ai-gate: ignore[rule-id] reason` (also after `//`, `--` or inside `<!-- -->`), on
 * the finding's own line or alone on the line above it. Several ids may be listed, comma-separated.
 */
const INLINE = /(?:#|\/\/|--|<!--)\s*ai-gate:\s*ignore\[([^\]]*)\]\s*(.*?)\s*(?:-->)?\s*$/;

export interface InlineDirective {
  rules: string[];
  reason: string;
}

export function parseInlineDirective(line: string): InlineDirective | undefined {
  const m = INLINE.exec(line);
  if (!m) return undefined;
  const rules = m[1].split(',').map((r) => r.trim()).filter(Boolean);
  // In a notebook the comment sits inside a JSON string (`    "x = 1  # ai-gate: ignore[…] why\n",`):
  // the string's own tail is not part of the reason.
  const reason = /^\s*"/.test(line) ? m[2].replace(/(?:\\n)?"\s*,?$/, '').trimEnd() : m[2];
  return rules.length ? { rules, reason } : undefined;
}

/**
 * The most severe finding an inline directive may waive. A directive lives in the file under review, so a pull
 * request could write one beside its own finding: blocking-grade findings (high, critical) can only be excepted
 * in the policy, which the action reads from the base branch.
 */
export const INLINE_MAX_SEVERITY: Severity = 'medium';

/**
 * Marks findings covered by an inline directive; `lines` are the file's lines (index 0 is line 1). `ruleIds`:
 * every rule id there is, so that a directive beside a finding that names no rule (a typo) says so in the
 * finding, instead of the author believing it waived while it waives nothing.
 */
export function applyInline(findings: Finding[], lines: readonly string[], ruleIds?: ReadonlySet<string>): void {
  for (const f of findings) {
    const line = f.location.line;
    if (!line || f.suppression) continue;
    const own = lines[line - 1];
    const above = lines[line - 2];
    const candidates = [own, above !== undefined && isCommentOnly(above) ? above : undefined];
    let unknown: string[] = [];
    for (const text of candidates) {
      const directive = text === undefined ? undefined : parseInlineDirective(text);
      if (!directive) continue;
      if (directive.rules.includes(f.ruleId)) {
        if (severityRank(f.severity) < severityRank(INLINE_MAX_SEVERITY)) {
          f.message += ` (An inline ai-gate ignore comment names this rule, but ${f.severity} findings can only be excepted in the policy file.)`;
        } else {
          f.suppression = { kind: 'inline', reason: directive.reason || '(no reason given)' };
        }
        unknown = [];
        break;
      }
      if (ruleIds) unknown.push(...directive.rules.filter((r) => !ruleIds.has(r)));
    }
    if (unknown.length) f.message += ` (${unknownNote(unknown, f.ruleId, ruleIds!)})`;
  }
}

/** What a reviewer is told of a directive naming no rule: the id shown when it looks like one, and the nearest real id. */
function unknownNote(unknown: readonly string[], ruleId: string, ruleIds: ReadonlySet<string>): string {
  const shaped = unknown.filter((r) => /^[a-z0-9-]{1,40}\/[a-z0-9-]{1,60}$/i.test(r));
  const named = shaped.length === 0 ? 'something that is not a rule id'
    : `${shaped.map((r) => `"${r}"`).join(', ')}, which ${shaped.length === 1 ? 'is not a rule id' : 'are not rule ids'}`;
  const near = shaped.some((r) => editDistance(r.toLowerCase(), ruleId, 3) <= 3);
  return `An inline ai-gate ignore comment here names ${named}, so it waives nothing${near ? `; this finding's rule is ${ruleId}` : ''}.`;
}

/** Levenshtein distance of a and b, or more than `max` (stops early) when it exceeds `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

function isCommentOnly(line: string): boolean {
  return /^\s*(#|\/\/|--|<!--)/.test(line);
}

/** True when the exception has run out: it applies through its `expires` day, not after. */
export function isExpired(exception: PolicyException, today: string): boolean {
  return exception.expires < today;
}

/** Marks findings covered by a live policy exception (first matching exception wins). */
export function applyExceptions(findings: Finding[], exceptions: readonly PolicyException[], today: string): void {
  const live = exceptions
    .filter((e) => !isExpired(e, today))
    .map((e) => ({ e, match: picomatch(e.paths, { dot: true }) }));
  for (const f of findings) {
    if (f.suppression) continue;
    const hit = live.find(({ e, match }) => e.rule === f.ruleId && match(f.location.path));
    if (hit) {
      f.suppression = { kind: 'exception', reason: hit.e.reason, expires: hit.e.expires, exceptionIndex: hit.e.index };
    }
  }
}
