import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { describeRead, openDataset, type DatasetRow, type ReadBudget } from '../../src/formats/dataset.js';
import { FormatError } from '../../src/formats/errors.js';
import { writeParquet } from '../helpers/parquet-writer.js';

const FULL: ReadBudget = { budgetBytes: 1 << 30, sampleBytes: 0, sampleWindows: 0 };

async function rowsOf(path: string, format: string, bytes: Buffer, budget = FULL) {
  const reader = { read: async (o: number, l: number) => bytes.subarray(o, o + l) };
  const source = await openDataset({ path, format: format as never, size: bytes.length }, reader, budget);
  const rows: DatasetRow[] = [];
  for await (const r of source.rows()) rows.push(r);
  return { source, rows };
}

describe('openDataset', () => {
  it('CSV rows are keyed by the header and carry their line', async () => {
    const { source, rows } = await rowsOf('a.csv', 'csv', Buffer.from('id,text\n1,"a\nb"\n2,c\n'));
    expect(source.columns).toEqual(['id', 'text']);
    expect(rows.map((r) => [r.line, r.values])).toEqual([[2, { id: '1', text: 'a\nb' }], [4, { id: '2', text: 'c' }]]);
    expect(source.stats).toMatchObject({ rows: 2, complete: true, sampled: false });
    expect(describeRead(source.stats)).toBe('read in full: 2 rows, 20 B');
  });

  it('CSV takes the delimiter its header line uses (; and | as spreadsheets write them); TSV stays tab by name', async () => {
    const semi = await rowsOf('export.csv', 'csv', Buffer.from('\uFEFFname;email;note\nAda;ada@example.org;"a; b"\n'));
    expect(semi.source.columns).toEqual(['name', 'email', 'note']);
    expect(semi.rows.map((r) => r.values)).toEqual([{ name: 'Ada', email: 'ada@example.org', note: 'a; b' }]);
    expect((await rowsOf('p.csv', 'csv', Buffer.from('a|b\n1|2\n'))).rows.map((r) => r.values)).toEqual([{ a: '1', b: '2' }]);
    expect((await rowsOf('c.csv', 'csv', Buffer.from('a,b;c\n1,2;3\n'))).source.columns).toEqual(['a', 'b;c']);
    expect((await rowsOf('t.tsv', 'tsv', Buffer.from('a;b\tc\n1;2\t3\n'))).source.columns).toEqual(['a;b', 'c']);
  });

  it('reads .gz through the inner format, and a JSON array, a single object and plain text', async () => {
    expect((await rowsOf('a.jsonl.gz', 'gzip', gzipSync('{"a":1}\n{"a":2}\n'))).rows.map((r) => r.values)).toEqual([{ a: 1 }, { a: 2 }]);
    expect((await rowsOf('d/a.json', 'json', Buffer.from('[{"a":1},{"a":2}]'))).rows.map((r) => r.values)).toEqual([{ a: 1 }, { a: 2 }]);
    expect((await rowsOf('d/a.json', 'json', Buffer.from('{"a":1}'))).rows.map((r) => r.values)).toEqual([{ a: 1 }]);
    expect((await rowsOf('a.txt', 'text', Buffer.from('one\n\ntwo\n'))).rows.map((r) => [r.line, r.values])).toEqual([[1, { text: 'one' }], [3, { text: 'two' }]]);
  });

  it('Parquet rows are numbered and typed', async () => {
    const { source, rows } = await rowsOf('p.parquet', 'parquet', writeParquet({ id: [1, 2], t: ['x', 'y'] }));
    expect(source.columnTypes).toEqual({ id: 'INT64', t: 'STRING' });
    expect(rows.map((r) => [r.row, r.values])).toEqual([[1, { id: 1, t: 'x' }], [2, { id: 2, t: 'y' }]]);
  });

  it('past the budget it samples evenly spaced windows, deterministically, and says so', async () => {
    const text = `id,v\n${Array.from({ length: 10_000 }, (_, i) => `${i},${'x'.repeat(20)}`).join('\n')}\n`;
    const budget = { budgetBytes: 10_000, sampleBytes: 8192, sampleWindows: 2 };
    const a = await rowsOf('a.csv', 'csv', Buffer.from(text), budget);
    const b = await rowsOf('a.csv', 'csv', Buffer.from(text), budget);
    expect(a.rows.map((r) => r.values)).toEqual(b.rows.map((r) => r.values));
    expect(a.source.stats.complete).toBe(false);
    expect(a.source.stats.sampled).toBe(true);
    expect(a.source.stats.bytesRead).toBe(10_000 + 8192);
    const sampled = a.rows.filter((r) => r.sampleOffset !== undefined);
    expect(sampled.length).toBeGreaterThan(100);
    // Whole rows only: every sampled row has both columns, from later in the file.
    expect(sampled.every((r) => /^\d+$/.test(String(r.values.id)) && String(r.values.v).length === 20)).toBe(true);
    expect(Number(sampled.at(-1)!.values.id)).toBeGreaterThan(9000);
    expect(describeRead(a.source.stats)).toMatch(/^read 18 KiB of 253 KiB \(the start in full, then evenly spaced samples; [\d,]+ rows\)$/);
  });

  it('a budget that cuts the start mid-record drops the partial record instead of failing or parsing half a row', async () => {
    const text = `id,note\n${Array.from({ length: 500 }, (_, i) => `${i},"line one\nline two ${i}"`).join('\n')}\n`;
    for (const cut of [1000, 1013, 1020, 1500]) {
      const { source, rows } = await rowsOf('a.csv', 'csv', Buffer.from(text), { budgetBytes: cut, sampleBytes: 0, sampleWindows: 0 });
      expect(source.stats.complete).toBe(false);
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.every((r) => /^line one\nline two \d+$/.test(String(r.values.note)))).toBe(true);
      expect(describeRead(source.stats)).toMatch(/^read the first .* of 13 KiB \(\d+ rows\)$/);
    }
  });

  it('a JSON array on one line, cut by the budget, yields the elements before the cut (not nothing)', async () => {
    const text = `[${Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i, email: i === 3 ? 'ada@example.org' : 'none' })).join(',')}]`;
    const bytes = Buffer.from(text);
    const { rows, source } = await rowsOf('a.json', 'json', bytes, { budgetBytes: Math.floor(bytes.length / 2), sampleBytes: 0, sampleWindows: 0 });
    expect(rows.length).toBeGreaterThan(9_000);
    expect(rows.length).toBeLessThan(20_000);
    expect(rows[3].values).toEqual({ id: 3, email: 'ada@example.org' });
    expect(source.stats.complete).toBe(false);
  });

  it('records the offset of the first bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('a\nok\n'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const { source } = await rowsOf('a.csv', 'csv', bytes);
    expect(source.stats.undecodableAt).toBe(5);
  });

  it('rows are the same when the reader streams every chunk into one reused buffer (scribbled over before each read)', async () => {
    // The start of a dataset is read through FileReader.stream with `reuse`: a chunk's memory is read into again
    // once the next is asked for. Every stage that keeps bytes longer must copy them; this reader overwrites the
    // buffer with 0xff before each read, so a stage that kept a view would see garbage. Lines longer than a chunk
    // (1 MiB) cross the point where the buffer is refilled.
    const long = 'x'.repeat(1536 * 1024);
    const inputs: Array<[string, string, string]> = [
      ['a.jsonl', 'jsonl', `{"id":1,"t":"${long}"}\n{"id":2,"email":"ada@example.org"}\n${'{"id":3,"t":"é"}\n'.repeat(70_000)}{"id":4,"t":"end"}`],
      ['a.csv', 'csv', `id,text\n1,"${long}\n${long}"\n2,ada@example.org\n${'3,"ü, ""quoted"""\n'.repeat(100_000)}4,end\n`],
      // Three-byte characters throughout: the ends of pieces and chunks fall inside characters.
      ['c.csv', 'csv', `id,text\n${`1,${'日'.repeat(100)}\n`.repeat(20_000)}`],
      ['a.txt', 'text', `${long}\nsecond line ada@example.org\n${'naïve line\n'.repeat(150_000)}last`],
      ['b.json', 'json', `[\n${'{"id":1,"t":"ä"},\n'.repeat(120_000)}{"id":2,"t":"${long}"}\n]`],
    ];
    for (const [path, format, text] of inputs) {
      const bytes = Buffer.from(text);
      let reused = 0;
      for (const budget of [FULL, { budgetBytes: bytes.length - 100_000, sampleBytes: 0, sampleWindows: 0 }]) {
        const plain = { read: async (o: number, l: number) => Buffer.from(bytes.subarray(o, o + l)) };
        const scribbled = {
          read: plain.read,
          async *stream(chunkSize = 1024 * 1024, opts: { reuse?: boolean } = {}) {
            const shared = Buffer.alloc(chunkSize);
            for (let at = 0; at < bytes.length; at += chunkSize) {
              if (!opts.reuse) { yield Buffer.from(bytes.subarray(at, at + chunkSize)); continue; }
              reused++;
              shared.fill(0xff);
              const n = bytes.copy(shared, 0, at, at + chunkSize);
              yield shared.subarray(0, n);
            }
          },
        };
        const collect = async (reader: typeof plain) => {
          const source = await openDataset({ path, format: format as never, size: bytes.length }, reader, budget);
          const rows: DatasetRow[] = [];
          for await (const r of source.rows()) rows.push(r);
          return { rows: rows.map((r) => JSON.stringify([r.line, r.values])), stats: source.stats };
        };
        const a = await collect(plain);
        const b = await collect(scribbled);
        expect([path, budget.budgetBytes, b.rows.length, b.rows.join('\n') === a.rows.join('\n')]).toEqual([path, budget.budgetBytes, a.rows.length, true]);
        expect(b.stats).toEqual(a.stats);
        expect([path, budget.budgetBytes, a.rows.length > 3]).toEqual([path, budget.budgetBytes, true]);
      }
      expect([path, reused > 0]).toEqual([path, true]);
    }
  });

  it('throws FormatError for formats it does not read and for broken gzip', async () => {
    await expect(rowsOf('a.arrow', 'arrow', Buffer.from('x'))).rejects.toBeInstanceOf(FormatError);
    await expect(rowsOf('a.csv.gz', 'gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))).rejects.toBeInstanceOf(FormatError);
  });
});
