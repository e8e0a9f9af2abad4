import rule from '../../../src/rules/data/schema-drift.js';
import { testBaseRule } from '../../helpers/base-tester.js';
import { testRule } from '../../helpers/rule-tester.js';
import { writeParquet } from '../../helpers/parquet-writer.js';

testRule(rule, {
  valid: [{ name: 'a scan without a base has nothing to compare', files: { 'data/a.csv': 'id,label\n1,a\n' } }],
  invalid: [],
});

testBaseRule(rule, {
  valid: [
    { name: 'same columns, more rows', base: { 'data/a.csv': 'id,label\n1,a\n' }, head: { 'data/a.csv': 'id,label\n1,a\n2,b\n' } },
    { name: 'a new dataset has no base', base: { 'README.md': 'x' }, head: { 'data/a.csv': 'id,label\n1,a\n' } },
    { name: 'empty cells do not retype a column', base: { 'data/a.csv': 'id,score\n1,0.5\n' }, head: { 'data/a.csv': 'id,score\n1,\n2,0.7\n' } },
  ],
  invalid: [
    {
      name: 'CSV: removed, added and retyped columns at the header',
      base: { 'data/a.csv': 'id,label,score,source\n1,a,0.5,web\n2,b,0.7,web\n' },
      head: { 'data/a.csv': 'id,label,score,lang\n1,a,high,en\n2,b,low,en\n' },
      errors: [{ line: 1, message: /^Columns changed against the base: removed "source"; added "lang"; retyped "score" \(number → string\) \(4 → 4 columns; base read in full, head read in full\)\. Update the code/ }],
    },
    {
      name: 'JSON Lines: a key disappears',
      base: { 'data/a.jsonl': '{"text":"x","label":1,"meta":{}}\n' },
      head: { 'data/a.jsonl': '{"text":"x","label":1}\n' },
      errors: [{ message: /^Columns changed against the base: removed "meta" \(3 → 2 columns;/ }],
    },
    {
      name: 'Parquet: a declared type changes',
      base: { 'data/p.parquet': writeParquet({ id: [1, 2], score: [1, 2] }) },
      head: { 'data/p.parquet': writeParquet({ id: [1, 2], score: ['1', '2'] }) },
      errors: [{ message: /retyped "score" \(INT64 → STRING\)/ }],
    },
  ],
});
