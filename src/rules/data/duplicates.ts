import { defineRule } from '../../engine/rule.js';
import { compareWithBase, sidesRead } from '../../detect/profile.js';
import { BUDGET_OPTION_SCHEMA, DATASET_FORMATS, DEFAULT_BUDGET_OPTIONS, budgetFrom, type BudgetOptions } from '../../formats/dataset.js';

interface Options extends BudgetOptions { 'max-increase': number; 'min-duplicates': number }
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export default defineRule<Options>({
  meta: {
    id: 'data/duplicates',
    description: 'A change injects exact or near-duplicate rows into a dataset, raising its duplicate rate above the base.',
    help: [
      'Repeating rows is the cheapest way to make a model memorise them: duplicated examples are over-weighted',
      'in training, leak between train and test splits, and are a common carrier for poisoned or backdoored',
      'samples. For each modified dataset this rule counts rows equal to an earlier row (exact) and rows equal',
      'after ignoring case, spacing and punctuation (near), in the head and in the base version, and',
      'reports when the duplicate rate grew by more than `max-increase`.',
      '',
      '**Remediation**: de-duplicate the added rows (and check where they came from), or raise `max-increase`',
      'for datasets that legitimately repeat rows.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The PR appends the same row many times (base version first, then the PR version)',
            lang: 'csv',
            code: [
              '# base: data/train.csv',
              'text,label',
              'arrived on time,pos',
              'screen cracked in a week,neg',
              '# pull request: data/train.csv (the last row is repeated 40 times)',
              'text,label',
              'arrived on time,pos',
              'screen cracked in a week,neg',
              'Best seller ever!!,pos',
              'best seller ever,pos',
              '…',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The added rows are distinct',
            lang: 'csv',
            code: [
              '# pull request: data/train.csv',
              'text,label',
              'arrived on time,pos',
              'screen cracked in a week,neg',
              'battery lasts two days,pos',
              'support never answered,neg',
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
        'max-increase': { type: 'number', minimum: 0, maximum: 1, description: 'Largest accepted rise of the duplicate rate (0.02 = 2 percentage points).' },
        'min-duplicates': { type: 'integer', minimum: 1, description: 'Fewer new duplicate rows than this are not reported.' },
        ...BUDGET_OPTION_SCHEMA,
      },
      additionalProperties: false,
    },
    defaultOptions: { 'max-increase': 0.02, 'min-duplicates': 5, ...DEFAULT_BUDGET_OPTIONS },
  },
  async checkFile(ctx) {
    const c = await compareWithBase(ctx, { budget: budgetFrom(ctx.options) });
    if (!c.ok || c.head.rows === 0) return;
    const { head, base } = c;
    const dupH = head.exactDuplicates + head.nearDuplicates;
    const dupB = base.exactDuplicates + base.nearDuplicates;
    const rateH = dupH / head.rows, rateB = base.rows ? dupB / base.rows : 0;
    if (dupH - dupB < ctx.options['min-duplicates'] || rateH - rateB <= ctx.options['max-increase']) return;
    const line = head.duplicatePlaces[0]?.startsWith('line ') ? Number(head.duplicatePlaces[0].slice(5)) : undefined;
    ctx.report({
      message: `Duplicate rows rose from ${dupB.toLocaleString('en-US')} of ${base.rows.toLocaleString('en-US')} (${pct(rateB)}) to ${dupH.toLocaleString('en-US')} of ${head.rows.toLocaleString('en-US')} (${pct(rateH)}): ${head.exactDuplicates.toLocaleString('en-US')} exact and ${head.nearDuplicates.toLocaleString('en-US')} near duplicates, first at ${head.duplicatePlaces.join(', ')} (${sidesRead(c)}). De-duplicate the added rows and check where they came from.`,
      ...(line ? { line } : {}),
      fingerprintKey: 'duplicates',
    });
  },
});
