import rule from '../../../src/rules/data/provenance.js';
import { testRule } from '../../helpers/rule-tester.js';

const card = (front: string) => `---\n${front}\n---\n# My dataset\n`;

testRule(rule, {
  valid: [
    { name: 'a Hugging Face card beside the data', files: { 'data/README.md': card('license: cc-by-4.0\nsource_datasets: [original]\nversion: 1.0.0'), 'data/train.csv': 'a\n1\n' } },
    { name: 'a card in a parent folder covers nested data', files: { 'data/README.md': card('license: CC0-1.0\nsource: https://example.org\ncollection_date: 2025-01-01'), 'data/raw/x/train.jsonl': '{}\n' } },
    { name: 'a datasheet named after the dataset', files: { 'data/train.datasheet.yml': 'license: MIT\nsource: crawl\nversion: 3\n', 'data/train.csv': 'a\n1\n' } },
    { name: 'provenance.json', files: { 'data/provenance.json': '{"license":"Apache-2.0","source":"internal","version":"2"}', 'data/t.csv': 'a\n' } },
    { name: 'a license the policy adds', files: { 'data/README.md': card('license: cc-by-nc-4.0\nsource: x\nversion: 1'), 'data/t.csv': 'a\n' }, options: { licenses: ['CC-BY-NC-4.0'] } },
    { name: 'fields the policy does not require', files: { 'data/README.md': card('license: mit'), 'data/t.csv': 'a\n' }, options: { required: ['license'] } },
  ],
  invalid: [
    {
      name: 'no card at all',
      files: { 'data/train.csv': 'a\n1\n' },
      errors: [{ path: 'data/train.csv', message: 'No dataset card or manifest covers this dataset (looked for README.md with YAML front matter, *.datasheet.yml and provenance.json in data/ and its parent folders). Add one that states license, source, version or collection date.' }],
    },
    {
      name: 'a README without front matter is not a card',
      files: { 'data/README.md': '# Data\nSee the wiki.\n', 'data/train.csv': 'a\n1\n' },
      errors: [{ message: /^No dataset card or manifest covers this dataset/ }],
    },
    {
      name: 'missing fields are named',
      files: { 'data/README.md': card('license: mit'), 'data/train.csv': 'a\n1\n' },
      errors: [{ message: 'The dataset card data/README.md does not state source, version or collection date; add them to the card.' }],
    },
    {
      name: 'a license outside the allowlist',
      files: { 'data/README.md': card('license: cc-by-nc-4.0\nsource: x\nversion: 1'), 'data/train.csv': 'a\n1\n' },
      errors: [{ message: /^The dataset card data\/README\.md declares license "cc-by-nc-4\.0", which the policy's license allowlist does not include/ }],
    },
    {
      name: 'a card that does not parse',
      files: { 'data/provenance.json': '{"license": ', 'data/train.csv': 'a\n1\n' },
      errors: [{ message: /^The dataset card data\/provenance\.json could not be parsed/ }],
    },
  ],
});
