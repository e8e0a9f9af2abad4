import rule from '../../../src/rules/data/duplicates.js';
import { testBaseRule } from '../../helpers/base-tester.js';
import { half, textCsv } from '../../helpers/datasets.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [{ name: 'a scan without a base has nothing to compare', files: { 'data/a.csv': textCsv(50, half, ['x,pos', 'x,pos']) } }],
  invalid: [],
});

testBaseRule(rule, {
  valid: [
    { name: 'new unique rows', base: { 'data/a.csv': textCsv(100, half) }, head: { 'data/a.csv': textCsv(150, half) } },
    { name: 'duplicates that were already there', base: { 'data/a.csv': textCsv(100, half, Array(10).fill('same text,pos')) }, head: { 'data/a.csv': textCsv(110, half, Array(10).fill('same text,pos')) } },
  ],
  invalid: [
    {
      name: 'injected exact and near duplicates, with the rates and first lines',
      base: { 'data/a.csv': textCsv(100, half) },
      head: { 'data/a.csv': textCsv(100, half, [...Array(6).fill('Buy now cheap,pos'), 'buy NOW; cheap!!,pos', ' Buy now  cheap. ,pos']) },
      errors: [{ line: 103, message: 'Duplicate rows rose from 0 of 100 (0.0%) to 7 of 108 (6.5%): 5 exact and 2 near duplicates, first at line 103, line 104, line 105 (base read in full, head read in full). De-duplicate the added rows and check where they came from.' }],
    },
  ],
});
