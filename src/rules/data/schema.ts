import { Ajv, type ValidateFunction } from 'ajv';
import picomatch from 'picomatch';
import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import {
  BUDGET_OPTION_SCHEMA, DATASET_FORMATS, DEFAULT_BUDGET_OPTIONS, budgetFrom, describeRead, openDataset, rowPlace,
  type BudgetOptions,
} from '../../formats/dataset.js';

interface SchemaEntry { paths: string[]; schema: Record<string, unknown> }
interface Options extends BudgetOptions { schemas: SchemaEntry[]; 'max-violations': number }

/** Compiled per options object: the engine hands every file the same resolved options. */
const compiled = new WeakMap<object, Array<{ match: (p: string) => boolean; label: string; validate?: ValidateFunction; text?: ValidateFunction; error?: string }>>();

function validators(options: Options) {
  let list = compiled.get(options);
  if (list) return list;
  // Text formats carry strings: coerce "42" to 42 for them; typed formats (JSON, Parquet) are validated as they are.
  const strict = new Ajv({ allErrors: false, strict: false, validateSchema: true });
  const coercing = new Ajv({ allErrors: false, strict: false, coerceTypes: true });
  list = options.schemas.map((s) => {
    const entry = { match: picomatch(s.paths, { dot: true }), label: s.paths.join(', ') };
    try {
      return { ...entry, validate: strict.compile(s.schema), text: coercing.compile(s.schema) };
    } catch (error) {
      return { ...entry, error: (error as Error).message };
    }
  });
  compiled.set(options, list);
  return list;
}

export default defineRule<Options>({
  meta: {
    id: 'data/schema',
    description: 'Rows of a dataset do not match the JSON Schema the policy declares for its path.',
    help: [
      'A training pipeline silently coerces or drops rows it does not expect: a label column with a new value, a',
      'text field that became a number, a missing id. Declaring the shape of each dataset in the policy turns',
      'those into review comments. Each row of a CSV/TSV, JSON Lines, JSON array or Parquet file whose path',
      'matches one of the policy\'s globs is validated with ajv (CSV cells are coerced from text, so `"3"` is an',
      'integer); the first violations are reported with their line or row numbers.',
      '',
      '**Remediation**: fix the rows, or, when the shape changed on purpose, update the schema in the policy in',
      'the same PR. Example: `data/schema: { schemas: [{ paths: ["data/*.jsonl"], schema: { type: object,',
      'required: [text, label], properties: { label: { enum: [pos, neg] } } } }] }`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A row breaks the schema the policy declares for data/*.jsonl (policy, then the row)',
            lang: 'yaml',
            code: [
              '# .github/ai-gate.yml',
              'rules:',
              '  data/schema:',
              '    schemas:',
              '      - paths: ["data/*.jsonl"]',
              '        schema: { type: object, required: [text, label], properties: { label: { enum: [pos, neg] } } }',
              '# data/train.jsonl, line 2: label is not one of pos, neg',
              '#   {"text": "arrived on time", "label": "positive"}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Every row matches',
            lang: 'json',
            code: [
              '{"text": "arrived on time", "label": "pos"}',
              '{"text": "screen cracked in a week", "label": "neg"}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'JSON Schema', url: 'https://json-schema.org/' },
      ],
    },
    kinds: ['dataset'],
    formats: DATASET_FORMATS,
    options: {
      type: 'object',
      properties: {
        schemas: {
          type: 'array',
          description: 'JSON Schemas for the rows of the datasets whose paths match the globs.',
          items: {
            type: 'object',
            properties: {
              paths: { type: 'array', items: { type: 'string' }, minItems: 1 },
              schema: { type: 'object', description: 'A JSON Schema (draft 2020-12 keywords ajv supports) for one row.' },
            },
            required: ['paths', 'schema'],
            additionalProperties: false,
          },
        },
        'max-violations': { type: 'integer', minimum: 1, description: 'Rows reported one by one before the rest are counted.' },
        ...BUDGET_OPTION_SCHEMA,
      },
      additionalProperties: false,
    },
    defaultOptions: { schemas: [], 'max-violations': 10, ...DEFAULT_BUDGET_OPTIONS },
  },
  async checkFile(ctx) {
    const mine = validators(ctx.options).filter((v) => v.match(ctx.file.path));
    if (mine.length === 0) return;
    for (const v of mine) {
      if (v.error) ctx.report({ message: `The policy's schema for ${v.label} is not a valid JSON Schema (${v.error}); fix it in the policy. This file was not validated.`, fingerprintKey: `bad-schema\0${v.label}` });
    }
    const usable = mine.filter((v) => !v.error);
    if (usable.length === 0) return;
    let source;
    try {
      source = await openDataset(ctx.file, ctx.reader, budgetFrom(ctx.options));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ message: `Could not read this dataset (${error.message}), so it was not validated against the schema for ${usable[0].label}; fix the file.` });
      return;
    }
    const text = source.format === 'csv' || source.format === 'tsv' || source.format === 'text';
    let bad = 0;
    let firstExtra: number | undefined;
    const max = ctx.options['max-violations'];
    try {
      for await (const row of source.rows()) {
        for (const v of usable) {
          const validate = text ? v.text! : v.validate!;
          const values = text ? { ...row.values } : row.values;
          if (validate(values)) continue;
          bad++;
          if (bad > max) { if (bad === max + 1) firstExtra = row.line; continue; }
          const err = validate.errors?.[0];
          const what = err ? `${err.instancePath || '(row)'} ${err.message}${err.keyword === 'additionalProperties' ? ` (${(err.params as { additionalProperty?: string }).additionalProperty})` : ''}` : 'does not match';
          ctx.report({
            message: `The ${rowPlace(row)} does not match the schema for ${v.label}: ${what}. Fix the row, or update the schema in the policy if the shape changed on purpose.`,
            ...(row.line !== undefined ? { line: row.line } : {}),
            fingerprintKey: `${v.label}\0${what}\0${row.index}`,
          });
        }
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ message: `This dataset stopped parsing (${error.message}) after ${source.stats.rows} rows; the rest was not validated. Fix the file.` });
    }
    if (bad > max) {
      ctx.report({ message: `${bad - max} more rows do not match the schema, from ${firstExtra !== undefined ? `line ${firstExtra}` : 'the sampled rows'} on (${bad} in all; ${describeRead(source.stats)}). Fix the rows or update the schema.`, ...(firstExtra !== undefined ? { line: firstExtra } : {}), fingerprintKey: 'more' });
    }
  },
});
