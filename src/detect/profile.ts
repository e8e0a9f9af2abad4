/**
 * One pass over a dataset that computes what the base-versus-head rules compare: columns and their types,
 * the row count, the label distribution, exact and near-duplicate rows, and per-token label counts. Cached per
 * reader, so the five drift rules read each side once.
 */
import { createHash } from 'node:crypto';
import type { FileReader } from '../engine/rule.js';
import type { ScannedFile } from '../discovery/types.js';
import { openDataset, type ReadBudget, type ReadStats } from '../formats/dataset.js';
import { cardField, findCard } from './cards.js';

export interface ProfileRequest {
  /** Label column: the option, else a conventional name (label, target, class…). */
  labelColumn?: string;
  /** Text column for trigger tokens: the option, else a conventional name, else the longest string column. */
  textColumn?: string;
  budget: ReadBudget;
}

export interface TokenStat { rows: number; labels: Map<string, number> }

export interface Profile {
  stats: ReadStats;
  columns: string[];
  /** integer | number | boolean | string | object | (Parquet's declared types) — the dominant non-empty kind. */
  types: Record<string, string>;
  rows: number;
  labelColumn?: string;
  labels: Map<string, number>;
  textColumn?: string;
  /** Rows equal to an earlier row, and rows equal after normalising case, spacing and punctuation. */
  exactDuplicates: number;
  nearDuplicates: number;
  /** Places of the first few duplicate rows (line numbers where known). */
  duplicatePlaces: string[];
  tokens: Map<string, TokenStat>;
  /** Set when a memory bound stopped some counting early (said in messages). */
  bounded?: string;
}

export const LABEL_NAMES = ['label', 'labels', 'target', 'class', 'y', 'category', 'sentiment', 'intent', 'gold_label'];
const TEXT_NAMES = ['text', 'sentence', 'content', 'prompt', 'input', 'review', 'question', 'document', 'body', 'instruction'];
const MAX_HASHES = 5_000_000;
const MAX_TOKENS = 1_000_000;
const MAX_TOKENS_PER_ROW = 512;

const cache = new WeakMap<object, Map<string, Promise<Profile>>>();

export function profileDataset(file: Pick<ScannedFile, 'path' | 'format' | 'size'>, reader: Pick<FileReader, 'read'>, req: ProfileRequest): Promise<Profile> {
  const key = JSON.stringify([file.path, req.labelColumn ?? '', req.textColumn ?? '', req.budget]);
  let byKey = cache.get(reader);
  if (!byKey) cache.set(reader, (byKey = new Map()));
  let p = byKey.get(key);
  if (!p) byKey.set(key, (p = compute(file, reader, req)));
  return p;
}

function kindOf(v: unknown, textual: boolean): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'object') return Array.isArray(v) ? 'array' : 'object';
  const s = String(v);
  if (!textual) return 'string';
  if (/^[+-]?\d+$/.test(s)) return 'integer';
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return 'number';
  if (/^(true|false)$/i.test(s)) return 'boolean';
  return 'string';
}

function hash52(s: string): number {
  const d = createHash('sha1').update(s).digest();
  return d.readUIntBE(0, 6) * 16 + (d[6] >> 4);
}

export function tokenize(text: string): string[] {
  const out = new Set<string>();
  for (const raw of text.split(/\s+/)) {
    const t = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toLowerCase();
    if (t && t.length <= 40) out.add(t);
    if (out.size >= MAX_TOKENS_PER_ROW) break;
  }
  return [...out];
}

async function compute(file: Pick<ScannedFile, 'path' | 'format' | 'size'>, reader: Pick<FileReader, 'read'>, req: ProfileRequest): Promise<Profile> {
  const source = await openDataset(file, reader, req.budget);
  const textual = source.format === 'csv' || source.format === 'tsv';
  const kinds = new Map<string, Map<string, number>>();
  const p: Profile = {
    stats: source.stats, columns: [], types: {}, rows: 0, labels: new Map(), exactDuplicates: 0, nearDuplicates: 0,
    duplicatePlaces: [], tokens: new Map(),
  };
  const exact = new Set<number>();
  const near = new Set<number>();
  let label: string | undefined;
  let text: string | undefined;
  const textLengths = new Map<string, number>();
  const pending: Array<Record<string, unknown>> = [];
  const tokenRow = (values: Record<string, unknown>) => {
    const t = text ? values[text] : undefined;
    if (typeof t !== 'string') return;
    const l = label !== undefined ? String(values[label] ?? '') : '';
    for (const tok of tokenize(t)) {
      let s = p.tokens.get(tok);
      if (!s) {
        if (p.tokens.size >= MAX_TOKENS) { p.bounded ??= `token counts stopped at ${MAX_TOKENS} distinct tokens`; continue; }
        p.tokens.set(tok, (s = { rows: 0, labels: new Map() }));
      }
      s.rows++;
      s.labels.set(l, (s.labels.get(l) ?? 0) + 1);
    }
  };
  for await (const row of source.rows()) {
    p.rows++;
    const values = row.values;
    if (p.rows === 1) {
      label = pick(req.labelColumn, LABEL_NAMES, source.columns.length ? source.columns : Object.keys(values));
    }
    for (const [k, v] of Object.entries(values)) {
      const kind = kindOf(v, textual);
      if (kind) {
        let m = kinds.get(k);
        if (!m) kinds.set(k, (m = new Map()));
        m.set(kind, (m.get(kind) ?? 0) + 1);
      }
      if (typeof v === 'string' && p.rows <= 200) textLengths.set(k, (textLengths.get(k) ?? 0) + v.length);
    }
    if (label !== undefined && label in values) {
      const l = String(values[label] ?? '');
      p.labels.set(l, (p.labels.get(l) ?? 0) + 1);
    }
    if (exact.size < MAX_HASHES) {
      const canonical = JSON.stringify(Object.entries(values));
      const e = hash52(canonical);
      const n = hash52(normalise(values));
      if (exact.has(e)) { p.exactDuplicates++; remember(p, row); }
      else if (near.has(n)) { p.nearDuplicates++; remember(p, row); }
      exact.add(e);
      near.add(n);
    } else p.bounded ??= `duplicates counted over the first ${MAX_HASHES} rows`;
    // The text column is chosen after the first 200 rows (the longest strings) unless named.
    if (p.rows <= 200 && text === undefined) {
      pending.push(values);
      if (p.rows === 200) { text = chooseText(req.textColumn, textLengths); pending.splice(0).forEach(tokenRow); }
    } else tokenRow(values);
  }
  if (text === undefined) { text = chooseText(req.textColumn, textLengths); pending.splice(0).forEach(tokenRow); }
  p.columns = source.columns.length ? [...source.columns] : [...kinds.keys()];
  for (const c of p.columns) {
    const declared = source.columnTypes?.[c];
    const m = kinds.get(c);
    p.types[c] = declared ?? (m ? dominant(m) : 'empty');
  }
  p.labelColumn = label;
  p.textColumn = text;
  return p;
}

function remember(p: Profile, row: { line?: number; row?: number; index: number }): void {
  if (p.duplicatePlaces.length < 3) p.duplicatePlaces.push(row.line !== undefined ? `line ${row.line}` : `row ${row.row ?? row.index}`);
}

function normalise(values: Record<string, unknown>): string {
  return Object.values(values).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''))
    .join(' ').toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, '').replace(/\s+/g, ' ').trim();
}

function pick(explicit: string | undefined, names: string[], columns: string[]): string | undefined {
  if (explicit) return columns.includes(explicit) ? explicit : undefined;
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  for (const n of names) if (lower.has(n)) return lower.get(n);
  return undefined;
}

function chooseText(explicit: string | undefined, lengths: Map<string, number>): string | undefined {
  if (explicit) return explicit;
  const named = pick(undefined, TEXT_NAMES, [...lengths.keys()]);
  if (named) return named;
  let best: string | undefined, len = 0;
  for (const [k, l] of lengths) if (l > len) { best = k; len = l; }
  return best;
}

function dominant(m: Map<string, number>): string {
  if (m.has('number') && m.has('integer') && m.size === 2) return 'number';
  let best = '', n = -1;
  for (const [k, v] of m) if (v > n) { best = k; n = v; }
  return best;
}

/** Both sides of a changed dataset, or why they cannot be compared. */
export type Comparison =
  | { ok: true; head: Profile; base: Profile; baseTruncated: boolean }
  | { ok: false; reason?: string };

/** The label column a rule should use: its option, else the dataset card's `label_column`/`label`, else auto. */
export async function labelColumnFor(file: Pick<ScannedFile, 'absPath' | 'path'>, option: string): Promise<string | undefined> {
  if (option) return option;
  const card = await findCard(file);
  const v = card ? cardField(card, 'label-column') : undefined;
  return typeof v === 'string' && v ? v : undefined;
}

export async function compareWithBase(
  ctx: { file: ScannedFile; reader: FileReader; base?: () => Promise<(FileReader & { truncated: boolean }) | undefined> },
  req: ProfileRequest,
): Promise<Comparison> {
  if (!ctx.base) return { ok: false };
  const baseReader = await ctx.base();
  if (!baseReader) return { ok: false };
  try {
    const head = await profileDataset(ctx.file, ctx.reader, req);
    const base = await profileDataset({ ...ctx.file, size: (baseReader as { size?: number }).size ?? ctx.file.size }, baseReader, req);
    return { ok: true, head, base, baseTruncated: baseReader.truncated };
  } catch (error) {
    if ((error as Error)?.name === 'FormatError') return { ok: false, reason: (error as Error).message };
    throw error;
  }
}

/** "base 1,000 rows (read in full) → head 1,200 rows (read in full)" style summary of how much each side was read. */
export function sidesRead(c: Extract<Comparison, { ok: true }>): string {
  const side = (p: Profile) => (p.stats.complete ? 'in full' : `${p.stats.bytesRead} of ${p.stats.totalBytes} bytes`);
  const extra = [c.head.bounded, c.base.bounded].filter(Boolean).join('; ');
  return `base read ${side(c.base)}${c.baseTruncated ? ' (cut at the read limit)' : ''}, head read ${side(c.head)}${extra ? `; ${extra}` : ''}`;
}
