import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { rootOf } from '../../detect/cards.js';
import { FAIRNESS_GAP, LOWER_IS_BETTER, metricKey, metricLine, parseMetrics, type Metric, type MetricsFile } from '../../detect/metrics.js';
import { defineRule, type FileContext, type RunContext } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';

interface Options {
  files: string[]; tolerance: number; tolerances: Record<string, number>; ignore: string[];
  'max-group-gap': number | null; 'min-robustness': number | null;
  thresholds: Record<string, { min?: number; max?: number }>; 'require-metrics-update': boolean;
}

const fmt = (n: number) => String(Number(n.toPrecision(6)));
/** Compiled once per distinct pattern list: checkFile runs for every file, and compiling a glob costs far more than matching. */
const globs = new Map<string, (path: string) => boolean>();
const glob = (patterns: string[]): ((path: string) => boolean) => {
  const key = JSON.stringify(patterns);
  let match = globs.get(key);
  if (!match) {
    if (globs.size >= 256) globs.clear();
    match = picomatch(patterns, { dot: true, nocase: true });
    globs.set(key, match);
  }
  return match;
};

export default defineRule<Options>({
  meta: {
    id: 'governance/eval-regression',
    description: 'An evaluation metric dropped beyond the policy\'s tolerance, groups differ by more than the allowed gap, or a model changed without its metrics.',
    help: [
      'A model update should not quietly make the model worse, or worse for some of the people it serves. When a',
      'repository records evaluation results beside its models (a `metrics.json`/`metrics.yaml`, `eval_results.json`,',
      'or the Hugging Face `model-index` in a model card), this rule compares each metric in the PR with the base',
      'branch: a drop larger than the tolerance fails (for losses, errors and gaps a rise), with both values shown.',
      'Per-group (slice) metrics under a `groups`/`slices` key must stay within `max-group-gap` of each other, and',
      'so must fairness gaps the file reports (demographic parity or equalized odds differences); robustness',
      'metrics must stay above `min-robustness`. A model that changes while its metrics file does not is reported.',
      '',
      '**Remediation**: investigate the regression before merging. If it is accepted, record why in the PR and',
      'have the policy\'s owners adjust `tolerance`/`tolerances`, or add a time-limited exception. When a model',
      'changes, re-run the evaluation and commit its new metrics in the same PR.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'Accuracy drops by more than the tolerance (0.01) in models/classifier/metrics.json',
            lang: 'json',
            code: [
              '// base',
              '{ "accuracy": 0.912, "f1": 0.887 }',
              '// pull request',
              '{ "accuracy": 0.874, "f1": 0.851 }',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The new model is as good or better, and its metrics are committed with it',
            lang: 'json',
            code: [
              '// base',
              '{ "accuracy": 0.912, "f1": 0.887 }',
              '// pull request',
              '{ "accuracy": 0.918, "f1": 0.889 }',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['config', 'text'],
    formats: ['json', 'yaml', 'markdown'],
    options: {
      type: 'object',
      properties: {
        files: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs of metrics files (Markdown cards count through their `model-index`).' },
        tolerance: { type: 'number', minimum: 0, description: 'The largest allowed drop of a metric (absolute, in the metric\'s units).' },
        tolerances: { type: 'object', additionalProperties: { type: 'number', minimum: 0 }, description: 'Per-metric tolerances by name glob, e.g. `{"*accuracy": 0.005}`.' },
        ignore: { type: 'array', items: { type: 'string' }, description: 'Name globs of numbers that are not quality metrics (epochs, runtimes, counts).' },
        'max-group-gap': { type: ['number', 'null'], minimum: 0, description: 'The largest allowed gap of a metric between groups, and of a reported fairness difference; null turns the check off.' },
        'min-robustness': { type: ['number', 'null'], description: 'The lowest allowed value of a metric under a robustness section; null turns the check off.' },
        thresholds: { type: 'object', additionalProperties: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } }, additionalProperties: false }, description: 'Absolute bounds on metrics by name glob.' },
        'require-metrics-update': { type: 'boolean', description: 'Report a changed model whose nearest metrics file the change does not touch.' },
      },
      additionalProperties: false,
    },
    defaultOptions: {
      files: ['**/metrics.json', '**/metrics.yaml', '**/metrics.yml', '**/eval_results.json', '**/all_results.json', '**/eval/**/*.json', '**/evaluation/**/*.json', '**/README.md', '**/MODEL_CARD.md'],
      tolerance: 0.01, tolerances: {},
      ignore: ['*epoch*', '*step*', '*runtime*', '*samples*', '*per_second*', '*seed*', '*num_*', '*count*', '*_time*', '*flos*', '*learning_rate*'],
      'max-group-gap': 0.1, 'min-robustness': null, thresholds: {}, 'require-metrics-update': true,
    },
  },
  async checkFile(ctx) {
    if (!glob(ctx.options.files)(ctx.file.path)) return;
    const head = await load(ctx, (await ctx.reader.text()).text, 'head');
    if (!head || head.metrics.length === 0) return;
    const ignored = glob(ctx.options.ignore);
    const keep = (m: Metric) => !ignored(m.name);
    headChecks(ctx, head, head.metrics.filter(keep));
    const baseReader = await ctx.base?.();
    if (!baseReader) return;
    const base = await load(ctx, (await baseReader.text()).text, 'base');
    if (base) compare(ctx, head, base.metrics.filter(keep), head.metrics.filter(keep));
  },
  async checkRun(ctx) {
    if (ctx.options['require-metrics-update']) await staleMetrics(ctx);
  },
});

async function load(ctx: FileContext<Options>, text: string, side: 'base' | 'head'): Promise<MetricsFile | undefined> {
  try {
    return parseMetrics(text, ctx.file.path);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (side === 'head') ctx.report({ severity: 'medium', message: `The metrics file could not be read (${error.message}); its metrics were not compared with the base. Fix the file.` });
    return undefined;
  }
}

const lowerBetter = (name: string) => LOWER_IS_BETTER.test(name) || FAIRNESS_GAP.test(name);

function compare(ctx: FileContext<Options>, head: MetricsFile, before: Metric[], after: Metric[]): void {
  const now = new Map(after.map((m) => [metricKey(m), m]));
  const tolerances = Object.entries(ctx.options.tolerances).map(([g, t]) => [glob([g]), t] as const);
  for (const b of before) {
    const key = metricKey(b);
    const h = now.get(key);
    if (!h) {
      ctx.report({ severity: 'medium', fingerprintKey: `removed\0${key}`, message: `The metric ${key} (${fmt(b.value)} at the base) is no longer reported; restore it, or say in the PR why it was dropped.` });
      continue;
    }
    const tol = tolerances.find(([m]) => m(b.name))?.[1] ?? ctx.options.tolerance;
    const worse = lowerBetter(b.name) ? h.value - b.value : b.value - h.value;
    if (worse > tol + 1e-12) {
      const verb = lowerBetter(b.name) ? 'rose' : 'dropped';
      ctx.report({ line: metricLine(head, h), fingerprintKey: `regress\0${key}`, message: `The metric ${key} ${verb} from ${fmt(b.value)} (base) to ${fmt(h.value)} (head), by ${fmt(worse)}, more than the tolerance of ${fmt(tol)}; investigate the regression, or have the policy's owners accept it.` });
    }
  }
}

function headChecks(ctx: FileContext<Options>, file: MetricsFile, metrics: Metric[]): void {
  const gap = ctx.options['max-group-gap'];
  if (gap !== null) {
    groupGaps(ctx, file, metrics, gap);
    for (const m of metrics) if (FAIRNESS_GAP.test(m.name.split('.').pop()!) && Math.abs(m.value) > gap + 1e-12) {
      ctx.report({ line: metricLine(file, m), fingerprintKey: `fair\0${metricKey(m)}`, message: `The fairness metric ${metricKey(m)} is ${fmt(m.value)}, more than the allowed gap of ${fmt(gap)}; reduce the disparity before merging, or have the policy's owners accept it.` });
    }
  }
  const minRobust = ctx.options['min-robustness'];
  if (minRobust !== null) for (const m of metrics) if (m.robustness && !lowerBetter(m.name) && m.value < minRobust) {
    ctx.report({ line: metricLine(file, m), fingerprintKey: `robust\0${metricKey(m)}`, message: `The robustness metric ${metricKey(m)} is ${fmt(m.value)}, below the policy's minimum of ${fmt(minRobust)}; improve robustness before merging.` });
  }
  for (const [g, bound] of Object.entries(ctx.options.thresholds)) {
    const match = glob([g]);
    for (const m of metrics) {
      if (!match(m.name)) continue;
      const low = bound.min !== undefined && m.value < bound.min;
      const high = bound.max !== undefined && m.value > bound.max;
      if (low || high) ctx.report({ line: metricLine(file, m), fingerprintKey: `bound\0${metricKey(m)}`, message: `The metric ${metricKey(m)} is ${fmt(m.value)}, ${low ? `below the policy's minimum of ${fmt(bound.min!)}` : `above the policy's maximum of ${fmt(bound.max!)}`} (thresholds ${g}); fix the model or have the policy's owners change the bound.` });
    }
  }
}

/** Max minus min of each metric across sibling groups (same name, same parent label). */
function groupGaps(ctx: FileContext<Options>, file: MetricsFile, metrics: Metric[], gap: number): void {
  const sets = new Map<string, Metric[]>();
  for (const m of metrics) {
    if (!m.group) continue;
    const parent = m.group.split('/').slice(0, -1).join('/');
    const k = `${m.name}\0${parent}`;
    sets.set(k, [...(sets.get(k) ?? []), m]);
  }
  for (const [k, ms] of sets) {
    if (ms.length < 2) continue;
    const sorted = [...ms].sort((a, b) => a.value - b.value);
    const lo = sorted[0], hi = sorted[sorted.length - 1];
    const diff = hi.value - lo.value;
    if (diff <= gap + 1e-12) continue;
    const worst = lowerBetter(lo.name) ? hi : lo;
    const [name, parent] = k.split('\0');
    ctx.report({ line: metricLine(file, worst), fingerprintKey: `gap\0${k}`, message: `The metric ${name} differs by ${fmt(diff)} between groups${parent ? ` of ${parent}` : ''} (${lo.group} ${fmt(lo.value)}, ${hi.group} ${fmt(hi.value)}), more than the allowed gap of ${fmt(gap)}; reduce the disparity before merging, or have the policy's owners accept it.` });
  }
}

/** A changed model whose nearest metrics file (its folder, then parents) the change leaves untouched. */
async function staleMetrics(ctx: RunContext<Options>): Promise<void> {
  const changed = ctx.files.filter((f) => f.kind === 'model' && f.change !== 'unchanged');
  if (changed.length === 0) return;
  const touched = new Set([...ctx.files.filter((f) => f.change !== 'unchanged').map((f) => f.path), ...(ctx.change?.changes.map((c) => c.path) ?? [])]);
  const isMetrics = glob(ctx.options.files.filter((g) => !/\.md$/i.test(g)));
  const root = rootOf(changed[0]);
  const listing = new Map<string, string[]>();
  for (const model of changed) {
    let dir = posix.dirname(model.path);
    for (;;) {
      const rel = dir === '.' ? '' : dir;
      if (!listing.has(rel)) listing.set(rel, (await fsp.readdir(join(root, rel)).catch(() => [] as string[])).sort());
      const found = listing.get(rel)!.map((n) => (rel ? `${rel}/${n}` : n)).find((p) => isMetrics(p));
      if (found) {
        if (!touched.has(found)) ctx.report({ path: model.path, severity: 'medium', fingerprintKey: `stale\0${found}`, message: `The model ${model.path} changed but its metrics file ${found} did not; re-run the evaluation and commit the new metrics in this PR.` });
        break;
      }
      if (rel === '') break;
      dir = posix.dirname(dir);
    }
  }
}
