import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  COLUMN_HINTS, HINTED_SHAPE_WORDS, PII_WINDOW, cardNetwork, cardShapedValue, columnEntities, findPii, findPiiIn, ibanValid, ipv4Public, ipv6Public,
  luhnValid, mayHoldPii, nonOverlapping, piiHits, ssnValid,
  type PiiEntity,
} from '../../src/detect/pii.js';

const only = (text: string, columnName?: string) => findPii(text, columnName ? { columnName } : {})
  .filter((m) => m.confidence !== 'low').map((m) => [m.entity, m.value]);

describe('findPii', () => {
  it('finds emails and gives their position', () => {
    const text = 'Contact Uta.Kortig+ml@jourrapide.co.uk today.';
    expect(findPii(text)).toEqual([{ entity: 'email', value: 'Uta.Kortig+ml@jourrapide.co.uk', index: 8, length: 30, confidence: 'high' }]);
    expect(only('not an email: a@b, x@y.z, @handle, foo@@bar.com')).toEqual([]);
  });

  it('finds payment cards of every major network by Luhn, with spaces or dashes', () => {
    const cards: Array<[string, string]> = [
      ['4111 1111 1111 1111', 'visa'], ['4222222222222', 'visa'], ['4000000000000000006', 'visa'],
      ['5555-5555-5555-4444', 'mastercard'], ['2223003122003222', 'mastercard'], ['378282246310005', 'amex'],
      ['6011111111111117', 'discover'], ['3530111333300000', 'jcb'], ['30569309025904', 'diners'],
      ['6200000000000005', 'unionpay'], ['6304000000000000', 'maestro'],
    ];
    for (const [card, network] of cards) {
      expect(cardNetwork(card.replace(/\D/g, ''))).toBe(network);
      expect(only(`paid with ${card}.`)).toEqual([['credit-card', card]]);
    }
    expect(only('order 4111 1111 1111 1112 failed')).not.toContainEqual(['credit-card', '4111 1111 1111 1112']);
    expect(only('mixed 4111 1111-1111 1111')).not.toContainEqual(expect.arrayContaining(['credit-card']));
  });

  it('validates US SSNs against the SSA invalid ranges', () => {
    expect(only('SSN 123-45-6780 on file')).toEqual([['us-ssn', '123-45-6780']]);
    for (const bad of ['000-12-3456', '666-12-3456', '912-12-3456', '123-00-4567', '123-45-0000', '078-05-1120']) {
      expect(ssnValid(bad)).toBe(false);
      expect(only(`ssn ${bad}`).filter(([e]) => e === 'us-ssn')).toEqual([]);
    }
    // A bare 9-digit number is an SSN only in a column that says so.
    expect(only('123456780')).toEqual([]);
    expect(only('123456780', 'ssn')).toEqual([['us-ssn', '123456780']]);
  });

  it('validates IBANs by mod-97 and the country length', () => {
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false); // check digits wrong
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one short for DE
    expect(only('IBAN: GB82 WEST 1234 5698 7654 32 thanks')).toEqual([['iban', 'GB82 WEST 1234 5698 7654 32']]);
    expect(only('acct gb42nawi04454264788619')).toEqual([['iban', 'gb42nawi04454264788619']]);
  });

  it('finds IPv4 and IPv6 addresses, not version numbers', () => {
    expect(only('login from 86.121.97.248 at noon')).toEqual([['ipv4', '86.121.97.248']]);
    expect(only('client 6e40:4041:c617:e898:c11:40d2:c669:2eb4')).toEqual([['ipv6', '6e40:4041:c617:e898:c11:40d2:c669:2eb4']]);
    expect(only('2a02:c7f::1ff:fe23:4567:890a')).toEqual([['ipv6', '2a02:c7f::1ff:fe23:4567:890a']]);
    expect(only('version 1.2.3.4 released; 999.1.1.1 is not an address; 12:30:45')).toEqual([]);
  });

  it('does not report private, loopback, link-local, documentation or reserved addresses', () => {
    const v4 = ['10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.10', '127.0.0.1', '169.254.169.254', '0.0.0.0',
      '192.0.2.15', '198.51.100.7', '203.0.113.250', '100.64.1.1', '224.0.0.251', '255.255.255.255'];
    for (const ip of v4) {
      expect(ipv4Public(ip)).toBe(false);
      expect(findPii(`client ip ${ip} connected`)).toEqual([]);
      expect(findPii(ip, { columnName: 'ip_address' })).toEqual([]);
    }
    for (const ip of ['86.121.97.248', '172.15.255.1', '172.32.0.1', '192.169.0.1', '198.51.101.1', '203.0.114.1', '8.8.8.8']) {
      expect(ipv4Public(ip)).toBe(true);
    }
    const v6 = ['::1', '::', 'fe80::1ff:fe23:4567:890a', 'febf::1', 'fc00::1:2:3', 'fd12:3456:789a:1::1', '2001:db8::8a2e:370:7334',
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'ff02::1:ff00:1', '::ffff:192.168.1.1'];
    for (const ip of v6) {
      expect(ipv6Public(ip)).toBe(false);
      expect(findPii(`client ${ip} connected`, { columnName: 'ip' })).toEqual([]);
    }
    for (const ip of ['2a02:c7f::1ff:fe23:4567:890a', '2001:4860:4860::8888', 'fec0::1', '::ffff:8.8.8.8', '2001:db9::1']) {
      expect(ipv6Public(ip)).toBe(true);
    }
  });

  it('tells a whole card-shaped value from text that holds one', () => {
    expect(cardShapedValue('4111 1111 1111 1111')).toBe('4111111111111111');
    expect(cardShapedValue(' 5555-5555-5555-4444 ')).toBe('5555555555554444');
    expect(cardShapedValue('4111111111111111')).toBe('4111111111111111');
    expect(cardShapedValue('paid with 4111111111111111')).toBeUndefined();
    // The same as the expression it replaces, on values built to sit on its edges (property).
    const reference = (value: string) => {
      const v = value.trim();
      if (!/^\d(?:[ -]?\d){11,18}$/.test(v)) return undefined;
      const seps = v.replace(/\d/g, '');
      if (seps && !/^( +|-+)$/.test(seps)) return undefined;
      return v.replace(/\D/g, '');
    };
    const piece = fc.constantFrom('4', '1', '0', '9', '1234', '5555', ' ', '-', '  ', '--', '\t', '\u00a0', 'x', '.', '\n', '١');
    fc.assert(fc.property(fc.array(piece, { maxLength: 45, size: 'max' }).map((a) => a.join('')), (value) => {
      expect([value, cardShapedValue(value)]).toEqual([value, reference(value)]);
    }), { numRuns: 20_000 });
    // Its bounds: 12 to 19 digits, each pair split by at most one separator.
    for (const n of [11, 12, 19, 20]) {
      const digits = '4'.repeat(n);
      for (const value of [digits, digits.split('').join(' '), digits.split('').join('-'), ` ${digits.split('').join(' ')}\t`]) {
        expect([value, cardShapedValue(value)]).toEqual([value, reference(value)]);
        expect(cardShapedValue(value)).toBe(n >= 12 && n <= 19 ? digits : undefined);
      }
    }
    expect(cardShapedValue('4111 1111-1111 1111')).toBeUndefined();
    expect(cardShapedValue('12345678901')).toBeUndefined();
  });

  it('finds phone numbers in international and national formats', () => {
    for (const phone of ['+1-984-182-0190', '+44 20 7946 0958', '+41 (0)96 471 07 95', '(212) 555-0147', '905-674-3793',
      '07700 900123', '03.93.92.16.85', '+447700677662', '259.735.7502x459']) {
      expect(only(`call ${phone}`)).toEqual([['phone', phone]]);
    }
    expect(only('9498777106')).toEqual([]);
    expect(only('9498777106', 'phone_number')).toEqual([['phone', '9498777106']]);
  });

  it('finds dates of birth only when labelled', () => {
    expect(only('meeting on 2/8/1935')).toEqual([]);
    expect(only('She was born on 2/8/1935.')).toEqual([['date-of-birth', '2/8/1935']]);
    expect(only('1985-03-12', 'dob')).toEqual([['date-of-birth', '1985-03-12']]);
    expect(only('12 March 1985', 'DateOfBirth')).toEqual([['date-of-birth', '12 March 1985']]);
  });

  it('limits the search to the requested entities', () => {
    const text = 'a@b.com 86.121.97.248';
    expect(findPii(text, { entities: ['ipv4'] }).map((m) => m.entity)).toEqual(['ipv4']);
  });

  it('reads column names in any case style', () => {
    const has = (name: string, e: PiiEntity) => columnEntities(name).has(e);
    expect(has('customer_email', 'email')).toBe(true);
    expect(has('EmailAddress', 'email')).toBe(true);
    expect(has('client-ip', 'ipv4')).toBe(true);
    expect(has('ssn', 'us-ssn')).toBe(true);
    expect(has('Date of Birth', 'date-of-birth')).toBe(true);
    expect(has('description', 'email')).toBe(false);
    expect(has('zipcode', 'ipv4')).toBe(false);
  });

  it('returns sorted, non-overlapping matches that slice back to their values (property)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 -.+@():abcdefxGB'.split('')), maxLength: 80 }), (text) => {
      const ms = findPii(text);
      for (let i = 0; i < ms.length; i++) {
        expect(text.slice(ms[i].index, ms[i].index + ms[i].length)).toBe(ms[i].value);
        if (i > 0) expect(ms[i].index).toBeGreaterThanOrEqual(ms[i - 1].index + ms[i - 1].length);
      }
    }), { numRuns: 300 });
  });

  it('Luhn agrees with the textbook examples', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('findPii on long texts', () => {
  it('searches a long text window by window with the same matches as at once, when no two matches touch (property)', () => {
    const token = fc.constantFrom('maria.lopez@gmail.com', '+1 415 555 0132', '4111 1111 1111 1111', '078-05-1120', 'GB29 NWBK 6016 1331 9268 19',
      '8.8.8.8', '2001:db8::1', 'born 12/03/1984', 'plain words', 'id 12345', 'é日😀', '(212) 555-0187');
    const filler = fc.integer({ min: 200, max: 5000 }).map((n) => ' lorem ipsum; '.repeat(Math.ceil(n / 14)));
    fc.assert(fc.property(fc.array(fc.tuple(token, filler), { minLength: 20, maxLength: 80 }), fc.constantFrom(undefined, 'phone', 'dob', 'ssn'), (parts, columnName) => {
      const text = parts.map(([t, f]) => `${t};${f}`).join('');
      fc.pre(text.length > 2 * PII_WINDOW);
      const opts = columnName ? { columnName } : {};
      expect(findPii(text, opts)).toEqual(findPiiIn(text, opts));
    }), { numRuns: 40 });
  });

  it('finds every one of 250,000 phone numbers in a 2 MB cell (linear: the pairwise overlap check took minutes)', () => {
    const text = Array.from({ length: 250_000 }, (_, i) => `555 ${String(1000 + (i % 9000))}`).join(' ; ');
    const found = findPii(text, { columnName: 'phone' }).filter((m) => m.entity === 'phone');
    expect(found.length).toBe(250_000);
    expect(found[249_999].index).toBe(text.lastIndexOf('555 '));
  });

  it('settles overlapping candidates the same way pairwise or marked on the text (property)', () => {
    const pairwise = <C extends { index: number; length: number }>(cs: C[]) => {
      const taken: C[] = [];
      for (const c of cs) if (!taken.some((t) => c.index < t.index + t.length && t.index < c.index + c.length)) taken.push(c);
      return taken;
    };
    const candidate = fc.record({ index: fc.nat(300), length: fc.integer({ min: 1, max: 40 }), n: fc.nat() });
    fc.assert(fc.property(fc.array(candidate, { maxLength: 200, size: 'max' }), (cs) => {
      expect(nonOverlapping(cs, 400)).toEqual(pairwise(cs));
    }), { numRuns: 2_000 });
    // An empty candidate inside a longer one (no finder makes one) is settled as pairwise.
    const withEmpty = [{ index: 5, length: 0 }, ...Array.from({ length: 40 }, (_, i) => ({ index: i * 3, length: 4 }))];
    expect(nonOverlapping(withEmpty, 200)).toEqual(pairwise(withEmpty));
  });
});

describe('mayHoldPii (the row prefilter of data/pii)', () => {
  const examples = [
    'write to maria.lopez@gmail.com', 'call +1 415 555 0132', 'call (415) 555-0132', 'call 415.555.0132', 'ring 030 12345678',
    'tel 0171 234567', 'ssn 123-45-6789', 'ssn 123 45 6789', 'card 4111111111111111', 'card 4111 1111 1111 1111',
    'card 5555-5555-5555-4444', 'iban GB29NWBK60161331926819', 'iban GB29 NWBK 6016 1331 9268 19', 'iban NL91ABNA0417164300',
    'iban MT84MALT011000012345MTLCAST001S', 'from 8.8.8.8 today',
    'from 2a00:1450:4001:82a::200e', 'from ::ffff:8.8.8.8', 'born on 12 March 1984', 'DOB: 1984-03-12', 'née Smith 1.2.1980',
  ];

  it('lets through every kind of match findPii makes', () => {
    for (const text of examples) {
      expect(findPii(text).length).toBeGreaterThan(0);
      expect([text, mayHoldPii(text)]).toEqual([text, true]);
    }
  });

  it('rules out ordinary rows', () => {
    for (const text of ['review 12345678 of the product was good and arrived on time', '7,"fine, thanks",pos,0.3', '{"id": 42, "text": "ok", "label": "neg"}']) {
      expect([text, mayHoldPii(text)]).toEqual([text, false]);
    }
  });

  it('is never false where findPii finds something without a column hint (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789 .-+:()@/abcdefxyzABCDEFGBNRWK,é'.split(''), 'born ', 'dob ', ' 19', '4111', 'GB29');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), (text) => {
      if (findPii(text).length > 0) expect([text, mayHoldPii(text)]).toEqual([text, true]);
    }), { numRuns: 20_000 });
    fc.assert(fc.property(fc.constantFrom(...examples), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (pii, before, after) => {
      const text = `${before} ${pii} ${after}`;
      if (findPii(text).length > 0) expect([text, mayHoldPii(text)]).toEqual([text, true]);
    }), { numRuns: 5_000 });
  });

  it('with a column name that announces an entity, mayHoldPii(text, { hinted: true }) is never false where findPii finds something (property)', () => {
    const hintedExamples = ['4155550132', '123456789', '1984-3-5', '12/03/1984', 'March 3, 1984', '3rd March 1984', '12 Mar 1984'];
    for (const [text, column] of hintedExamples.map((t): [string, string] => [t, 'phone']).concat([['1984-3-5', 'dob'], ['12/03/1984', 'dob'], ['March 3, 1984', 'dob'], ['3rd March 1984', 'dob'], ['123456789', 'ssn']] as [string, string][])) {
      if (findPii(text, { columnName: column }).length > 0) expect([text, column, mayHoldPii(text, { hinted: true })]).toEqual([text, column, true]);
    }
    expect(findPii('March 3, 1984', { columnName: 'dob' }).length).toBeGreaterThan(0);
    expect(mayHoldPii('March 3, 1984')).toBe(false); // found only because of the column's name
    const alphabet = fc.constantFrom(...'0123456789 .-+:/(),@abcdefmrxyzABCDEFGMN'.split(''), 'born ', 'March ', 'mar ', 'th ', ' 19', '4111');
    const column = fc.constantFrom('phone', 'ssn', 'dob', 'email', 'ip_address', 'iban', 'card_number', 'birth_date', 'mobile');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')), column, (text, name) => {
      if (findPii(text, { columnName: name }).length > 0) expect([text, name, mayHoldPii(text, { hinted: true })]).toEqual([text, name, true]);
    }), { numRuns: 20_000 });
  });

  it('lets through raw rows that may hide a value from it (JSON escapes, exponent numbers)', () => {
    expect(mayHoldPii('{"email": "a\\u0040b.com"}')).toBe(true);
    expect(mayHoldPii('{"card": 4.111111111111111e15}')).toBe(true);
    expect(mayHoldPii('{"text": "plain", "n": 42}')).toBe(false);
  });

  it('HINTED_SHAPE_WORDS is in every column name that announces a phone, an SSN or a date of birth', () => {
    for (const entity of ['phone', 'us-ssn', 'date-of-birth'] as const) {
      const names = COLUMN_HINTS[entity].source.replace(/[\^$()]/g, '').split('|').map((n) => n.replace(/_\?/g, '_'));
      for (const name of names) {
        const variants = [name, name.replace(/_/g, ''), name.toUpperCase(), name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
        for (const v of variants) {
          if (columnEntities(v).has(entity)) expect([entity, v, HINTED_SHAPE_WORDS.test(v)]).toEqual([entity, v, true]);
        }
      }
    }
  });

  it('a JSON Lines row is let through whenever findPii finds something under one of its keys, hinted by the words of its text (property)', () => {
    const key = fc.constantFrom('id', 'text', 'note', 'phone', 'Phone', 'customerPhone', 'TEL', 'mobile_number', 'ssn', 'SSN', 'social_security',
      'dob', 'DOB', 'birthDate', 'date_of_birth', 'bday', 'email', 'iban', 'card_number', 'ip_address', 'contactNumber', 'fax', 'created');
    const value = fc.array(fc.constantFrom(...'0123456789 .-/:,+()@abcdefmrxyzABCDEFGMN'.split(''), 'March ', ' 19', '1984', '4111', 'GB29'), { maxLength: 24 }).map((a) => a.join(''));
    const row = fc.dictionary(key, fc.oneof(value, value.map((v) => ({ inner: v }))), { maxKeys: 4 });
    fc.assert(fc.property(row, (o) => {
      const text = JSON.stringify(o);
      const hits = piiHits(text, { hinted: HINTED_SHAPE_WORDS.test(text) });
      for (const [k, v] of Object.entries(o)) {
        const [column, cell] = typeof v === 'string' ? [k, v] : [`${k}.inner`, v.inner];
        if (findPii(cell, { columnName: column }).length > 0) expect([text, hits.length > 0]).toEqual([text, true]);
      }
    }), { numRuns: 20_000 });
  });

  it("piiHits with hinted: 'when-named' is hinted exactly when the text holds a word of HINTED_SHAPE_WORDS (property)", () => {
    const token = fc.constantFrom(...'0123456789 .-/:@abcdefmrxyzABCDEFGMN\n'.split(''), 'phone', 'PHONE', 'Tel', 'ssn', 'DOB', 'birth', 'bday',
      'Geburtsdatum', 'pho', 'ne', 'te', 'l', 'ss', 'do', 'b', '1984', ' 19', '1234567', '12/03', 'é', 'ſ', '\u212a', '😀');
    fc.assert(fc.property(fc.array(token, { maxLength: 40 }).map((a) => a.join('')), (text) => {
      expect([text, piiHits(text, { hinted: 'when-named' })]).toEqual([text, piiHits(text, { hinted: HINTED_SHAPE_WORDS.test(text) })]);
    }), { numRuns: 20_000 });
  });

  it('piiHits over many lines at once agrees with mayHoldPii on each line (property)', () => {
    const alphabet = fc.constantFrom(...'0123456789 .-+:/(),@\\abcdefmrxyzABCDEFGMN"'.split(''), '\n', 'born ', 'March ', ' 19', '4111', 'GB29', 'e+5');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')), fc.boolean(), (text, hinted) => {
      const hits = piiHits(text, { hinted });
      expect([...hits].sort((a, b) => a - b)).toEqual(hits);
      let at = 0;
      for (const line of text.split('\n')) {
        const inside = hits.some((h) => h >= at && h < at + line.length);
        expect([line, hinted, inside]).toEqual([line, hinted, mayHoldPii(line, { hinted })]);
        at += line.length + 1;
      }
    }), { numRuns: 10_000 });
    // Every token that starts or breaks one of the expressions, in both cases, beside the characters that end it.
    const tokens = fc.constantFrom(...'0123456789 .-+:/()@\\eEaAfFxXbBdDgGnNoOrRtThHiI,\r\n'.split(''), 'é', 'É', 'ée',
      'born', 'BIRTH', 'Born', 'd.o.b', 'D.O.B', 'do.b', 'D.ob', 'geboren', 'GEBOREN', 'né', 'NÉ', 'GB29', 'nl91', ' 19', '20',
      '1984', '2001', '4111', '555', '12345', '1234567', 'e+5', 'E-3', '1 2 3 4 5 6', '7-8-9-0-1', '5 ', '3-', '1.2.3.4', '12.345.6.7', '1.2345.6.7', '8.8.8888.8', 'ab:cd:', '::', ':12345:',
      // Characters of two, three and four UTF-8 bytes (and a lone surrogate): piiHits works on bytes, and its
      // offsets must still be the text's; runs of plain letters, which it skips four bytes at a time.
      'ü', 'Ãn', '日本', '😀', '\uD800', '\uFFFD', 'plain text ', 'xyzw');
    fc.assert(fc.property(fc.array(tokens, { maxLength: 60 }).map((a) => a.join('')), fc.boolean(), (text, hinted) => {
      const hits = piiHits(text, { hinted });
      let at = 0;
      for (const line of text.split('\n')) {
        const inside = hits.filter((h) => h >= at && h < at + line.length).length;
        expect([line, hinted, inside > 0]).toEqual([line, hinted, mayHoldPii(line, { hinted })]);
        expect(inside).toBeLessThanOrEqual(1);
        at += line.length + 1;
      }
      expect(hits.filter((h) => text[h] === '\n')).toEqual([]);
    }), { numRuns: 30_000 });
  });
});
