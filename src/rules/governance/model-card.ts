import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { rootOf } from '../../detect/cards.js';
import { baseModels, cardKey, findModelCard, hasField, isFineTuned, licenses, lineOf, type ModelCard } from '../../detect/model-card.js';
import { defineRule, type RunContext } from '../../engine/rule.js';
import type { ScannedFile } from '../../discovery/types.js';

const FIELDS = ['license', 'datasets', 'intended-use', 'metrics', 'base_model'] as const;
type Field = (typeof FIELDS)[number];
interface Options { required: Field[]; licenses: string[]; 'base-model-sources': string[]; check: 'changed' | 'all' }

/** SPDX ids (https://spdx.org/licenses/) of common open licenses for weights; Hugging Face writes them lower-case. */
const DEFAULT_LICENSES = [
  'Apache-2.0', 'MIT', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', 'MPL-2.0', 'CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0',
  'Unlicense', 'OpenRAIL', 'CreativeML-OpenRAIL-M', 'BigScience-OpenRAIL-M',
];
const DESCRIBE: Record<Field, string> = {
  license: 'a license', datasets: 'the training datasets', 'intended-use': 'the intended use', metrics: 'evaluation metrics',
  base_model: 'the base model it was fine-tuned from (base_model)',
};
const HOW: Record<Field, string> = {
  license: '`license:`', datasets: '`datasets:`', 'intended-use': 'an `intended_use:` key or an "Intended use" section',
  metrics: '`metrics:` or `model-index:`', base_model: '`base_model:`',
};

export default defineRule<Options>({
  meta: {
    id: 'governance/model-card',
    description: 'A model file added or changed has no model card, or its card lacks a required field, an allowed license or an allowed base model.',
    help: [
      'A model card is how reviewers and users learn what a model is for, what it was trained on, how it was',
      'evaluated and under which license it may be used. Without one, a checkpoint in the repository is an',
      'unexplained binary: nobody can tell whether it may ship, whether its data had consent, or which upstream',
      'model (and license) it inherits. This rule looks for a Hugging Face-style `README.md` with YAML front matter',
      'or a `MODEL_CARD.md` in the model\'s folder or a parent folder, and checks the fields the policy requires',
      '(by default license, datasets, intended use, evaluation metrics, and `base_model` when the model is',
      'fine-tuned), that the license is in the policy\'s SPDX allowlist, and that `base_model` comes from an allowed source.',
      'It checks the models a change adds or modifies (a pull request, `--base REF`); set `check: all` to audit every',
      'model in a whole-tree scan.',
      '',
      '**Remediation**: add or complete the model card in the same PR (front matter keys `license`, `datasets`,',
      '`base_model`, `metrics` or `model-index`, and an "Intended use" section). If the license or base model is',
      'acceptable, have the policy\'s owners add it to `licenses` or `base-model-sources`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The PR adds a model with no README.md or MODEL_CARD.md in its folder or a parent',
            lang: 'text',
            code: [
              'models/classifier/model.safetensors   (added)',
              'models/classifier/config.json         (added)',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A model card with the required fields (models/classifier/README.md)',
            lang: 'markdown',
            file: 'models/classifier/README.md',
            code: [
              '---',
              'license: apache-2.0',
              'base_model: distilbert/distilbert-base-uncased',
              'datasets:',
              '  - stanfordnlp/imdb',
              'metrics:',
              '  - accuracy',
              '---',
              '# Review sentiment classifier',
              '',
              '## Intended use',
              '',
              'Ranking English product reviews by sentiment for the support queue; not for decisions about people.',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Hugging Face: model cards', url: 'https://huggingface.co/docs/hub/model-cards' },
      ],
    },
    kinds: [],
    options: {
      type: 'object',
      properties: {
        required: { type: 'array', items: { enum: [...FIELDS] }, uniqueItems: true, description: 'Fields the card must have; `base_model` applies only to fine-tuned models.' },
        licenses: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Allowed SPDX license ids (case-insensitive); empty allows any license.' },
        'base-model-sources': { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs of allowed base model ids, e.g. `meta-llama/*`; empty allows any.' },
        check: { enum: ['changed', 'all'], description: '`changed`: models the change adds or modifies (nothing in a scan without a base); `all`: every model scanned.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { required: [...FIELDS], licenses: DEFAULT_LICENSES, 'base-model-sources': [], check: 'changed' },
  },
  async checkRun(ctx) {
    // Changed: what the scan's discovery marks, or what the change lists (a PR scanned with scope: all).
    const listed = new Set(ctx.change?.changes.filter((c) => c.change !== 'deleted').map((c) => c.path));
    const models = ctx.files.filter((f) => f.kind === 'model' && (ctx.options.check === 'all' || f.change !== 'unchanged' || listed.has(f.path)));
    if (models.length === 0) return;
    const byCard = new Map<string, { card: ModelCard; models: ScannedFile[] }>();
    for (const model of models) {
      const card = await findModelCard(model);
      if (!card) {
        ctx.report({ path: model.path, message: `The model ${model.path} has no model card (README.md with front matter or MODEL_CARD.md in its folder or a parent); add one with its license, datasets, intended use and evaluation metrics.` });
        continue;
      }
      const entry = byCard.get(card.path) ?? { card, models: [] };
      entry.models.push(model);
      byCard.set(card.path, entry);
    }
    for (const { card, models: covered } of byCard.values()) await checkCard(ctx, card, covered);
  },
});

async function checkCard(ctx: RunContext<Options>, card: ModelCard, models: ScannedFile[]): Promise<void> {
  const what = models.length === 1 ? `the model ${models[0].path}` : `${models.length} models (${models[0].path}, …)`;
  if (card.error) {
    ctx.report({ path: card.path, line: 1, message: `The model card for ${what} has front matter that is not valid YAML (${card.error}); fix it so its fields can be checked.` });
    return;
  }
  const siblings = await fsp.readdir(join(rootOf(models[0]), posix.dirname(models[0].path))).catch(() => [] as string[]);
  const fineTuned = isFineTuned(card, siblings) || baseModels(card).length > 0;
  const missing = ctx.options.required.filter((f) => (f !== 'base_model' || fineTuned) && !hasField(card, f));
  if (missing.length) {
    ctx.report({
      path: card.path, line: 1, fingerprintKey: `missing\0${missing.join(',')}`,
      message: `The model card for ${what} does not state ${missing.map((f) => DESCRIBE[f]).join(', ')}; add ${missing.map((f) => HOW[f]).join(', ')}.`,
    });
  }
  const allowed = ctx.options.licenses.map((l) => l.toLowerCase());
  if (allowed.length) {
    const key = cardKey(card, 'license')?.key;
    for (const id of licenses(card)) {
      if (allowed.includes(id.toLowerCase())) continue;
      const named = id.toLowerCase() === 'other' && typeof card.fields.license_name === 'string' ? ` (${card.fields.license_name})` : '';
      ctx.report({ path: card.path, line: lineOf(card, key), fingerprintKey: `license\0${id}`, message: `The model card's license "${id}"${named} is not in the policy's allowed licenses (${ctx.options.licenses.join(', ')}); relicense the model or have the policy's owners allow it.` });
    }
  }
  const sources = ctx.options['base-model-sources'];
  if (sources.length) {
    const ok = picomatch(sources, { nocase: true, dot: true });
    for (const id of baseModels(card)) {
      if (ok(id.replace(/^https:\/\/huggingface\.co\//, ''))) continue;
      ctx.report({ path: card.path, line: lineOf(card, cardKey(card, 'base_model')?.key), severity: 'high', fingerprintKey: `base\0${id}`, message: `The base model "${id}" is not from an allowed source (${sources.join(', ')}); fine-tune from an allowed model or have the policy's owners add its source.` });
    }
  }
}
