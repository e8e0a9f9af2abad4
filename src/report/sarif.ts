import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Location } from '../engine/finding.js';
import { REPO_URL, TOOL_NAME, ruleDocsUrl } from '../meta.js';
import { SEVERITY_TABLE } from './severity.js';
import type {
  ArtifactLocation,
  Region,
  ReportingDescriptor,
  SarifLocation,
  SarifLog,
  SarifNotification,
  SarifResult,
  SarifRun,
} from './sarif-types.js';
import type { Report, RuleSummary } from './types.js';

export type { SarifLog } from './sarif-types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Every result URI is relative to this base: the scanned root. */
export const SRCROOT = '%SRCROOT%';
/** The key of our own fingerprint in `partialFingerprints`; bump the version if the fingerprint's recipe changes. */
export const FINGERPRINT_KEY = 'aiGate/v1';

/**
 * What GitHub code scanning accepts (docs: "SARIF support for code scanning"): a run with more results is
 * rejected; names and descriptions beyond their limits are cut. The 10 MB (gzip) upload cap is not checked
 * here: with at most 25,000 results of bounded size the log stays well under it.
 */
export const GITHUB_LIMITS = {
  resultsPerRun: 25_000,
  ruleNameChars: 255,
  descriptionChars: 1024,
  /** Not a GitHub limit: a bound on any one message so a pathological finding cannot bloat the upload. */
  messageChars: 4096,
} as const;

export type Precision = 'very-high' | 'high' | 'medium' | 'low';

export interface SarifOptions {
  /**
   * The absolute path (or `file:` URL) that result URIs are relative to, recorded as `%SRCROOT%` in
   * `originalUriBaseIds`. Defaults to `report.root` when that is absolute; otherwise only described.
   */
  srcRoot?: string;
  /**
   * The scanned root relative to the repository root (`models` for `ai-gate scan models`), prefixed to every
   * URI. Code scanning resolves relative URIs against the repository root, so set it whenever the scanned root
   * is not the repository root (then `srcRoot`, if given, names the repository root).
   */
  pathPrefix?: string;
  /** Code scanning category (e.g. `ai-pipeline-gate/shard-2`), written as `runAutomationDetails.id`. */
  category?: string;
  /** At most this many results (default and maximum: GitHub's 25,000); open findings are kept first. */
  maxResults?: number;
}

/** The Report as one SARIF 2.1.0 run: every rule, every finding (suppressed ones marked, never dropped). */
export function toSarif(report: Report, options: SarifOptions = {}): SarifLog {
  const { descriptors, indexOf } = buildRules(report);
  const max = Math.max(0, Math.min(options.maxResults ?? GITHUB_LIMITS.resultsPerRun, GITHUB_LIMITS.resultsPerRun));
  const kept = selectFindings(report.findings, max);
  const omitted = report.findings.length - kept.length;
  const prefix = options.pathPrefix ?? '';
  const run: SarifRun = {
    tool: {
      driver: {
        name: TOOL_NAME,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: REPO_URL,
        rules: descriptors,
      },
    },
    ...(options.category ? { automationDetails: { id: automationId(options.category) } } : {}),
    invocations: [{
      executionSuccessful: true,
      ...(omitted > 0 ? { toolExecutionNotifications: [omittedNotification(omitted, report.findings.length, max)] } : {}),
    }],
    originalUriBaseIds: { [SRCROOT]: srcRootLocation(report, options) },
    columnKind: 'utf16CodeUnits',
    results: kept.map((f) => toResult(f, indexOf.get(f.ruleId)!, prefix)),
    properties: {
      passed: report.verdict.passed,
      failOn: report.verdict.failOn,
      counts: report.verdict.counts,
      scope: report.policy.scope,
      ...(omitted > 0 ? { resultsOmitted: omitted } : {}),
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

// ---------------------------------------------------------------------------------------------- rules

function buildRules(report: Report): { descriptors: ReportingDescriptor[]; indexOf: Map<string, number> } {
  const descriptors: ReportingDescriptor[] = [];
  const indexOf = new Map<string, number>();
  const add = (rule: RuleSummary): void => {
    if (indexOf.has(rule.id)) return;
    indexOf.set(rule.id, descriptors.length);
    descriptors.push(toDescriptor(rule));
  };
  report.rules.forEach(add);
  // A finding of a rule the report does not list (which would be a bug upstream) still needs a descriptor:
  // code scanning rejects a result whose rule it cannot find.
  for (const f of report.findings) {
    add({
      id: f.ruleId,
      description: `Findings of ${f.ruleId}.`,
      help: '',
      helpUri: ruleDocsUrl(f.ruleId),
      defaultSeverity: f.severity,
      enabled: true,
    });
  }
  return { descriptors, indexOf };
}

function toDescriptor(rule: RuleSummary & { precision?: Precision }): ReportingDescriptor {
  const table = SEVERITY_TABLE[rule.defaultSeverity];
  const helpUri = rule.helpUri || ruleDocsUrl(rule.id);
  const description = rule.description.trim() || rule.id;
  const markdown = rule.help.trim() || description;
  const text = markdownToText(markdown);
  return {
    id: rule.id,
    name: truncate(pascalCase(rule.id), GITHUB_LIMITS.ruleNameChars),
    shortDescription: { text: truncate(description, GITHUB_LIMITS.descriptionChars) },
    fullDescription: { text: truncate(firstParagraph(markdown) || description, GITHUB_LIMITS.descriptionChars) },
    help: {
      text: `${text}\n\nDocumentation: ${helpUri}`,
      markdown: `${markdown}\n\n[Documentation of ${rule.id}](${helpUri})`,
    },
    helpUri,
    defaultConfiguration: { enabled: rule.enabled, level: table.sarif },
    properties: {
      tags: ['security', rule.id.split('/')[0]!],
      'security-severity': table.securitySeverity,
      precision: rule.precision ?? 'high',
    },
  };
}

/** `model/unsafe-pickle` → `ModelUnsafePickle` (SARIF's "friendly name" is a Pascal-case identifier). */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Rule help is our own Markdown; `help.text` wants it readable as plain text. */
function markdownToText(markdown: string): string {
  return markdown
    .replace(/^```[^\n]*$/gm, '')
    .replace(/!?\[([^\]]*)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*(.+?)\*\*/g, '$1') // not `__`: dunder names such as __reduce__ are common in our help
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The first prose paragraph of the help (not a heading or a code block), as one line of plain text. */
function firstParagraph(markdown: string): string {
  const paragraph = markdown.split(/\n\s*\n/).find((p) => p.trim() !== '' && !/^\s*(#|```)/.test(p));
  return paragraph ? markdownToText(paragraph).replace(/\s*\n\s*/g, ' ') : '';
}

// -------------------------------------------------------------------------------------------- results

/** Open findings before suppressed ones, report order otherwise (blocking first, then by severity). */
function selectFindings(findings: readonly Finding[], max: number): Finding[] {
  if (findings.length <= max) return [...findings];
  const order = findings.map((f, i) => ({ f, i, rank: f.suppression ? 1 : 0 }));
  order.sort((a, b) => a.rank - b.rank || a.i - b.i);
  return order.slice(0, max).sort((a, b) => a.i - b.i).map((x) => x.f);
}

function omittedNotification(omitted: number, total: number, max: number): SarifNotification {
  return {
    level: 'warning',
    message: {
      text: `${omitted} of ${total} findings are not in this SARIF log: code scanning accepts at most ${max} results per run. ` +
        'Open findings were kept before suppressed ones, the most severe first; the JSON report has all of them.',
    },
  };
}

function toResult(f: Finding, ruleIndex: number, prefix: string): SarifResult {
  const loc = f.location;
  const result: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SEVERITY_TABLE[f.severity].sarif,
    message: { text: truncate(plainText(withLocation(f.message, loc)), GITHUB_LIMITS.messageChars) },
    locations: [toLocation(loc, prefix)],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint, primaryLocationLineHash: f.fingerprint },
    properties: {
      severity: f.severity,
      blocking: f.blocking,
      ...(loc.line === undefined ? { wholeFile: true } : {}),
      ...(loc.member !== undefined ? { member: loc.member } : {}),
      ...(loc.byteOffset !== undefined ? { byteOffset: loc.byteOffset } : {}),
      ...(loc.keyPath !== undefined ? { keyPath: loc.keyPath } : {}),
    },
  };
  if (f.suppression) {
    const s = f.suppression;
    result.suppressions = [{
      kind: s.kind === 'inline' ? 'inSource' : 'external',
      status: 'accepted',
      justification: plainText(s.reason),
      ...(s.kind === 'exception'
        ? { properties: { ...(s.expires ? { expires: s.expires } : {}), ...(s.exceptionIndex !== undefined ? { exceptionIndex: s.exceptionIndex } : {}) } }
        : {}),
    }];
  }
  return result;
}

function toLocation(loc: Location, prefix: string): SarifLocation {
  const location: SarifLocation = {
    physicalLocation: {
      artifactLocation: { uri: pathToUri(joinPath(prefix, loc.path)), uriBaseId: SRCROOT },
      region: toRegion(loc),
    },
  };
  if (loc.keyPath) location.logicalLocations = [{ fullyQualifiedName: loc.keyPath, kind: 'property' }];
  return location;
}

/**
 * Code scanning needs `region.startLine` on every result (the Multitool's GH1003 is an error), so a finding
 * about a whole (binary) file points at line 1 and says so in `properties.wholeFile`. Ends that would precede
 * the start (SARIF1007) are dropped rather than emitted inconsistent.
 */
function toRegion(loc: Location): Region {
  const startLine = positive(loc.line) ?? 1;
  if (loc.line === undefined) return { startLine };
  const region: Region = { startLine };
  const startColumn = positive(loc.column);
  if (startColumn !== undefined) region.startColumn = startColumn;
  const endLine = positive(loc.endLine);
  if (endLine !== undefined && endLine >= startLine) region.endLine = endLine;
  const endColumn = positive(loc.endColumn);
  const lastLine = region.endLine ?? startLine;
  if (endColumn !== undefined && (lastLine > startLine || endColumn >= (startColumn ?? 1))) region.endColumn = endColumn;
  return region;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n >= 1 ? Math.trunc(n) : undefined;
}

/**
 * Code scanning shows only the message, file and line, so the archive member, byte offset and key path go into
 * the message (before its final period) when the rule's own sentence does not already name them.
 */
function withLocation(message: string, loc: Location): string {
  const parts: string[] = [];
  if (loc.member !== undefined && !message.includes(loc.member)) parts.push(`archive member ${loc.member}`);
  if (loc.byteOffset !== undefined && !message.includes(String(loc.byteOffset))) parts.push(`byte offset ${loc.byteOffset}`);
  if (loc.keyPath !== undefined && !message.includes(loc.keyPath)) parts.push(`key ${loc.keyPath}`);
  if (parts.length === 0) return message;
  const suffix = ` (${parts.join(', ')})`;
  return message.endsWith('.') ? `${message.slice(0, -1)}${suffix}.` : `${message}${suffix}`;
}

// ------------------------------------------------------------------------------------- URIs and text

function joinPath(prefix: string, path: string): string {
  return prefix ? `${prefix.replace(/\/+$/, '')}/${path}` : path;
}

/**
 * A `/`-separated relative path as an RFC 3986 relative reference: every segment percent-encoded as UTF-8
 * (spaces, `#`, `?`, `%`, `:`, newlines, non-ASCII), empty and `.` segments dropped so the reference stays
 * relative and cannot start with `/` (SARIF1004). `:` is encoded too, so a first segment never reads as a scheme.
 */
export function pathToUri(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => encodeURIComponent(wellFormed(segment)))
    .join('/');
}

function srcRootLocation(report: Report, options: SarifOptions): ArtifactLocation {
  const root = options.srcRoot ?? (options.pathPrefix === undefined && isAbsolute(report.root) ? report.root : undefined);
  if (root === undefined) {
    return { description: { text: 'The directory that was scanned; result URIs are relative to it.' } };
  }
  const href = /^file:/i.test(root) ? root : pathToFileURL(root).href;
  return { uri: href.endsWith('/') ? href : `${href}/` };
}

function automationId(category: string): string {
  return category.endsWith('/') ? category : `${category}/`;
}

/**
 * Text from the PR shown as a SARIF plain-text message: no control or bidirectional-override characters (they
 * become visible `\uXXXX`), no lone surrogates, and no `](` so that no SARIF viewer renders a file name or a
 * matched string as an embedded link (SARIF §3.11.6). Newlines and tabs stay; SARIF allows them.
 */
export function plainText(text: string): string {
  return wellFormed(text)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
      `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\]\(/g, '] (');
}

/** Lone surrogates (possible in names read from disk) become U+FFFD; encodeURIComponent would throw on them. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = Array.from(text.slice(0, max - 1));
  // slice may have split a surrogate pair; Array.from keeps a lone half as its own element: drop it.
  const last = cut[cut.length - 1];
  if (last && last.length === 1 && /[\ud800-\udbff]/.test(last)) cut.pop();
  return `${cut.join('')}…`;
}
