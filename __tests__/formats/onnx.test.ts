import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { FormatError } from '../../src/formats/errors.js';
import { readOnnxModel } from '../../src/formats/onnx.js';
import { bufferReadAt } from '../helpers/builders.js';
import { buildOnnx, onnxGraph, onnxTensor } from '../helpers/model-builders.js';

describe('readOnnxModel', () => {
  it('collects domains, opsets, functions and external data, including subgraphs', async () => {
    const buf = buildOnnx(onnxGraph([{ op: 'Conv' }, { op: 'Loop', subgraph: onnxGraph([{ op: 'Custom', domain: 'x.y' }], [onnxTensor('w', { location: 'w.bin' })]) }], [onnxTensor('b', { raw: Buffer.alloc(10_000) })]),
      { opsets: [['', 17], ['x.y', 1]], functionDomain: 'f.d' });
    const m = await readOnnxModel(bufferReadAt(buf), buf.length);
    expect(m.irVersion).toBe(9);
    expect(m.opsets).toEqual([{ domain: '', version: 17 }, { domain: 'x.y', version: 1 }]);
    expect([...m.nodeDomains.keys()].sort()).toEqual(['', 'x.y']);
    expect(m.functionDomains).toEqual(new Set(['f.d']));
    expect(m.externalData.map((e) => [e.tensor, e.location])).toEqual([['w', 'w.bin']]);
  });

  it('skips raw tensor bytes instead of reading them', async () => {
    const buf = buildOnnx(onnxGraph([{ op: 'Relu' }], [onnxTensor('big', { raw: Buffer.alloc(4 << 20) })]));
    let bytes = 0;
    await readOnnxModel(async (o, l) => { const b = buf.subarray(o, o + Math.min(l, 4096)); bytes += b.length; return b; }, buf.length);
    expect(bytes).toBeLessThan(1 << 16);
  });

  it('throws FormatError (only) on arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      try {
        await readOnnxModel(bufferReadAt(Buffer.from(bytes)), bytes.length);
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
      }
    }), { numRuns: 300 });
  });
});
