import { defineRule } from '../../engine/rule.js';
import { compareWithBase, sidesRead, type Profile } from '../../detect/profile.js';
import { BUDGET_OPTION_SCHEMA, DATASET_FORMATS, DEFAULT_BUDGET_OPTIONS, budgetFrom, type BudgetOptions } from '../../formats/dataset.js';

interface Options extends BudgetOptions { 'max-change': number; 'min-rows': number }

/** Rows in the whole file: counted when read in full, else scaled from the bytes read. */
function rowsOf(p: Profile): { rows: number; estimated: boolean } {
  if (p.stats.complete || p.stats.bytesRead === 0) return { rows: p.rows, estimated: false };
  return { rows: Math.round((p.rows * p.stats.totalBytes) / p.stats.bytesRead), estimated: true };
}

export default defineRule<Options>({
  meta: {
    id: 'data/row-count-change',
    description: 'A changed dataset grew or shrank by more than the policy allows compared with its base version.',
    help: [
      'A training set that doubles or halves in one PR changes what the model learns, and is a common way for',
      'bulk-injected (poisoned) or accidentally truncated data to reach training. This rule compares the row',
      'count of each modified dataset with its base version (counted in full, or estimated from the bytes read',
      'when a side is larger than the read budget) against `max-change`, a fraction of the base count.',
      '',
      '**Remediation**: check where the new rows come from (or why rows were dropped) and say so in the PR;',
      'raise `max-change` for datasets that legitimately grow quickly, or add an exception for the path.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A modified dataset doubles in one PR (row counts of the base and the PR version)',
            lang: 'text',
            code: [
              'data/train.csv   base: 10,030 rows   pull request: 21,670 rows (+116%; max-change 50%)',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A regular refresh within `max-change`',
            lang: 'text',
            code: [
              'data/train.csv   base: 10,030 rows   pull request: 11,200 rows (+12%)',
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
        'max-change': { type: 'number', exclusiveMinimum: 0, description: 'Largest accepted change as a fraction of the base row count (0.5 = ±50%).' },
        'min-rows': { type: 'integer', minimum: 0, description: 'Base datasets with fewer rows than this are not judged.' },
        ...BUDGET_OPTION_SCHEMA,
      },
      additionalProperties: false,
    },
    defaultOptions: { 'max-change': 0.5, 'min-rows': 20, ...DEFAULT_BUDGET_OPTIONS },
  },
  async checkFile(ctx) {
    const c = await compareWithBase(ctx, { budget: budgetFrom(ctx.options) });
    if (!c.ok) return; // data/schema-drift reports sides that cannot be read
    const b = rowsOf(c.base), h = rowsOf(c.head);
    if (b.rows < ctx.options['min-rows']) return;
    const change = (h.rows - b.rows) / b.rows;
    if (Math.abs(change) <= ctx.options['max-change']) return;
    const pct = `${change > 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
    const est = b.estimated || h.estimated ? ' (estimated from the bytes read)' : '';
    ctx.report({
      message: `Rows went from ${b.rows.toLocaleString('en-US')} to ${h.rows.toLocaleString('en-US')} (${pct})${est}, beyond the policy's bound of ±${(ctx.options['max-change'] * 100).toFixed(0)}% (${sidesRead(c)}). Explain where the ${change > 0 ? 'added' : 'removed'} rows come from, or raise max-change for this dataset.`,
      fingerprintKey: 'row-count',
    });
  },
});
