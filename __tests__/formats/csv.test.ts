import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DECLINED, csvRecords, type CsvRecord } from '../../src/formats/csv.js';
import { FormatError } from '../../src/formats/errors.js';

async function all(text: string | Buffer[], delimiter: ',' | '\t' = ',') {
  const chunks = (async function* () { for (const c of typeof text === 'string' ? [Buffer.from(text)] : text) yield c; })();
  const out = [];
  for await (const r of csvRecords(chunks, { delimiter })) out.push([r.line, ...r.fields]);
  return out;
}

describe('csvRecords', () => {
  it('gives each record its first line, across quoted newlines, a BOM and CRLF', async () => {
    expect(await all('\uFEFFa,b\r\n1,"x\ny"\r\n\r\n2,z\r\n')).toEqual([[1, 'a', 'b'], [2, '1', 'x\ny'], [5, '2', 'z']]);
  });

  it('parses records split across chunks anywhere, even inside a multi-byte character', async () => {
    const bytes = Buffer.from('name,city\n"Zoë ""Z""",Münster\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await all([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([[1, 'name', 'city'], [2, 'Zoë "Z"', 'Münster']]);
    }
  });

  it('round-trips any fields written by the RFC 4180 rules, however the bytes are chunked (property)', async () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', '1'), maxLength: 6 });
    const table = fc.array(fc.array(field, { minLength: 2, maxLength: 3 }), { minLength: 1, maxLength: 4 })
      .filter((rows) => rows.every((r) => r.some((f) => f !== '')));
    await fc.assert(fc.asyncProperty(table, fc.integer({ min: 1, max: 7 }), async (rows, size) => {
      const quote = (f: string) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);
      const bytes = Buffer.from(rows.map((r) => r.map(quote).join(',')).join('\r\n'));
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect((await all(chunks)).map((r) => r.slice(1))).toEqual(rows);
    }), { numRuns: 200 });
  });

  it('keeps a quote inside an unquoted field as a literal', async () => {
    expect(await all('a,b\n5" disk,x\n')).toEqual([[1, 'a', 'b'], [2, '5" disk', 'x']]);
  });

  it('reads TSV and ragged rows', async () => {
    expect(await all('a\tb\n1\n2\t3\t4\n', '\t')).toEqual([[1, 'a', 'b'], [2, '1'], [3, '2', '3', '4']]);
  });

  it('throws FormatError on an unclosed quote and on an oversized record', async () => {
    await expect(all('a,b\n1,"open\n2,3\n')).rejects.toBeInstanceOf(FormatError);
    const chunks = (async function* () { yield Buffer.from(`a\n"${'x'.repeat(100)}"\n`); })();
    const it2 = csvRecords(chunks, { delimiter: ',', maxRecordBytes: 50 });
    await expect((async () => { for await (const _ of it2) { /* drain */ } })()).rejects.toBeInstanceOf(FormatError);
  });

  it('counts a line inside a quoted field that comes before a doubled quote', async () => {
    expect(await all('a,b\n"x\ny ""q""",1\nz,2\n')).toEqual([[1, 'a', 'b'], [2, 'x\ny "q"', '1'], [4, 'z', '2']]);
  });

  it('with a filter, declines records without hits and keeps every other record and line number the same (property)', async () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', '1'), maxLength: 6 });
    const table = fc.array(fc.array(field, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 });
    await fc.assert(fc.asyncProperty(table, fc.integer({ min: 1, max: 9 }), async (rows, size) => {
      const quote = (f: string) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);
      const bytes = Buffer.from(rows.map((r) => r.map(quote).join(',')).join('\n') + '\n');
      const chunks = () => (async function* () { for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size); })();
      const plain: CsvRecord[] = [];
      for await (const r of csvRecords(chunks(), { delimiter: ',' })) plain.push(r);
      // The hits are where 'é' stands: a record must be built exactly when its own text (so one of its fields)
      // holds one, however the bytes were chunked (a record cut by a chunk is looked at again whole).
      const hits = (text: string) => [...text.matchAll(/é/g)].map((m) => m.index!);
      const filtered: CsvRecord[] = [];
      for await (const r of csvRecords(chunks(), { delimiter: ',', filter: { hits } })) filtered.push(r);
      expect(filtered.length).toBe(plain.length);
      plain.forEach((r, i) => {
        if (r.fields.some((f) => f.includes('é'))) expect(filtered[i]).toEqual(r);
        else expect(filtered[i]).toBe(DECLINED);
      });
    }), { numRuns: 500 });
  });

  it('with a filter, agrees with the plain parse on any text, lenient quotes and lone CRs included (property)', async () => {
    // Not only what RFC 4180 writes: quotes in the middle of unquoted fields, text after a closing quote, a quote
    // left open, CR without LF, blank lines; in records declined whole, split at any chunk size.
    const text = fc.array(fc.constantFrom('a', 'é', ',', '"', '""', '\n', '\r', '\r\n', ' ', '1', ',"', '"\n'), { maxLength: 40 }).map((a) => a.join(''));
    const parse = async (bytes: Buffer, size: number, filter?: { hits: (t: string) => number[] }) => {
      const chunks = (async function* () { for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size); })();
      const out: (CsvRecord | string)[] = [];
      try {
        for await (const r of csvRecords(chunks, { delimiter: ',', ...(filter ? { filter } : {}) })) out.push(r);
      } catch (error) {
        out.push(`error: ${(error as Error).message}`);
      }
      return out;
    };
    await fc.assert(fc.asyncProperty(text, fc.integer({ min: 1, max: 9 }), async (t, size) => {
      const bytes = Buffer.from(`h\n${t}`);
      const plain = await parse(bytes, size);
      const filtered = await parse(bytes, size, { hits: (s: string) => [...s.matchAll(/é/g)].map((m) => m.index!) });
      expect(filtered.length).toBe(plain.length);
      plain.forEach((r, i) => {
        if (typeof r === 'string' || r.fields.some((f) => f.includes('é'))) expect([t, filtered[i]]).toEqual([t, r]);
        else expect([t, filtered[i]]).toEqual([t, DECLINED]);
      });
    }), { numRuns: 3000 });
  });
});
