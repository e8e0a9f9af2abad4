import { defineRule } from '../../engine/rule.js';
import { cardField, findCard, isCardFile } from '../../detect/cards.js';
import { DATASET_FORMATS } from '../../formats/dataset.js';

interface Options { required: string[]; licenses: string[] }

/** SPDX ids (and the lower-case short forms Hugging Face cards use) accepted by default: open data licenses. */
const DEFAULT_LICENSES = [
  'CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'CC-BY-3.0', 'ODC-By-1.0', 'ODbL-1.0', 'PDDL-1.0', 'CDLA-Permissive-2.0',
  'CDLA-Permissive-1.0', 'CDLA-Sharing-1.0', 'MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'Unlicense',
];
/** Hugging Face's license identifiers that differ from SPDX only by spelling. */
const ALIASES: Record<string, string> = { 'odc-by': 'odc-by-1.0', odbl: 'odbl-1.0', pddl: 'pddl-1.0', cc0: 'cc0-1.0', unlicense: 'unlicense' };
const norm = (id: string) => { const l = id.trim().toLowerCase(); return ALIASES[l] ?? l; };
const LABEL: Record<string, string> = { 'collection-date': 'collection date' };
const label = (f: string) => f.split('|').map((x) => LABEL[x] ?? x).join(' or ');

export default defineRule<Options>({
  meta: {
    id: 'data/provenance',
    description: 'A dataset has no card or manifest saying its license, source and version, or its license is not allowed.',
    help: [
      'A model inherits the obligations and the risks of its training data: a dataset without a stated license',
      'may not be usable at all, one without a source cannot be audited for consent or poisoning, and one without',
      'a version or collection date cannot be reproduced. This rule looks beside each dataset (its folder, then',
      'the parent folders) for a Hugging Face-style dataset card (`README.md` with YAML front matter), a',
      '`*.datasheet.yml`, or a `provenance.json`, checks the fields the policy requires, and checks the license',
      'against the policy\'s SPDX allowlist.',
      '',
      '**Remediation**: add a dataset card next to the data, for example a `README.md` starting with',
      '`---\\nlicense: cc-by-4.0\\nsource: https://…\\nversion: 2026-01\\n---`. If the license is acceptable but not',
      'listed, add its SPDX id to `licenses` in the policy.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A dataset with no card, datasheet or provenance.json beside it or in a parent folder',
            lang: 'csv',
            file: 'data/reviews/train.csv',
            code: [
              'text,label',
              'arrived on time,pos',
              'screen cracked in a week,neg',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A dataset card next to the data (data/reviews/README.md) with license, source and version',
            lang: 'markdown',
            file: 'data/reviews/README.md',
            code: [
              '---',
              'license: cc-by-4.0',
              'source: https://example.org/reviews-export',
              'version: 2026-01',
              '---',
              '# Product reviews',
              '',
              'Reviews exported from the shop, de-identified before export.',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['dataset'],
    formats: DATASET_FORMATS,
    options: {
      type: 'object',
      properties: {
        required: {
          type: 'array', uniqueItems: true,
          items: { type: 'string', pattern: '^(license|source|version|collection-date|label-column)(\\|(license|source|version|collection-date|label-column))*$' },
          description: 'Fields the card must give; `a|b` accepts either.',
        },
        licenses: { type: 'array', items: { type: 'string' }, description: 'Accepted licenses (SPDX ids, case-insensitive).' },
      },
      additionalProperties: false,
    },
    defaultOptions: { required: ['license', 'source', 'version|collection-date'], licenses: DEFAULT_LICENSES },
  },
  async checkFile(ctx) {
    if (isCardFile(ctx.file.path)) return;
    const card = await findCard(ctx.file);
    const folder = ctx.file.path.includes('/') ? ctx.file.path.slice(0, ctx.file.path.lastIndexOf('/') + 1) : './';
    if (!card) {
      ctx.report({ message: `No dataset card or manifest covers this dataset (looked for README.md with YAML front matter, *.datasheet.yml and provenance.json in ${folder} and its parent folders). Add one that states ${ctx.options.required.map(label).join(', ')}.`, fingerprintKey: 'no-card' });
      return;
    }
    if (card.error) {
      ctx.report({ message: `The dataset card ${card.path} could not be parsed (${card.error}); fix it so that its license and source can be read.`, fingerprintKey: `unparsed\0${card.path}` });
      return;
    }
    const missing = ctx.options.required.filter((f) => f.split('|').every((alt) => cardField(card, alt) === undefined));
    if (missing.length) {
      ctx.report({ message: `The dataset card ${card.path} does not state ${missing.map(label).join(', ')}; add ${missing.length === 1 ? 'it' : 'them'} to the card.`, fingerprintKey: `missing\0${card.path}\0${missing.join(',')}` });
    }
    const license = cardField(card, 'license');
    if (license === undefined) return;
    const allowed = new Set(ctx.options.licenses.map(norm));
    const ids = (Array.isArray(license) ? license : [license]).map((l) => String(l));
    const refused = ids.filter((id) => !allowed.has(norm(id)));
    if (refused.length) {
      ctx.report({ message: `The dataset card ${card.path} declares license ${refused.map((l) => `"${l}"`).join(', ')}, which the policy's license allowlist does not include; check that the data may be used for this purpose, then add the SPDX id to \`licenses\` or replace the data.`, fingerprintKey: `license\0${card.path}\0${refused.join(',')}` });
    }
  },
});
