import { gzipSync } from 'node:zlib';
import rule from '../../../src/rules/data/pii.js';
import { testRule } from '../../helpers/rule-tester.js';
import { writeParquet } from '../../helpers/parquet-writer.js';

const customers = [
  'id,name,email,card,notes',
  '1,Uta,UtaKortig@jourrapide.com,4111 1111 1111 1111,ok',
  '2,Ewan,EwanDawson@dayrep.com,,"multi',
  'line note"',
  '3,Sue,SueDHague@armyspy.com,5555555555554444,',
].join('\n');

testRule(rule, {
  valid: [
    { name: 'a dataset without personal data', files: { 'data/train.csv': 'id,label,text\n1,pos,great film\n2,neg,"boring, long"\n' } },
    { name: 'card-shaped numbers that fail Luhn', files: { 'data/orders.csv': 'order,ref\n1,4111 1111 1111 1112\n' } },
    { name: 'an entity the policy does not ask for', files: { 'data/logs.jsonl': '{"ip":"86.121.97.248"}\n' }, options: { entities: ['email'] } },
    { name: 'fewer matches than min-count', files: { 'data/a.csv': 'email\na@example.com\n' }, options: { 'min-count': 2 } },
    { name: 'a file that is not a dataset', files: { 'README.md': 'Mail me at someone@example.com\n' } },
  ],
  invalid: [
    {
      name: 'CSV: one finding per column, at the first row, with counts, rows and redacted values',
      files: { 'data/customers.csv': customers },
      errors: [
        { line: 2, message: /^Column "card" holds personal data: 2 payment card numbers \(Luhn-valid\) \(line 2, line 5; e\.g\. 4111…\[redacted/ },
        { line: 2, message: /^Column "email" holds personal data: 3 email addresses \(line 2, line 3, line 5; e\.g\. UtaK…\[redacted sha256:[0-9a-f]{8}\]\); read in full: 3 rows, .*Remove or pseudonymise/ },
      ],
    },
    {
      name: 'a semicolon-separated CSV is read per column',
      files: { 'data/kunden.csv': 'kundennr;email;telefon\n1;erika.mustermann@example.de;+49 30 901820\n2;max@example.de;keine\n' },
      errors: [
        { line: 2, message: /^Column "email" holds personal data: 2 email addresses \(line 2, line 3;/ },
        { line: 2, message: /^Column "telefon" holds personal data: 1 phone number \(line 2;/ },
      ],
    },
    {
      name: 'the column name raises a bare number to an SSN',
      files: { 'data/people.tsv': 'name\tssn\nA\t123456780\n' },
      errors: [{ line: 2, message: /Column "ssn" holds personal data: 1 US social security number \(line 2;/ }],
    },
    {
      name: 'JSON Lines: nested fields are named by their path',
      files: { 'data/chat.jsonl': '{"user":{"contact":"call +44 20 7946 0958"}}\n\n{"user":{"contact":"none"}}\n' },
      errors: [{ line: 1, message: /^Column "user\.contact" holds personal data: 1 phone number \(line 1;/ }],
    },
    {
      name: 'a JSON array in a data folder',
      files: { 'data/rows.json': '[\n {"ip": "86.121.97.248"},\n {"ip": "10.1.2.3"}\n]\n' },
      errors: [{ line: 2, message: /^Column "ip" holds personal data: 2 IPv4 addresses \(line 2, line 3;/ }],
    },
    {
      name: 'a gzipped CSV',
      files: { 'data/c.csv.gz': gzipSync(Buffer.from('iban\nGB82 WEST 1234 5698 7654 32\n')) },
      errors: [{ line: 2, message: /^Column "iban" holds personal data: 1 IBAN \(mod-97 valid\)/ }],
    },
    {
      name: 'Parquet: rows are numbered',
      files: { 'data/p.parquet': writeParquet({ id: [1, 2, 3], email: ['x', 'a.b@example.org', 'c@example.net'] }) },
      errors: [{ message: /^Column "email" holds personal data: 2 email addresses \(row 2, row 3;/ }],
    },
    {
      name: 'a large file: the budget then samples, and the message says how much was read',
      files: { 'data/big.csv': `email\n${'a@example.com\n'.repeat(20_000)}` },
      options: { 'budget-bytes': 50_000, 'sample-bytes': 20_000 },
      errors: [{ line: 2, message: /email addresses .*; read .* of 273 KiB \(the start in full, then evenly spaced samples; / }],
    },
    {
      name: 'undecodable bytes and unparsable JSON Lines rows are reported',
      files: { 'data/bad.jsonl': Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}\nnot json\n')]) },
      errors: [{ severity: 'low', message: /^Part of this dataset could not be decoded: bytes from offset 17 are not valid UTF-8 \(read with replacement characters\); 1 row did not parse \(first at line 3: .+\); personal data there may be missed\. Re-encode the file as UTF-8 and fix the rows\.$/ }],
    },
    {
      name: 'a CSV with broken quoting is reported, not passed',
      files: { 'data/bad.csv': 'a,b\n1,"open\n2,3\n' },
      errors: [{ severity: 'medium', message: 'This dataset stopped parsing (a quoted CSV field opened on line 2 is never closed) after 0 rows; the rest was not checked for personal data. Fix the file.' }],
    },
  ],
});
