import { gzipSync } from 'node:zlib';
import rule from '../../../src/rules/data/pii.js';
import { testRule } from '../../helpers/rule-tester.js';
import { writeParquet } from '../../helpers/parquet-writer.js';

/** Deterministic 16-digit numbers (a linear congruential generator), like a column of SKUs or order ids. */
function skus(n: number): string[] {
  let x = 12345;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let digits = '';
    while (digits.length < 16) { x = (x * 1103515245 + 12345) % 2 ** 31; digits += String(x % 10); }
    out.push(digits[0] === '0' ? `4${digits.slice(1)}` : digits);
  }
  return out;
}
const skuColumn = skus(200);
/** Luhn-valid numbers: the check digit appended to 15 random digits. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const n = body + d;
    let sum = 0;
    for (let i = 0; i < n.length; i++) {
      let v = Number(n[n.length - 1 - i]);
      if (i % 2 === 1) { v *= 2; if (v > 9) v -= 9; }
      sum += v;
    }
    if (sum % 10 === 0) return n;
  }
  throw new Error('unreachable');
}
const cardColumn = skus(20).map((s) => withCheckDigit(`4${s.slice(1, 15)}`));

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
    {
      name: 'a column of random 16-digit SKUs, some of which happen to pass Luhn',
      files: { 'data/products.csv': `sku,price\n${skuColumn.map((s, i) => `${s},${i}.99`).join('\n')}\n` },
    },
    {
      name: 'private, loopback, link-local and documentation addresses',
      files: { 'data/hosts.jsonl': ['10.0.0.5', '192.168.1.20', '172.20.3.4', '127.0.0.1', '169.254.169.254', '203.0.113.9', 'fe80::1ff:fe23:4567:890a', '::1', 'fd00::12:3', '2001:db8::1']
        .map((ip) => JSON.stringify({ client_ip: ip, note: `seen from ${ip}` })).join('\n') },
    },
    { name: 'a file that is not a dataset', files: { 'README.md': 'Mail me at someone@example.com\n' } },
  ],
  invalid: [
    {
      name: 'CSV: one finding per column, at the first row, with counts, rows and redacted values',
      files: { 'data/customers.csv': customers },
      errors: [
        { line: 2, message: /^Column "card" holds personal data: 2 payment card numbers \(Luhn-valid\) \(line 2, line 5; e\.g\. 4111…\[redacted/ },
        { line: 2, message: /^Column "email" holds personal data: 3 email addresses \(line 2, line 3, line 5; e\.g\. UtaK…\[redacted hmac:[0-9a-f]{8}\]\); read in full: 3 rows, .*Remove or pseudonymise/ },
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
      // Rows are looked at before they are parsed; a key that names an entity lets bare values through.
      name: 'JSON Lines: a key named for an entity still catches bare numbers and dates among rows that are skipped',
      files: { 'data/people.jsonl': `${'{"note":"nothing here"}\n'.repeat(50)}{"phone":"4155550132"}\n{"dob":"March 3, 1984"}\n{"SSN":123456780}\n` },
      errors: [
        { line: 51, message: /Column "phone" holds personal data: 1 phone number \(line 51;/ },
        { line: 52, message: /Column "dob" holds personal data: 1 date of birth \(line 52;/ },
        { line: 53, message: /Column "SSN" holds personal data: 1 US social security number \(line 53;/ },
      ],
    },
    {
      name: 'a CSV whose header names an entity reads every row (bare numbers in the column)',
      files: { 'data/people.csv': `id,note,mobile\n${'1,fine,\n'.repeat(30)}2,ok,4155550132\n` },
      errors: [{ line: 32, message: /Column "mobile" holds personal data: 1 phone number \(line 32;/ }],
    },
    {
      name: 'JSON Lines: nested fields are named by their path',
      files: { 'data/chat.jsonl': '{"user":{"contact":"call +44 20 7946 0958"}}\n\n{"user":{"contact":"none"}}\n' },
      errors: [{ line: 1, message: /^Column "user\.contact" holds personal data: 1 phone number \(line 1;/ }],
    },
    {
      name: 'a JSON array in a data folder',
      files: { 'data/rows.json': '[\n {"ip": "86.121.97.248"},\n {"ip": "81.2.69.160"},\n {"ip": "10.1.2.3"}\n]\n' },
      errors: [{ line: 2, message: /^Column "ip" holds personal data: 2 IPv4 addresses \(line 2, line 3;/ }],
    },
    {
      name: 'a column of card-shaped numbers that nearly all pass Luhn is reported, whatever its name',
      files: { 'data/orders.csv': `ref,sku\n${cardColumn.map((c, i) => `${i},${c}`).join('\n')}\n${skuColumn[0]},${skuColumn[1]}\n` },
      errors: [{ line: 2, message: /^Column "sku" holds personal data: 20 payment card numbers \(Luhn-valid\) \(line 2, line 3, line 4, …; e\.g\. 4\d{3}…\[redacted \w+:[0-9a-f]{8}\]\)/ }],
    },
    {
      name: 'a column named for cards is reported per value, and cards in free text are found in any column',
      files: { 'data/pay.csv': `card_number,note\n${skuColumn.slice(0, 30).join(',x\n')},x\n4111111111111111,"paid with 4111 1111 1111 1111"\n` },
      errors: [
        { message: /^Column "card_number" holds personal data: \d+ payment card numbers \(Luhn-valid\)/ },
        { line: 32, message: /^Column "note" holds personal data: 1 payment card number \(Luhn-valid\) \(line 32;/ },
      ],
    },
    {
      name: 'a header that is itself personal data is redacted in the message',
      files: { 'data/contacts.csv': 'maria.lopez@gmail.com\nj.chen@outlook.com\nk.mensah@yahoo.com\n' },
      errors: [{ line: 2, message: /^Column "…\[redacted \w+:[0-9a-f]{8}\]" holds personal data: 2 email addresses \(line 2, line 3; e\.g\. j\.c…\[redacted \w+:[0-9a-f]{8}\]\)/ }],
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
      // A line is parsed only when its text could hold personal data: `not json` alone could not, and is not
      // counted; the one with an address is.
      name: 'undecodable bytes and unparsable JSON Lines rows that could hold personal data are reported',
      files: { 'data/bad.jsonl': Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}\nnot json, ask x@example.com\nnot json\n')]) },
      errors: [{ severity: 'low', message: /^Part of this dataset could not be decoded: bytes from offset 17 are not valid UTF-8 \(read with replacement characters\); 1 row did not parse \(first at line 3: .+\); personal data there may be missed\. Re-encode the file as UTF-8 and fix the rows\.$/ }],
    },
    {
      name: 'a CSV with broken quoting is reported, not passed',
      files: { 'data/bad.csv': 'a,b\n1,"open\n2,3\n' },
      errors: [{ severity: 'medium', message: 'This dataset stopped parsing (a quoted CSV field opened on line 2 is never closed) after 0 rows; the rest was not checked for personal data. Fix the file.' }],
    },
  ],
});
