/**
 * The secret search over one file, shared by the `secret/*` rules: each rule reports one provider family, but
 * a file is read and searched once (the result is cached on the file's reader, which every rule of a file
 * shares). Text files are streamed in windows, so a large dataset is searched whole without holding it; a
 * notebook is parsed, so a finding names its cell and the output it sits in.
 */
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { isText } from '../discovery/classify.js';
import type { FileKind } from '../discovery/types.js';
import { redact } from '../engine/redact.js';
import type { FileContext, FileReader } from '../engine/rule.js';
import type { Severity } from '../engine/severity.js';
import { loadNotebook, positions, type Notebook } from '../formats/ipynb.js';
import { DETECTORS, detectorById, findSecrets, type SecretFamily, type SecretMatch } from './secrets.js';

/** Every kind whose files are text: secrets are searched in all of them. */
export const SECRET_KINDS: readonly FileKind[] = [
  'text', 'config', 'workflow', 'dockerfile', 'k8s', 'dependency', 'notebook', 'dataset',
];

export interface LocatedSecret extends SecretMatch {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  keyPath?: string;
  /** Where in a notebook: ` in the source of cell 3`, or empty. */
  where: string;
}

const cache = new WeakMap<FileReader, Promise<LocatedSecret[]>>();

/** The secrets in the file of `ctx`, searched once per file whichever rule asks first. */
export function secretsInFile(ctx: FileContext<unknown>): Promise<LocatedSecret[]> {
  let found = cache.get(ctx.reader);
  if (!found) cache.set(ctx.reader, (found = search(ctx)));
  return found;
}

/** Datasets in binary or compressed formats hold no text to search (their own rules read them). */
function searchable(ctx: FileContext<unknown>): boolean {
  const { file } = ctx;
  if (file.kind !== 'dataset') return true;
  return ['csv', 'tsv', 'jsonl', 'json', 'text', 'yaml'].includes(file.format) && isText(file.head);
}

async function search(ctx: FileContext<unknown>): Promise<LocatedSecret[]> {
  if (!searchable(ctx)) return [];
  if (ctx.file.format === 'ipynb') {
    const loaded = await loadNotebook(ctx.reader);
    if (loaded.ok) return searchNotebook(loaded.notebook);
    ctx.logger.debug(`${ctx.file.path}: not a readable notebook (${loaded.error.message}); searched as plain text`);
  }
  return searchStream(ctx.reader);
}

function searchNotebook(nb: Notebook): LocatedSecret[] {
  const out: LocatedSecret[] = [];
  for (const cell of nb.cells) {
    for (const field of [cell.source, ...cell.outputs]) {
      const where = field === cell.source ? ` in the source of cell ${cell.index + 1}` : ` in ${field.label} of cell ${cell.index + 1}`;
      for (const m of findSecrets(field.text)) {
        const start = nb.position(field.offsetAt(m.index));
        const end = nb.position(field.offsetAt(m.index + m.length));
        out.push({ ...m, line: start.line, column: start.column, endLine: end.line, endColumn: end.column, keyPath: field.keyPath, where });
      }
    }
  }
  return out;
}

/** Characters kept from one window to the next, so a secret cut by a chunk boundary is seen whole. */
const OVERLAP = 20_000;
const CHUNK = 4 * 1024 * 1024;

/**
 * Streams the file as text in windows of about CHUNK bytes. A window is the carried tail of the previous one
 * plus the next chunk; a match that reaches into the last OVERLAP characters of a window (that is not the last)
 * is left for the next window, which starts early enough to hold it whole.
 */
async function searchStream(reader: FileReader): Promise<LocatedSecret[]> {
  const out: LocatedSecret[] = [];
  const decoder = new StringDecoder('utf8');
  const seen = new Set<string>();
  let carry = '';
  let carryBase = 0; // file character index of carry[0]
  let carryLine = 1;
  let carryColumn = 1;
  let first = true;
  const take = (text: string, last: boolean) => {
    if (first) { text = text.replace(/^\uFEFF/, ''); first = false; }
    const pos = positions(text);
    const limit = last ? Infinity : text.length - OVERLAP;
    let keepFrom = Math.max(0, text.length - OVERLAP);
    for (const m of findSecrets(text)) {
      if (m.index + m.length > limit) { keepFrom = Math.min(keepFrom, m.index); continue; }
      const key = `${m.detector}\0${carryBase + m.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = (i: number) => {
        const p = pos(i);
        return p.line === 1 ? { line: carryLine, column: carryColumn + p.column - 1 } : { line: carryLine + p.line - 1, column: p.column };
      };
      const s = at(m.index), e = at(m.index + m.length);
      out.push({ ...m, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, where: '' });
    }
    if (last) return;
    const next = pos(keepFrom);
    carryLine = next.line === 1 ? carryLine : carryLine + next.line - 1;
    carryColumn = next.line === 1 ? carryColumn + next.column - 1 : next.column;
    carryBase += keepFrom;
    carry = text.slice(keepFrom);
  };
  let pending = '';
  for await (const chunk of reader.stream(CHUNK)) {
    pending += decoder.write(chunk);
    if (pending.length >= CHUNK) {
      take(carry + pending, false);
      pending = '';
    }
  }
  pending += decoder.end();
  take(carry + pending, true);
  return out;
}

// ---- reporting --------------------------------------------------------------------------------------------

export interface FamilyOptions {
  exclude: string[];
}

/**
 * The Markdown paragraph, for a family rule's help, that lists its detectors (the ids `exclude` takes) and says
 * how severities work, generated from the table so the docs cannot drift from it.
 */
export function detectorsHelp(family: SecretFamily): string {
  const list = DETECTORS.filter((d) => d.family === family)
    .map((d) => `\`${d.id}\` (${d.title}, ${d.severity})`).join(', ');
  return [
    `Detectors (the ids that \`exclude\` takes, and that each finding names): ${list}.`,
    'Each finding has its detector\'s severity; a severity set for the rule in the policy applies to all of its findings instead.',
  ].join(' ');
}

export function detectorIds(family: SecretFamily): string[] {
  return DETECTORS.filter((d) => d.family === family).map((d) => d.id);
}

/** The options schema every family rule takes: detectors of the family to turn off. */
export function familyOptionsSchema(family: SecretFamily): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      exclude: {
        type: 'array',
        description: 'Detectors of this family not to run (ids as in the rule docs), for a format the project knows to be harmless.',
        items: { enum: detectorIds(family) },
        uniqueItems: true,
      },
    },
    additionalProperties: false,
  };
}

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable';

/**
 * Reports the file's secrets of one family. Each detector has its own severity (critical for a live-format
 * key, high where only the keyword around a generic value says what it is); a severity set in the policy for
 * the rule applies to all of the rule's findings instead.
 */
export async function reportFamily(ctx: FileContext<FamilyOptions>, family: SecretFamily, defaultSeverity: Severity): Promise<void> {
  const excluded = new Set(ctx.options.exclude ?? []);
  for (const m of await secretsInFile(ctx as FileContext<unknown>)) {
    const det = detectorById(m.detector);
    if (!det || det.family !== family || excluded.has(m.detector)) continue;
    const shown = redact(m.value);
    const message = m.detector === 'gcp-service-account' && m.severity !== 'critical'
      ? `Google Cloud service-account descriptor (gcp-service-account)${m.where} without a private_key; check that no key file of this account is committed, and keep key files out of the repository.`
      : `${cap(det.title)} ${shown} (${m.detector})${m.where}: ${ACTION}.`;
    ctx.report({
      message,
      severity: ctx.severity === defaultSeverity ? m.severity : ctx.severity,
      line: m.line,
      column: m.column,
      endLine: m.endLine,
      endColumn: m.endColumn,
      keyPath: m.keyPath,
      fingerprintKey: `${m.detector}\0${createHash('sha256').update(m.value).digest('hex').slice(0, 32)}`,
      sensitive: [m.value],
    });
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
