import { defineRule } from '../../engine/rule.js';
import { compareWithBase, sidesRead } from '../../detect/profile.js';
import { BUDGET_OPTION_SCHEMA, DATASET_FORMATS, DEFAULT_BUDGET_OPTIONS, budgetFrom, type BudgetOptions } from '../../formats/dataset.js';

type Options = BudgetOptions;
const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');

export default defineRule<Options>({
  meta: {
    id: 'data/schema-drift',
    description: 'A changed dataset adds, removes or retypes columns compared with its base version.',
    help: [
      'Feature pipelines and training code address columns by name and expect their types: a dropped column',
      'fails late or, worse, is silently filled with defaults; a column that turns from numbers into strings',
      'changes what a model learns. For each dataset the change modifies, this rule reads the base version too',
      'and compares the columns (CSV header, JSON keys, Parquet schema) and their types (declared, or inferred',
      'from the values read).',
      '',
      '**Remediation**: if the change is intended, update the code, the dataset card and any schema in the',
      'policy (`data/schema`) in the same PR, and say so in the PR description; otherwise restore the columns.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The PR renames a column and changes a type (base version first, then the PR version)',
            lang: 'csv',
            code: [
              '# base: data/train.csv',
              'id,text,label',
              '1,great product,1',
              '# pull request: data/train.csv',
              'id,review,label',
              '1,great product,positive',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Rows are added and the columns stay the same',
            lang: 'csv',
            code: [
              '# base: data/train.csv',
              'id,text,label',
              '1,great product,1',
              '# pull request: data/train.csv',
              'id,text,label',
              '1,great product,1',
              '2,broke after a week,0',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['dataset'],
    formats: DATASET_FORMATS,
    options: { type: 'object', properties: { ...BUDGET_OPTION_SCHEMA }, additionalProperties: false },
    defaultOptions: { ...DEFAULT_BUDGET_OPTIONS },
  },
  async checkFile(ctx) {
    const c = await compareWithBase(ctx, { budget: budgetFrom(ctx.options) });
    if (!c.ok) {
      if (c.reason) ctx.report({ message: `The base and head versions could not both be read (${c.reason}), so columns were not compared; fix the file.` });
      return;
    }
    const { head, base } = c;
    const added = head.columns.filter((x) => !base.columns.includes(x));
    const removed = base.columns.filter((x) => !head.columns.includes(x));
    const retyped = head.columns.filter((x) => base.columns.includes(x) && head.types[x] !== base.types[x]
      && head.types[x] !== 'empty' && base.types[x] !== 'empty');
    if (!added.length && !removed.length && !retyped.length) return;
    const parts = [
      removed.length ? `removed ${list(removed)}` : '',
      added.length ? `added ${list(added)}` : '',
      retyped.length ? `retyped ${retyped.map((x) => `"${x}" (${base.types[x]} → ${head.types[x]})`).join(', ')}` : '',
    ].filter(Boolean);
    const text = ['csv', 'tsv'].includes(head.stats.format);
    ctx.report({
      message: `Columns changed against the base: ${parts.join('; ')} (${base.columns.length} → ${head.columns.length} columns; ${sidesRead(c)}). Update the code, card and schema that use them in this PR, or restore the columns.`,
      ...(text ? { line: 1 } : {}),
      fingerprintKey: parts.join('\0'),
    });
  },
});
