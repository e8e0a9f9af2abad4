import rule from '../../../src/rules/data/label-shift.js';
import { testBaseRule } from '../../helpers/base-tester.js';
import { half, textCsv } from '../../helpers/datasets.js';
import { testRule } from '../../helpers/rule-tester.js';

const share = (posPercent: number) => (i: number) => (i % 100 < posPercent ? 'pos' : 'neg');

testRule(rule, {
  valid: [{ name: 'a scan without a base has nothing to compare', files: { 'data/a.csv': textCsv(100, half) } }],
  invalid: [],
});

testBaseRule(rule, {
  valid: [
    { name: 'a stable balance (PSI below 0.1)', base: { 'data/a.csv': textCsv(200, share(50)) }, head: { 'data/a.csv': textCsv(200, share(40)) } },
    { name: 'no label column', base: { 'data/a.csv': 'text,x\na,1\n' }, head: { 'data/a.csv': 'text,x\nb,2\n' } },
  ],
  invalid: [
    {
      name: 'a major shift (PSI 0.42) at the rule severity, with the numbers',
      base: { 'data/a.csv': textCsv(200, share(50)) },
      head: { 'data/a.csv': textCsv(200, share(20)) },
      errors: [{ severity: 'medium', message: 'The "label" distribution shifted strongly: PSI 0.416 (thresholds 0.1 / 0.25), Jensen–Shannon 0.073 bits; "neg" 50.0% → 80.0%, "pos" 50.0% → 20.0% (200 → 200 labelled rows; base read in full, head read in full). Check that the new balance is intended and say why in the PR.' }],
    },
    {
      name: 'a moderate shift (PSI 0.17) is low',
      base: { 'data/a.jsonl': Array.from({ length: 100 }, (_, i) => JSON.stringify({ t: `x${i}`, target: i < 50 ? 1 : 0 })).join('\n') },
      head: { 'data/a.jsonl': Array.from({ length: 100 }, (_, i) => JSON.stringify({ t: `x${i}`, target: i < 30 ? 1 : 0 })).join('\n') },
      errors: [{ severity: 'low', message: /^The "target" distribution shifted moderately: PSI 0\.169 / }],
    },
    {
      name: 'the label column named by the dataset card',
      base: { 'data/README.md': '---\nlabel_column: verdict\n---\n', 'data/a.csv': 'text,verdict\n' + 'a,yes\nb,no\n'.repeat(50) },
      head: { 'data/a.csv': 'text,verdict\n' + 'a,yes\n'.repeat(80) + 'b,no\n'.repeat(20) },
      errors: [{ message: /^The "verdict" distribution shifted strongly: PSI 0\.416 / }],
    },
    {
      name: 'a named label column and a new label',
      options: { 'label-column': 'y_true' },
      base: { 'data/a.csv': 'text,y_true\n' + 'a,cat\nb,dog\n'.repeat(50) },
      head: { 'data/a.csv': 'text,y_true\n' + 'a,cat\nb,dog\n'.repeat(40) + 'c,bird\n'.repeat(20) },
      errors: [{ message: /^The "y_true" distribution shifted strongly: PSI \d+\.\d{3} .*"bird" 0\.0% → 20\.0%/ }],
    },
  ],
});
