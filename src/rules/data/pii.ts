import { defineRule, type FileContext } from '../../engine/rule.js';
import { redact } from '../../engine/redact.js';
import {
  PII_ENTITIES, cardShapedValue, columnEntities, confidenceAtLeast, eachPii, findPii, luhnValid, piiHits, type PiiConfidence,
  type PiiEntity,
} from '../../detect/pii.js';
import { FormatError } from '../../formats/errors.js';
import type { RowFilter } from '../../formats/row-filter.js';
import {
  BUDGET_OPTION_SCHEMA, DATASET_FORMATS, DEFAULT_BUDGET_OPTIONS, budgetFrom, cells, describeRead, openDataset, rowPlace,
  type BudgetOptions, type DatasetRow,
} from '../../formats/dataset.js';

interface Options extends BudgetOptions {
  entities: PiiEntity[];
  'min-count': number;
  'min-confidence': PiiConfidence;
}

const NOUN: Record<PiiEntity, [string, string]> = {
  email: ['email address', 'email addresses'], phone: ['phone number', 'phone numbers'],
  'us-ssn': ['US social security number', 'US social security numbers'],
  'credit-card': ['payment card number (Luhn-valid)', 'payment card numbers (Luhn-valid)'],
  iban: ['IBAN (mod-97 valid)', 'IBANs (mod-97 valid)'], ipv4: ['IPv4 address', 'IPv4 addresses'],
  ipv6: ['IPv6 address', 'IPv6 addresses'], 'date-of-birth': ['date of birth', 'dates of birth'],
};
const FIRST_ROWS = 3;
/** Distinct columns tracked per file; a file with more (deeply nested JSON) is summarised under "other". */
const MAX_COLUMNS = 500;

interface Tally { count: number; places: string[]; line?: number; example: string }

/**
 * A column's card-shaped values (cells that are nothing but 12–19 digits): how many there are, how many pass
 * Luhn, and the card matches among them, held back until the whole column has been read.
 */
interface CardColumn { candidates: number; luhn: number; held?: Tally }

/**
 * The share of a column's card-shaped values that must pass Luhn for the column to be reported as cards when
 * its name does not say so. Random numbers pass one time in ten; a column of real card numbers always does.
 */
const CARD_COLUMN_SHARE = 0.8;

export default defineRule<Options>({
  meta: {
    id: 'data/pii',
    description: 'A dataset holds personal data: emails, phone numbers, SSNs, card numbers, IBANs, IP addresses or dates of birth.',
    help: [
      'Training and evaluation data is copied, cached, shared and memorised by models: personal data committed in',
      'a dataset leaks into every clone, every fork, every checkpoint trained on it, and possibly into model',
      'outputs. This rule streams each changed dataset (CSV/TSV, JSON Lines, JSON arrays, Parquet, text and their',
      '.gz), reads it in full up to the budget and by evenly spaced samples after that, and looks for emails,',
      'phone numbers, US SSNs (with the SSA invalid ranges), payment card numbers (Luhn, all major networks),',
      'IBANs (mod-97 and per-country length), IP addresses and dates of birth (in labelled columns or after',
      '"born"/"DOB"). A column name such as `email`, `ssn`, `dob` or `phone` raises confidence. Findings name',
      'the column, the first rows and the count per entity; values are redacted. A row whose text holds nothing',
      'shaped like any of these is counted without being parsed (most rows of most datasets), so a malformed JSON',
      'Lines row is reported here only when it could hold personal data.',
      '',
      '**Remediation**: remove the column, or pseudonymise it (salted hashes, synthetic replacements) before the',
      'data is committed. For data that is synthetic or consented, add a policy exception with the reason and an',
      'expiry; to tune the check, set `entities`, `min-count` or `min-confidence`.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'Customer emails and phone numbers in a training set (made-up people)',
            lang: 'csv',
            file: 'data/train.csv',
            code: [
              'review,email,phone',
              '"Great product, works as described",maria.lopez@gmail.com,+1 415 555 0132',
              '"Stopped working after a week",j.chen@outlook.com,+1 212 555 0187',
              '"Five stars",kofi.mensah@yahoo.com,+1 646 555 0143',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Pseudonymous ids instead of contact details',
            lang: 'csv',
            file: 'data/train.csv',
            code: [
              'review,user_id,rating',
              '"Great product, works as described",u_8f3a2c,5',
              '"Stopped working after a week",u_19bd07,1',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GDPR Article 4: definition of personal data', url: 'https://gdpr-info.eu/art-4-gdpr/' },
        { title: 'NIST SP 800-122: protecting the confidentiality of PII', url: 'https://csrc.nist.gov/pubs/sp/800/122/final' },
        { title: 'Microsoft Presidio (the labelled corpus our tests measure recall on)', url: 'https://github.com/microsoft/presidio-research' },
      ],
    },
    kinds: ['dataset'],
    formats: DATASET_FORMATS,
    options: {
      type: 'object',
      properties: {
        entities: {
          type: 'array', items: { enum: [...PII_ENTITIES] }, uniqueItems: true,
          description: 'The kinds of personal data looked for.',
        },
        'min-count': {
          type: 'integer', minimum: 1,
          description: 'Report a column only when it holds at least this many matches of one entity.',
        },
        'min-confidence': {
          enum: ['low', 'medium', 'high'],
          description: 'The weakest match counted: high (validated, or announced by the column name), medium, or low.',
        },
        ...BUDGET_OPTION_SCHEMA,
      },
      additionalProperties: false,
    },
    defaultOptions: { entities: [...PII_ENTITIES], 'min-count': 1, 'min-confidence': 'medium', ...DEFAULT_BUDGET_OPTIONS },
  },
  async checkFile(ctx) {
    const { options } = ctx;
    let source;
    try {
      source = await openDataset(ctx.file, ctx.reader, budgetFrom(options));
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ severity: 'medium', message: `Could not read this ${ctx.file.format} dataset (${error.message}); it was not checked for personal data. Fix the file, or exclude it with a policy exception.` });
      return;
    }
    const tallies = new Map<string, Map<PiiEntity, Tally>>();
    const cardColumns = new Map<string, CardColumn>();
    const keyOf = (column: string) => (tallies.size >= MAX_COLUMNS && !tallies.has(column) ? '(other columns)' : column);
    const add = (t: Tally | undefined, row: DatasetRow, value: string): Tally => {
      if (!t) return { count: 1, places: [rowPlace(row)], line: row.line, example: value };
      t.count++;
      if (t.places.length < FIRST_ROWS) t.places.push(rowPlace(row));
      return t;
    };
    const track = (column: string, entity: PiiEntity, row: DatasetRow, value: string) => {
      const key = keyOf(column);
      let byEntity = tallies.get(key);
      if (!byEntity) tallies.set(key, (byEntity = new Map()));
      byEntity.set(entity, add(byEntity.get(entity), row, value));
    };
    const checkCards = options.entities.includes('credit-card');
    let failure: string | undefined;
    try {
      const scanCell = (row: DatasetRow, column: string, value: string) => {
        if (value.length < 6 && !value.includes('@') && !value.includes(':')) return; // shorter than any counted match
        // A cell that is only a card-shaped number, in a column not named for cards, counts toward the column.
        const digits = checkCards && !columnEntities(column).has('credit-card') ? cardShapedValue(value) : undefined;
        let cards: CardColumn | undefined;
        if (digits !== undefined) {
          const key = keyOf(column);
          cards = cardColumns.get(key);
          if (!cards) cardColumns.set(key, (cards = { candidates: 0, luhn: 0 }));
          cards.candidates++;
          if (luhnValid(digits)) cards.luhn++;
        }
        for (const m of eachPii(value, { entities: options.entities, columnName: column })) {
          if (!confidenceAtLeast(m.confidence, options['min-confidence'])) continue;
          if (cards && m.entity === 'credit-card') cards.held = add(cards.held, row, m.value);
          else track(column, m.entity, row, m.value);
        }
      };
      // Most rows hold nothing any finder could match: one look at a chunk's raw text (piiHits) rules them out
      // before they are even parsed. A CSV whose header names no entity needs only the plain shapes; JSON Lines
      // may name one in any row's keys, so there the weaker shapes a column name lets through count too.
      let mode: 'every row' | 'plain' | 'hinted' | undefined;
      const filter: RowFilter = {
        hits(text) {
          mode ??= source.format === 'csv' || source.format === 'tsv' || source.format === 'text'
            ? (source.columns.some((c) => columnEntities(c).size > 0) ? 'every row' : 'plain')
            : 'hinted';
          // JSON Lines: the shapes a column name lets through count only in a chunk that could name such a column.
          return mode === 'every row' ? undefined : piiHits(text, { hinted: mode === 'hinted' ? 'when-named' : false });
        },
      };
      for await (const row of source.rows(filter)) {
        const values = row.values;
        for (const column in values) {
          const v = values[column];
          if (typeof v === 'string') scanCell(row, column, v);
          else if (typeof v === 'number') scanCell(row, column, String(v));
          else if (v && typeof v === 'object') for (const [path, s] of cells({ [column]: v })) scanCell(row, path, s);
        }
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      failure = error.message;
    }
    for (const [column, cards] of cardColumns) {
      if (!cards.held || cards.luhn < cards.candidates * CARD_COLUMN_SHARE) continue;
      let byEntity = tallies.get(column);
      if (!byEntity) tallies.set(column, (byEntity = new Map()));
      const t = byEntity.get('credit-card');
      if (!t) { byEntity.set('credit-card', cards.held); continue; }
      // Cards in free text of the same column were counted already; add the held ones.
      t.count += cards.held.count;
      t.places = [...t.places, ...cards.held.places].slice(0, FIRST_ROWS);
      if (cards.held.line !== undefined && (t.line === undefined || cards.held.line < t.line)) t.line = cards.held.line;
    }
    const read = describeRead(source.stats);
    for (const [column, byEntity] of tallies) report(ctx, column, byEntity, read, options['min-count']);
    const { stats } = source;
    if (stats.undecodableAt !== undefined || stats.badRows > 0) {
      const what = [
        stats.undecodableAt !== undefined ? `bytes from offset ${stats.undecodableAt} are not valid UTF-8 (read with replacement characters)` : '',
        stats.badRows > 0 ? `${stats.badRows} row${stats.badRows === 1 ? '' : 's'} did not parse (first at line ${stats.firstBadRow!.line}: ${stats.firstBadRow!.reason})` : '',
      ].filter(Boolean).join('; ');
      ctx.report({ severity: 'low', message: `Part of this dataset could not be decoded: ${what}; personal data there may be missed. Re-encode the file as UTF-8 and fix the rows.`, fingerprintKey: 'undecodable' });
    }
    if (failure) {
      ctx.report({ severity: 'medium', message: `This dataset stopped parsing (${failure}) after ${source.stats.rows} rows; the rest was not checked for personal data. Fix the file.` });
    }
  },
});

function report(ctx: FileContext<Options>, column: string, byEntity: Map<PiiEntity, Tally>, read: string, minCount: number): void {
  const kept = [...byEntity].filter(([, t]) => t.count >= minCount).sort((a, b) => b[1].count - a[1].count);
  if (kept.length === 0) return;
  const parts = kept.map(([e, t]) => `${t.count.toLocaleString('en-US')} ${NOUN[e][t.count === 1 ? 0 : 1]} (${t.places.join(', ')}${t.count > t.places.length ? ', …' : ''}; e.g. ${example(e, t.example)})`);
  const first = kept.map(([, t]) => t.line).filter((l): l is number => l !== undefined).sort((a, b) => a - b)[0];
  // A header that is itself personal data (a headerless CSV's first row, JSON keyed by email) is redacted too.
  const inName = findPii(column).map((m) => m.value);
  const label = inName.reduce((name, v) => name.split(v).join(redact(v, 0)), column);
  ctx.report({
    message: `Column "${label}" holds personal data: ${parts.join('; ')}; ${read}. Remove or pseudonymise this column, or add a policy exception if the data is synthetic.`,
    ...(first !== undefined ? { line: first } : {}),
    fingerprintKey: `${column}\0${kept.map(([e]) => e).join(',')}`,
    sensitive: [...kept.map(([, t]) => t.example), ...inName],
  });
}

/**
 * An example value as it may appear in a message: `redact()`'s prefix and hash, with the prefix kept short
 * enough never to show a whole part of the value (an email's prefix stays inside half of its local part).
 */
function example(entity: PiiEntity, value: string): string {
  if (entity === 'email') return redact(value, Math.min(4, Math.floor(value.indexOf('@') / 2)));
  return redact(value);
}
