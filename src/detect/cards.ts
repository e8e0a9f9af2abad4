/**
 * Dataset cards and manifests beside a dataset: a Hugging Face-style `README.md` with YAML front matter,
 * `*.datasheet.yml` / `datasheet.yml`, or `provenance.json`, looked for in the dataset's folder and then its
 * parents up to the scanned root. Sibling files are read from disk directly (they may be outside the change),
 * bounded, without following a final symlink.
 */
import { splitFrontMatter } from '../formats/front-matter.js';
import { constants, promises as fsp } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { ScannedFile } from '../discovery/types.js';
import { FormatError } from '../formats/errors.js';
import { parseYamlWithPositions } from '../formats/yaml-positions.js';

export const MAX_CARD_BYTES = 1024 * 1024;

export interface Card {
  /** Relative to the scanned root. */
  path: string;
  kind: 'readme' | 'datasheet' | 'provenance';
  fields: Record<string, unknown>;
  /** Set when the card exists but could not be parsed. */
  error?: string;
}

/** The scanned root's absolute path, from a file's absolute and relative paths. */
export function rootOf(file: Pick<ScannedFile, 'absPath' | 'path'>): string {
  const depth = file.path.split('/').length;
  let root = file.absPath;
  for (let i = 0; i < depth; i++) root = dirname(root);
  return root;
}

/** Reads a file under the root without following a final symlink; undefined when absent or not a file. */
export async function readBounded(absPath: string, maxBytes: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await fsp.open(absPath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(stat.size, maxBytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The nearest card for a dataset: its own folder first, then each parent up to the root. */
export async function findCard(file: Pick<ScannedFile, 'absPath' | 'path'>): Promise<Card | undefined> {
  const root = rootOf(file);
  let dir = posix.dirname(file.path);
  for (;;) {
    const card = await cardIn(root, dir === '.' ? '' : dir, posix.basename(file.path));
    if (card) return card;
    if (dir === '.' || dir === '') return undefined;
    dir = posix.dirname(dir);
  }
}

async function cardIn(root: string, dir: string, datasetName: string): Promise<Card | undefined> {
  const rel = (name: string) => (dir ? `${dir}/${name}` : name);
  let names: string[] = [];
  try {
    names = (await fsp.readdir(join(root, dir))).sort();
  } catch {
    return undefined;
  }
  const stem = datasetName.replace(/\..*$/, '');
  const sheets = names.filter((n) => /(^|\.)datasheet\.ya?ml$/i.test(n));
  // A datasheet named after the dataset wins over a folder-wide one.
  sheets.sort((a, b) => Number(b.startsWith(`${stem}.`)) - Number(a.startsWith(`${stem}.`)));
  for (const name of sheets) return parseCard(root, rel(name), 'datasheet');
  if (names.includes('provenance.json')) return parseCard(root, rel('provenance.json'), 'provenance');
  const readme = names.find((n) => /^readme\.md$/i.test(n));
  if (readme) {
    const card = await parseCard(root, rel(readme), 'readme');
    if (card && (card.error || Object.keys(card.fields).length > 0)) return card;
  }
  return undefined;
}

async function parseCard(root: string, path: string, kind: Card['kind']): Promise<Card | undefined> {
  const bytes = await readBounded(join(root, path), MAX_CARD_BYTES);
  if (!bytes) return undefined;
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  try {
    if (kind === 'provenance') return { path, kind, fields: asRecord(JSON.parse(text)) };
    if (kind === 'datasheet') return { path, kind, fields: asRecord(parseYamlWithPositions(text, path).value) };
    const front = splitFrontMatter(text);
    if (!front) return { path, kind, fields: {} };
    return { path, kind, fields: asRecord(parseYamlWithPositions(front.yaml, path).value) };
  } catch (error) {
    if (error instanceof FormatError || error instanceof SyntaxError) return { path, kind, fields: {}, error: error.message };
    throw error;
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Card keys that answer each provenance field (Hugging Face card metadata, Datasheets for Datasets, ours). */
export const FIELD_ALIASES: Record<string, string[]> = {
  license: ['license', 'licenses', 'license_name', 'license_id', 'license-id', 'spdx'],
  source: ['source', 'sources', 'source_datasets', 'source-datasets', 'origin', 'homepage', 'url', 'collected_from', 'provenance'],
  version: ['version', 'dataset_version', 'dataset-version', 'revision'],
  'collection-date': ['collection_date', 'collection-date', 'collected', 'collected_on', 'date', 'created', 'snapshot_date'],
  'label-column': ['label_column', 'label-column', 'label'],
  checksums: ['checksums', 'sha256', 'files'],
};

/** The card's value for a field (through its aliases, case-insensitively), or undefined when absent or empty. */
export function cardField(card: Card, field: string): unknown {
  const keys = FIELD_ALIASES[field] ?? [field];
  for (const [k, v] of Object.entries(card.fields)) {
    if (!keys.includes(k.toLowerCase())) continue;
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    return v;
  }
  return undefined;
}

/** Cards and manifests are metadata, not datasets, even in a data folder. */
export function isCardFile(path: string): boolean {
  return /(^|\/)(provenance\.json|dataset_info\.json|dataset_infos\.json|[^/]*\.?datasheet\.ya?ml|readme\.md)$/i.test(path);
}
