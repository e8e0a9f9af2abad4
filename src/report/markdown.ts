/**
 * Markdown for GitHub surfaces (check-run summary, job summary, PR comment). Every string that may come from
 * the PR (file names, archive members, messages quoting matched text) goes through `md()` or `code()`, so
 * that it cannot add markup, raw HTML, links, table cells, or notifications (`@user`, `@org/team`), and
 * cannot end the hidden marker comment.
 */
import type { Finding } from '../engine/finding.js';
import { SEVERITY_TABLE } from './severity.js';

/** Where links point: the repository's web URL and the commit the findings are about. */
export interface LinkContext {
  /** e.g. https://github.com/octo/repo */
  repoUrl: string;
  /** The PR head (or pushed) commit. */
  sha: string;
}

// Control and bidi characters would reorder or hide text; newlines would end a table row.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start markup.
const PUNCTUATION = /[\\`*_{}[\]()#+\-.!|<>~]/g;
const WORD_JOINER = '\u2060';

/** Plain text safe inside a paragraph or a table cell. */
export function md(text: string): string {
  return text
    .replace(INVISIBLE, ' ')
    .replace(/&/g, '&amp;')
    .replace(PUNCTUATION, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`))
    // A mention or a reference needs a word character right after `@` or `#`: a word joiner breaks it.
    .replace(/([@#])(?=[\w-])/g, `$1${WORD_JOINER}`);
}

/** A code span holding `text` verbatim (mentions and markup inside code are not processed). */
export function code(text: string): string {
  const clean = text.replace(INVISIBLE, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean === '' ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Percent-encodes each path segment, including the characters that end a Markdown link destination. */
export function encodePath(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/** A link to a file (and line) at the commit under review. */
export function fileLink(ctx: LinkContext | undefined, path: string, line?: number): string {
  const label = md(line !== undefined ? `${path}#L${line}` : path);
  if (!ctx) return label;
  return `[${label}](${ctx.repoUrl}/blob/${ctx.sha}/${encodePath(path)}${line !== undefined ? `#L${line}` : ''})`;
}

/** Where a finding is: file link, then the archive member or key path when there is one. */
export function whereCell(f: Finding, ctx: LinkContext | undefined): string {
  const parts = [fileLink(ctx, f.location.path, f.location.line)];
  if (f.location.member !== undefined) parts.push(code(f.location.member));
  else if (f.location.keyPath !== undefined) parts.push(code(f.location.keyPath));
  return parts.join(' › ');
}

/** One table row for a finding: icon, rule (linked to its docs), where, what. */
export function findingRow(f: Finding, ctx: LinkContext | undefined, helpUri: string): string {
  const icon = SEVERITY_TABLE[f.severity].icon;
  return `| ${icon} ${f.severity} | [${code(f.ruleId)}](${helpUri}) | ${whereCell(f, ctx)} | ${md(f.message)} |`;
}

export const FINDING_TABLE_HEAD = ['| | rule | where | what |', '|---|---|---|---|'];

/** `1,204` */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** Joins rendered blocks, dropping whole rows from the end of `rows` until the result fits `limit` characters. */
export function fitRows(head: string, rows: string[], tail: (omitted: number) => string, limit: number): { text: string; omitted: number } {
  let size = head.length + tail(rows.length).length + 2;
  let kept = 0;
  for (const row of rows) {
    if (size + row.length + 1 > limit) break;
    size += row.length + 1;
    kept++;
  }
  const omitted = rows.length - kept;
  return { text: [head, ...rows.slice(0, kept), tail(omitted)].filter((s) => s !== '').join('\n'), omitted };
}
