import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { FormatError } from '../../src/formats/errors.js';
import { readSafetensorsHeader } from '../../src/formats/safetensors.js';
import { bufferReadAt } from '../helpers/builders.js';
import { buildSafetensors } from '../helpers/model-builders.js';

const read = (buf: Buffer) => readSafetensorsHeader(bufferReadAt(buf), buf.length);

describe('readSafetensorsHeader', () => {
  it('reads tensors and metadata without problems from a well-formed file', async () => {
    const h = await read(buildSafetensors({ __metadata__: { format: 'pt' }, a: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] } }, 12));
    expect(h.problems).toEqual([]);
    expect(h.tensors).toEqual([{ name: 'a', dtype: 'F16', shape: [2, 3], begin: 0, end: 12 }]);
    expect(h.metadata).toEqual({ format: 'pt' });
  });

  it('reads only the header, however large the data', async () => {
    const calls: Array<[number, number]> = [];
    const buf = buildSafetensors({ a: { dtype: 'U8', shape: [1 << 20], data_offsets: [0, 1 << 20] } }, 1 << 20);
    const h = await readSafetensorsHeader(async (o, l) => { calls.push([o, l]); return buf.subarray(o, o + l); }, buf.length);
    expect(h.problems).toEqual([]);
    expect(calls.every(([, l]) => l < 1000)).toBe(true);
  });

  it('throws FormatError (only) on arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      try {
        await read(Buffer.from(bytes));
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }), { numRuns: 300 });
  });

  it('lists problems for arbitrary JSON headers instead of throwing', async () => {
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), fc.nat(64), async (header, data) => {
      const h = await read(buildSafetensors(header, data));
      expect(Array.isArray(h.problems)).toBe(true);
    }), { numRuns: 200 });
  });
});
