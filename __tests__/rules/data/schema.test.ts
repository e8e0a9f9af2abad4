import rule from '../../../src/rules/data/schema.js';
import { testRule } from '../../helpers/rule-tester.js';
import { writeParquet } from '../../helpers/parquet-writer.js';

const schema = { type: 'object', required: ['text', 'label'], properties: { text: { type: 'string' }, label: { enum: ['pos', 'neg'] }, score: { type: 'integer' } } };
const options = { schemas: [{ paths: ['data/**'], schema }] };

testRule(rule, {
  valid: [
    { name: 'no schema declared', files: { 'data/a.jsonl': '{"x":1}\n' } },
    { name: 'JSON Lines that match', options, files: { 'data/a.jsonl': '{"text":"hi","label":"pos"}\n{"text":"yo","label":"neg","score":3}\n' } },
    { name: 'CSV cells are coerced from text', options, files: { 'data/a.csv': 'text,label,score\nhi,pos,3\n' } },
    { name: 'a path no glob matches', options, files: { 'other/a.jsonl': '{"x":1}\n' } },
    { name: 'Parquet rows that match', options, files: { 'data/p.parquet': writeParquet({ text: ['a', 'b'], label: ['pos', 'neg'], score: [1, 2] }) } },
  ],
  invalid: [
    {
      name: 'JSON Lines rows that do not match, with their lines',
      options,
      files: { 'data/a.jsonl': '{"text":"hi","label":"pos"}\n{"text":"yo","label":"maybe"}\n{"label":"neg"}\n' },
      errors: [
        { line: 2, message: 'The line 2 does not match the schema for data/**: /label must be equal to one of the allowed values. Fix the row, or update the schema in the policy if the shape changed on purpose.' },
        { line: 3, message: /^The line 3 does not match the schema for data\/\*\*: \(row\) must have required property 'text'\./ },
      ],
    },
    {
      name: 'CSV: a non-integer score',
      options,
      files: { 'data/a.csv': 'text,label,score\nhi,pos,3\nyo,neg,three\n' },
      errors: [{ line: 3, message: /^The line 3 does not match the schema for data\/\*\*: \/score must be integer\./ }],
    },
    {
      name: 'more violations than max-violations are counted',
      options: { ...options, 'max-violations': 1 },
      files: { 'data/a.jsonl': '{"text":1,"label":"pos"}\n{"text":2,"label":"pos"}\n{"text":3,"label":"pos"}\n' },
      errors: [
        { line: 1, message: /^The line 1 does not match/ },
        { line: 2, message: /^2 more rows do not match the schema, from line 2 on \(3 in all; read in full: 3 rows/ },
      ],
    },
    {
      name: 'an invalid schema in the policy is reported',
      options: { schemas: [{ paths: ['data/**'], schema: { type: 'nonsense' } }] },
      files: { 'data/a.jsonl': '{}\n' },
      errors: [{ message: /^The policy's schema for data\/\*\* is not a valid JSON Schema/ }],
    },
  ],
});
