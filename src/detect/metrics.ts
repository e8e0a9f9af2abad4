/**
 * Evaluation metrics from the files that record them: JSON or YAML metrics files (`metrics.json`,
 * `eval_results.json`, DVC `metrics.yaml`, …) and the Hugging Face `model-index` in a model card's front matter
 * (https://huggingface.co/docs/hub/model-cards#evaluation-results). Parsed as data, bounded in depth and count.
 *
 * Conventions read from a generic file:
 * - a numeric leaf is a metric named by its key path (`eval.accuracy`); a `{ value: n }` object counts as `n`;
 * - under a group key (`groups`, `slices`, `per_group`, `subgroups`, …) the keys (or an array item's `group` /
 *   `slice` / `name` field) name the group: `groups.gender.female.accuracy` is `accuracy` for group
 *   `gender/female`, compared with its sibling groups under `gender`;
 * - under a robustness key (`robustness`, `adversarial`, `perturbations`, `corruptions`, `ood`) a metric is a
 *   robustness metric.
 */
import { splitFrontMatter } from '../formats/front-matter.js';
import { FormatError } from '../formats/errors.js';
import { joinPointer, parseYamlWithPositions, type YamlDocument } from '../formats/yaml-positions.js';

export const MAX_METRICS = 10_000;
const MAX_DEPTH = 12;
const GROUP_KEYS = /^(groups|slices|per_group|per-group|by_group|by-group|per_slice|per-slice|subgroups|slice_metrics|group_metrics|fairness_groups)$/i;
const ROBUST_KEYS = /^(robustness|adversarial|perturbations?|corruptions?|ood|out_of_distribution|stress)$/i;
const ITEM_LABELS = ['group', 'slice', 'name', 'segment', 'subgroup', 'attribute_value'];

export interface Metric {
  /** The metric's name without its group, e.g. `eval.accuracy` or, for model-index, `squad/validation/f1`. */
  name: string;
  /** The group (slice) it was measured on, `/`-joined, e.g. `gender/female`. */
  group?: string;
  /** True for metrics under a robustness section. */
  robustness: boolean;
  value: number;
  /** JSON pointer of the value in the parsed document. */
  pointer: string;
}

export interface MetricsFile {
  metrics: Metric[];
  doc?: YamlDocument;
  /** Added to the document's line numbers (front matter in a Markdown card starts on line 2). */
  lineOffset: number;
}

/** Key that identifies one metric (name and group) for base/head comparison. */
export const metricKey = (m: Pick<Metric, 'name' | 'group'>) => (m.group ? `${m.name} [${m.group}]` : m.name);

/** Parses a metrics file (JSON, YAML, or a Markdown card's front matter). Throws FormatError on bad input. */
export function parseMetrics(text: string, path: string): MetricsFile {
  let body = text.replace(/^\uFEFF/, '');
  let lineOffset = 0;
  if (/\.md$/i.test(path)) {
    const front = splitFrontMatter(body);
    if (!front) return { metrics: [], lineOffset: 0 };
    body = front.yaml;
    lineOffset = 1;
  }
  const doc = parseYamlWithPositions(body, path);
  const metrics: Metric[] = [];
  const root = doc.value;
  const indexKey = isRecord(root) ? Object.keys(root).find((k) => /^model[-_]index$/.test(k)) : undefined;
  const index = indexKey ? (root as Record<string, unknown>)[indexKey] : undefined;
  if (indexKey && Array.isArray(index)) modelIndex(index, joinPointer('', indexKey), metrics);
  else if (lineOffset === 0) walk(root, '', [], undefined, false, 0, metrics);
  return { metrics, doc, lineOffset };
}

/** The 1-based line of a metric's value. */
export function metricLine(file: MetricsFile, m: Metric): number | undefined {
  const pos = file.doc?.positionOf(m.pointer, 'value');
  return pos ? pos.line + file.lineOffset : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function push(out: Metric[], m: Metric): void {
  if (out.length >= MAX_METRICS) throw new FormatError(`more than ${MAX_METRICS} metrics`);
  out.push(m);
}

function walk(v: unknown, pointer: string, names: string[], group: string[] | undefined, robust: boolean, depth: number, out: Metric[]): void {
  if (depth > MAX_DEPTH) return;
  const here = (value: number, ptr: string) => push(out, {
    name: names.join('.'), ...(group?.length ? { group: group.join('/') } : {}), robustness: robust, value, pointer: ptr,
  });
  if (typeof v === 'number' && Number.isFinite(v) && names.length) return here(v, pointer);
  if (isRecord(v) && typeof v.value === 'number' && Number.isFinite(v.value) && names.length) return here(v.value, joinPointer(pointer, 'value'));
  if (Array.isArray(v)) {
    v.forEach((item, i) => walk(item, joinPointer(pointer, i), [...names, String(i)], group, robust, depth + 1, out));
    return;
  }
  if (!isRecord(v)) return;
  for (const [k, child] of Object.entries(v)) {
    const ptr = joinPointer(pointer, k);
    if (group && ITEM_LABELS.includes(k) && typeof child === 'string') continue;
    if (!group && GROUP_KEYS.test(k)) groups(child, ptr, names, [], robust, depth + 1, out);
    else walk(child, ptr, [...names, k], group, robust || ROBUST_KEYS.test(k), depth + 1, out);
  }
}

/** Descends through group labels (keys, or an array item's label field) until an object that holds metrics. */
function groups(v: unknown, pointer: string, names: string[], labels: string[], robust: boolean, depth: number, out: Metric[]): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      const label = isRecord(item) ? ITEM_LABELS.map((k) => item[k]).find((x) => typeof x === 'string') as string | undefined : undefined;
      groups(item, joinPointer(pointer, i), names, [...labels, label ?? String(i)], robust, depth + 1, out);
    });
    return;
  }
  if (!isRecord(v)) return;
  if (labels.length && Object.values(v).some(isLeafish)) return walk(v, pointer, names, labels, robust, depth, out);
  for (const [k, child] of Object.entries(v)) groups(child, joinPointer(pointer, k), names, [...labels, k], robust, depth + 1, out);
}

/** A metric value: a number, or `{ value: n }`. */
function isLeafish(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || (isRecord(v) && typeof v.value === 'number');
}

/** `model-index: [{ name, results: [{ task, dataset: { name, type, config, split }, metrics: [{ type, value }] }] }]`. */
function modelIndex(index: unknown[], at: string, out: Metric[]): void {
  index.slice(0, 100).forEach((model, mi) => {
    const results = isRecord(model) && Array.isArray(model.results) ? model.results : [];
    results.slice(0, 1000).forEach((r, ri) => {
      if (!isRecord(r)) return;
      const ds = isRecord(r.dataset) ? r.dataset : {};
      const label = [ds.name ?? ds.type, ds.config, ds.split].filter((x) => typeof x === 'string' && x).join('/');
      const ms = Array.isArray(r.metrics) ? r.metrics : [];
      ms.slice(0, 1000).forEach((m, k) => {
        if (!isRecord(m) || typeof m.value !== 'number' || !Number.isFinite(m.value)) return;
        const type = typeof m.type === 'string' ? m.type : typeof m.name === 'string' ? m.name : `metric-${k}`;
        const prefix = index.length > 1 && isRecord(model) && typeof model.name === 'string' ? `${model.name}:` : '';
        push(out, { name: `${prefix}${label ? `${label}/` : ''}${type}`, robustness: ROBUST_KEYS.test(String(ds.split ?? '')), value: m.value, pointer: `${at}/${mi}/results/${ri}/metrics/${k}/value` });
      });
    });
  });
}

/** Metric names where lower is better (losses, errors, gaps), from common evaluation suites' naming. */
export const LOWER_IS_BETTER = /(^|[._/-])(loss|error|err|perplexity|ppl|wer|cer|ter|mae|mse|rmse|mape|latency|eer|fpr|fnr|far|frr|ece|brier|bias|toxicity|hallucination(_rate)?)([._/-]|$)|_(difference|diff|gap)$/i;
/** Fairness metrics that are themselves a gap between groups (Fairlearn's naming). */
export const FAIRNESS_GAP = /(demographic_parity|equal(ized)?_odds|equal_opportunity|true_positive_rate|false_positive_rate|selection_rate)[_-]?(difference|diff|gap)$/i;
