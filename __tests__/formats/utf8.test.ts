import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Utf8Chunks, incompleteTail } from '../../src/formats/utf8.js';

describe('Utf8Chunks', () => {
  it('decodes any bytes cut anywhere into the text TextDecoder gives for the whole (property)', () => {
    // Valid and invalid sequences alike: ASCII, 2-4 byte characters, stray continuation bytes, truncated leads,
    // overlong forms and surrogates, so that both the Latin-1 path (ASCII pieces) and the cut-and-carry path run.
    const unit = fc.oneof(
      fc.constantFrom(...['a', '\n', 'é', '€', '😀', 'Z'].map((c) => [...Buffer.from(c)])),
      fc.constantFrom([0x80], [0xbf], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80]),
    );
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 8 }), (units, sizes) => {
      const bytes = Buffer.from(units.flat());
      const decoder = new Utf8Chunks();
      let text = '';
      for (let at = 0, k = 0; at < bytes.length; k++) {
        const size = sizes[k % sizes.length];
        text += decoder.decode(bytes.subarray(at, at + size));
        at += size;
      }
      text += decoder.end();
      expect(text).toBe(new TextDecoder('utf-8').decode(bytes));
    }), { numRuns: 5000 });
  });

  it('incompleteTail finds a character cut off by the end, and only that', () => {
    expect(incompleteTail(Buffer.from('abc'))).toBe(3);
    expect(incompleteTail(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1);
    expect(incompleteTail(Buffer.from([0x61, 0xe2, 0x82, 0xac]))).toBe(4);
    expect(incompleteTail(Buffer.from([0xf0, 0x9f, 0x98]))).toBe(0);
    expect(incompleteTail(Buffer.from([0x61, 0x80]))).toBe(2); // a stray continuation byte: nothing to wait for
  });
});
