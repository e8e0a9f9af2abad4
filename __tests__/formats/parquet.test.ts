import { describe, expect, it } from '@jest/globals';
import { FormatError } from '../../src/formats/errors.js';
import { openParquet, parquetRows } from '../../src/formats/parquet.js';
import { writeParquet } from '../helpers/parquet-writer.js';

const readerOf = (buf: Buffer) => async (offset: number, length: number) => buf.subarray(offset, offset + length);

describe('parquet', () => {
  it('reads the schema, row groups and rows of a file written by the test writer', async () => {
    const buf = writeParquet({ id: [1, 2, 3], score: [0.5, 1.5, 2], text: ['a', 'bé', 'c'] }, { rowGroupSize: 2 });
    const pf = await openParquet(readerOf(buf), buf.length);
    expect(pf.columns).toEqual([{ name: 'id', type: 'INT64' }, { name: 'score', type: 'DOUBLE' }, { name: 'text', type: 'STRING' }]);
    expect(pf.numRows).toBe(3);
    expect(pf.rowGroups.map((g) => [g.rowStart, g.rows])).toEqual([[0, 2], [2, 1]]);
    const rows = [];
    for await (const r of parquetRows(pf, [0, 1])) rows.push(r);
    expect(rows).toEqual([
      { row: 1, values: { id: 1, score: 0.5, text: 'a' } },
      { row: 2, values: { id: 2, score: 1.5, text: 'bé' } },
      { row: 3, values: { id: 3, score: 2, text: 'c' } },
    ]);
  });

  it('throws FormatError on a file that is not Parquet or is truncated', async () => {
    const buf = writeParquet({ id: [1, 2] });
    await expect(openParquet(readerOf(Buffer.from('PAR1 not really')), 15)).rejects.toBeInstanceOf(FormatError);
    const cut = buf.subarray(0, buf.length - 9);
    await expect(openParquet(readerOf(cut), cut.length)).rejects.toBeInstanceOf(FormatError);
  });
});
