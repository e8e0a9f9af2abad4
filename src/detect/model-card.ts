/**
 * Model cards beside a model: a Hugging Face-style `README.md` with YAML front matter, or `MODEL_CARD.md`
 * (front matter optional; its Markdown headings count too), looked for in the model's folder and then its
 * parents up to the scanned root. Read from disk (the card may be outside the change), bounded, no final
 * symlink followed. The card is data: it is parsed, never rendered.
 *
 * Field names follow the Hugging Face model card metadata spec
 * (https://huggingface.co/docs/hub/model-cards#model-card-metadata): `license`, `license_name`, `datasets`,
 * `metrics`, `model-index`, `base_model`, `base_model_relation`, `tags`, `library_name`.
 */
import { splitFrontMatter } from '../formats/front-matter.js';
import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import type { ScannedFile } from '../discovery/types.js';
import { FormatError } from '../formats/errors.js';
import { parseYamlWithPositions, type YamlDocument } from '../formats/yaml-positions.js';
import { readBounded, rootOf } from './cards.js';

export const MAX_MODEL_CARD_BYTES = 1024 * 1024;

export interface ModelCard {
  /** Relative to the scanned root. */
  path: string;
  /** Front matter as parsed ({} when there is none). */
  fields: Record<string, unknown>;
  /** Markdown headings, lower-cased and trimmed. */
  headings: string[];
  /** The front matter's document, for line numbers of keys; line numbers are offset by `frontLine - 1`. */
  doc?: YamlDocument;
  /** The 1-based line of the card where the front matter's first line sits. */
  frontLine: number;
  error?: string;
}

/** Parses a card's text; FormatError never escapes (it becomes `error`). */
export function parseModelCard(text: string, path: string): ModelCard {
  const clean = text.replace(/^\uFEFF/, '');
  const front = splitFrontMatter(clean);
  const body = front ? front.body : clean;
  const headings = [...body.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)].slice(0, 1000).map((m) => m[1].toLowerCase().trim());
  const card: ModelCard = { path, fields: {}, headings, frontLine: 2 };
  if (!front) return card;
  try {
    const doc = parseYamlWithPositions(front.yaml, path);
    const v = doc.value;
    card.doc = doc;
    card.fields = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    card.error = error.message;
  }
  return card;
}

/** The nearest model card: MODEL_CARD.md or a README.md with front matter, in the model's folder, then parents. */
export async function findModelCard(file: Pick<ScannedFile, 'absPath' | 'path'>): Promise<ModelCard | undefined> {
  const root = rootOf(file);
  let dir = posix.dirname(file.path);
  for (;;) {
    const rel = dir === '.' ? '' : dir;
    const names = await fsp.readdir(join(root, rel)).catch(() => [] as string[]);
    const pick = names.find((n) => /^model[_-]?card\.md$/i.test(n)) ?? names.find((n) => /^readme\.md$/i.test(n));
    for (const name of [pick].filter((n): n is string => Boolean(n))) {
      const path = rel ? `${rel}/${name}` : name;
      const bytes = await readBounded(join(root, path), MAX_MODEL_CARD_BYTES);
      if (!bytes) continue;
      const card = parseModelCard(bytes.toString('utf8'), path);
      // A README without front matter is documentation, not a card; keep looking upwards.
      if (/^readme\.md$/i.test(name) && !card.doc && !card.error) continue;
      return card;
    }
    if (rel === '') return undefined;
    dir = posix.dirname(dir);
  }
}

/** Front matter keys (lower-cased; `-` and `_` equivalent) and headings that answer each required field. */
const KEYS: Record<string, string[]> = {
  license: ['license', 'license_name', 'license_link'],
  datasets: ['datasets', 'training_data', 'dataset'],
  'intended-use': ['intended_use', 'intended_uses', 'uses', 'direct_use'],
  metrics: ['metrics', 'model_index', 'eval_results', 'evaluation'],
  base_model: ['base_model'],
};
const HEADINGS: Record<string, RegExp> = {
  'intended-use': /^(intended uses?|uses|direct use|intended use & limitations|intended uses & limitations)\b/,
  metrics: /^(evaluation|evaluation results|metrics|results)\b/,
  datasets: /^(training data|datasets?)\b/,
};

const norm = (k: string) => k.toLowerCase().replace(/-/g, '_');
const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)
  || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** The front matter key (as written) that answers a field, with its value. */
export function cardKey(card: ModelCard, field: string): { key: string; value: unknown } | undefined {
  const keys = KEYS[field] ?? [norm(field)];
  for (const [k, v] of Object.entries(card.fields)) if (keys.includes(norm(k)) && !empty(v)) return { key: k, value: v };
  return undefined;
}

/** Whether the card answers a field through its front matter or (for prose fields) a heading with that title. */
export function hasField(card: ModelCard, field: string): boolean {
  if (cardKey(card, field)) return true;
  const h = HEADINGS[field];
  return Boolean(h && card.headings.some((x) => h.test(x)));
}

/** The 1-based line of a front matter key in the card, or of the front matter's start. */
export function lineOf(card: ModelCard, key?: string): number {
  const pos = key && card.doc ? card.doc.positionOf(`/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, 'key') : undefined;
  return pos ? pos.line + card.frontLine - 1 : 1;
}

const FINE_TUNE_TAGS = /^(fine-?tuned|finetune|lora|qlora|peft|adapter|sft|dpo|rlhf)$/i;

/** Whether the card (or an adapter config beside the model) says the model is fine-tuned from another. */
export function isFineTuned(card: ModelCard, siblingNames: readonly string[]): boolean {
  const tags = Array.isArray(card.fields.tags) ? card.fields.tags : [];
  if (tags.some((t) => typeof t === 'string' && FINE_TUNE_TAGS.test(t))) return true;
  if (card.fields.fine_tuned === true || card.fields['fine-tuned'] === true) return true;
  if (typeof card.fields.base_model_relation === 'string' && card.fields.base_model_relation !== 'quantized') return true;
  if (typeof card.fields.library_name === 'string' && card.fields.library_name.toLowerCase() === 'peft') return true;
  return siblingNames.includes('adapter_config.json');
}

/** `base_model` as a list of repository ids. */
export function baseModels(card: ModelCard): string[] {
  const v = cardKey(card, 'base_model')?.value;
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((s) => s.trim()).filter(Boolean);
}

/** The card's license ids (`license` may be a string or a list). */
export function licenses(card: ModelCard): string[] {
  const v = Object.entries(card.fields).find(([k]) => norm(k) === 'license')?.[1];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((s) => s.trim()).filter(Boolean);
}
