import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { FormatError } from '../../src/formats/errors.js';
import { readGgufHeader } from '../../src/formats/gguf.js';
import { bufferReadAt } from '../helpers/builders.js';
import { buildGguf } from '../helpers/model-builders.js';

describe('readGgufHeader', () => {
  it.each([1, 2, 3] as const)('reads the metadata of a version %i file', async (version) => {
    const buf = buildGguf([['general.name', 'tiny'], ['n', 7], ['flag', true], ['tokens', ['a', 'b']], ['ids', { u32Array: [1, 2, 3] }]], { version });
    const h = await readGgufHeader(bufferReadAt(buf), buf.length);
    expect(h.version).toBe(version);
    expect(Object.fromEntries(h.metadata)).toEqual({ 'general.name': 'tiny', n: 7, flag: true, tokens: ['a', 'b'], ids: { array: 'uint32', count: 3 } });
  });

  it('skips numeric arrays without reading them', async () => {
    const buf = buildGguf([['big', { u32Array: Array.from({ length: 100_000 }, (_, i) => i) }], ['after', 'x']]);
    let read = 0;
    const h = await readGgufHeader(async (o, l) => { const b = buf.subarray(o, o + Math.min(l, 64)); read += b.length; return b; }, buf.length);
    expect(h.metadata.get('after')).toBe('x');
    expect(read).toBeLessThan(100_000);
  });

  it('bounds counts and lengths', async () => {
    const buf = buildGguf([], { kvCountOverride: 10n ** 12n });
    await expect(readGgufHeader(bufferReadAt(buf), buf.length)).rejects.toThrow(/more than the limit/);
    const long = buildGguf([['t', 'x'.repeat(100)]]);
    const h = await readGgufHeader(bufferReadAt(long), long.length, { maxStringBytes: 10 });
    expect(h.metadata.get('t')).toEqual({ skipped: '100 bytes' });
  });

  it('throws FormatError (only) on arbitrary bytes after the magic', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      const buf = Buffer.concat([Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'), Buffer.from(bytes)]);
      try {
        await readGgufHeader(bufferReadAt(buf), buf.length);
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }), { numRuns: 300 });
  });
});
