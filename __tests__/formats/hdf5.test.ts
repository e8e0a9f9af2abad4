import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { scanHdf5ForKerasConfig } from '../../src/formats/hdf5.js';
import { bufferReadAt } from '../helpers/builders.js';
import { buildKerasH5 } from '../helpers/model-builders.js';

describe('scanHdf5ForKerasConfig', () => {
  it('finds the model_config JSON, with braces and quotes inside strings', async () => {
    const config = { class_name: 'Sequential', config: { name: 'a "quoted" {name}', layers: [{ class_name: 'Dense', config: { units: 3 } }] } };
    const buf = buildKerasH5(config, { filler: 3 << 20 });
    const r = await scanHdf5ForKerasConfig(bufferReadAt(buf), buf.length);
    expect(r.configs.map((c) => c.value)).toEqual([config]);
    expect(r.unreadable).toBe(false);
  });

  it('reports a config cut by the end of the file as unreadable', async () => {
    const buf = buildKerasH5({ class_name: 'Sequential', config: { layers: [] } }, { filler: 0 }).subarray(0, -5);
    const r = await scanHdf5ForKerasConfig(bufferReadAt(buf), buf.length);
    expect(r.configs).toEqual([]);
    expect(r.unreadable).toBe(true);
  });

  it('stops at the byte cap', async () => {
    const buf = Buffer.concat([Buffer.alloc(2 << 20), buildKerasH5({ class_name: 'X', config: {} })]);
    const r = await scanHdf5ForKerasConfig(bufferReadAt(buf), buf.length, 1 << 20);
    expect(r.configs).toEqual([]);
    expect(r.scanned).toBe(1 << 20);
  });

  it('never throws on arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
      const buf = Buffer.concat([Buffer.from('{"class_name"'), Buffer.from(bytes)]);
      const r = await scanHdf5ForKerasConfig(bufferReadAt(buf), buf.length);
      expect(Array.isArray(r.configs)).toBe(true);
    }), { numRuns: 300 });
  });
});
