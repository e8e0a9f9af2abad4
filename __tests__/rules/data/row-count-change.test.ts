import rule from '../../../src/rules/data/row-count-change.js';
import { testBaseRule } from '../../helpers/base-tester.js';
import { half, textCsv } from '../../helpers/datasets.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [{ name: 'a scan without a base has nothing to compare', files: { 'data/a.csv': textCsv(100, half) } }],
  invalid: [],
});

testBaseRule(rule, {
  valid: [
    { name: 'growth within the bound', base: { 'data/a.csv': textCsv(100, half) }, head: { 'data/a.csv': textCsv(140, half) } },
    { name: 'a base smaller than min-rows', base: { 'data/a.csv': textCsv(5, half) }, head: { 'data/a.csv': textCsv(100, half) } },
    { name: 'a larger bound in the policy', options: { 'max-change': 2 }, base: { 'data/a.csv': textCsv(100, half) }, head: { 'data/a.csv': textCsv(250, half) } },
  ],
  invalid: [
    {
      name: 'rows more than doubled',
      base: { 'data/a.csv': textCsv(100, half) },
      head: { 'data/a.csv': textCsv(250, half) },
      errors: [{ message: "Rows went from 100 to 250 (+150.0%), beyond the policy's bound of ±50% (base read in full, head read in full). Explain where the added rows come from, or raise max-change for this dataset." }],
    },
    {
      name: 'rows dropped, estimated when the head is sampled',
      options: { 'budget-bytes': 2000, 'sample-bytes': 1000 },
      base: { 'data/a.csv': textCsv(1000, half) },
      head: { 'data/a.csv': textCsv(300, half) },
      errors: [{ message: /^Rows went from [\d,]+ to [\d,]+ \(-\d+\.\d%\) \(estimated from the bytes read\), beyond the policy's bound of ±50% \(base read \d+ of \d+ bytes, head read \d+ of \d+ bytes\)\. Explain where the removed rows/ }],
    },
  ],
});
