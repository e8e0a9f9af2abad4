import { defineRule } from '../../engine/rule.js';
import { compareWithBase, labelColumnFor, sidesRead } from '../../detect/profile.js';
import { jensenShannon, psi, shareChanges } from '../../detect/stats.js';
import { BUDGET_OPTION_SCHEMA, DATASET_FORMATS, DEFAULT_BUDGET_OPTIONS, budgetFrom, type BudgetOptions } from '../../formats/dataset.js';

interface Options extends BudgetOptions { 'label-column': string; 'psi-moderate': number; 'psi-major': number }

export default defineRule<Options>({
  meta: {
    id: 'data/label-shift',
    description: 'The label distribution of a changed dataset moved away from its base version (PSI, Jensen–Shannon).',
    help: [
      'A change in the balance of labels changes what a classifier learns and how it is evaluated; a targeted',
      'flip of labels is also the simplest data-poisoning attack. For each modified dataset this rule compares',
      'the label column of the head with the base version by the Population Stability Index (PSI; by',
      'convention below 0.1 is stable, 0.1–0.25 a moderate shift, above 0.25 a major one) and the Jensen–Shannon',
      'divergence, and shows the labels whose share moved most. A moderate shift is reported as low, a major',
      'one at the rule\'s severity. The label column is `label-column`, else the dataset card\'s `label_column`,',
      'else the first column named label,',
      'labels, target, class, y, category, sentiment, intent or gold_label.',
      '',
      '**Remediation**: check that the new balance is intended (and re-weight or re-split if not); say why in the',
      'PR. Tune `psi-moderate` and `psi-major` for datasets whose balance legitimately moves.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The share of one label jumps (label counts of the base version and of the PR version)',
            lang: 'text',
            code: [
              'data/train.csv   base        pull request',
              'pos              5,020 (50%) 9,110 (78%)',
              'neg              5,010 (50%) 2,560 (22%)',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'New rows keep the balance',
            lang: 'text',
            code: [
              'data/train.csv   base        pull request',
              'pos              5,020 (50%) 6,040 (50%)',
              'neg              5,010 (50%) 5,990 (50%)',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['dataset'],
    formats: DATASET_FORMATS,
    options: {
      type: 'object',
      properties: {
        'label-column': { type: 'string', description: 'The label column; empty to use the dataset card\'s `label_column`, else a conventional name.' },
        'psi-moderate': { type: 'number', minimum: 0, description: 'PSI from which a shift is reported as low.' },
        'psi-major': { type: 'number', minimum: 0, description: 'PSI from which a shift is reported at the rule severity.' },
        ...BUDGET_OPTION_SCHEMA,
      },
      additionalProperties: false,
    },
    defaultOptions: { 'label-column': '', 'psi-moderate': 0.1, 'psi-major': 0.25, ...DEFAULT_BUDGET_OPTIONS },
  },
  async checkFile(ctx) {
    const c = await compareWithBase(ctx, { budget: budgetFrom(ctx.options), labelColumn: await labelColumnFor(ctx.file, ctx.options['label-column']) });
    if (!c.ok || !c.head.labelColumn || c.head.labelColumn !== c.base.labelColumn) return;
    if (c.base.labels.size === 0 || c.head.labels.size === 0) return;
    const p = psi(c.base.labels, c.head.labels);
    if (p < ctx.options['psi-moderate']) return;
    const js = jensenShannon(c.base.labels, c.head.labels);
    const major = p >= ctx.options['psi-major'];
    const n = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0).toLocaleString('en-US');
    ctx.report({
      ...(major ? {} : { severity: 'low' as const }),
      message: `The "${c.head.labelColumn}" distribution shifted ${major ? 'strongly' : 'moderately'}: PSI ${p.toFixed(3)} (thresholds ${ctx.options['psi-moderate']} / ${ctx.options['psi-major']}), Jensen–Shannon ${js.toFixed(3)} bits; ${shareChanges(c.base.labels, c.head.labels)} (${n(c.base.labels)} → ${n(c.head.labels)} labelled rows; ${sidesRead(c)}). Check that the new balance is intended and say why in the PR.`,
      fingerprintKey: `label-shift\0${c.head.labelColumn}`,
    });
  },
});
