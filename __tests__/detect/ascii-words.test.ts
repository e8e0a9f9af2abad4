import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AsciiWords } from '../../src/detect/ascii-words.js';

const WORDS = ['phone', 'tel', 'ssn', 'dob', 'secret', 'co_api_key'];
const spec = new RegExp(WORDS.join('|'), 'i');

describe('AsciiWords', () => {
  it('finds the words in any case, at any offset and alignment, and nothing else', () => {
    const words = new AsciiWords(WORDS, { secret: 1 });
    expect(words.in(Buffer.from('call the PHONE number'))).toBe(true);
    expect(words.in(Buffer.from('TeL'))).toBe(true);
    expect(words.in(Buffer.from('te l, ss-n, d0b, secre t'))).toBe(false);
    expect(words.in(Buffer.from(''))).toBe(false);
    // A word cut by the range is not there.
    const buf = Buffer.from('xxphonexx');
    expect(words.in(buf, 0, 6)).toBe(false);
    expect(words.in(buf, 3, 9)).toBe(false);
    expect(words.in(buf, 2, 7)).toBe(true);
  });

  it('agrees with the case-insensitive expression of its words on the text that the bytes decode to (property)', () => {
    const words = new AsciiWords(WORDS);
    // Pieces of the words, in both cases, beside characters of one to four UTF-8 bytes; among them those that
    // fold to an ASCII letter outside ASCII (the Kelvin sign, long s, dotless i), which must not match.
    const token = fc.constantFrom(...WORDS, ...WORDS.map((w) => w.toUpperCase()), 'Phone', 'sEcReT', 'pho', 'ne', 'te', 'l', 's', 'n', 'do', 'b',
      'co_', 'api_', 'key', 'ey', 'hone', 'ecret', ' ', '\n', 'x', 'é', 'É', 'ſ', 'ı', '\u212a', '日', '😀', '\uFFFD');
    fc.assert(fc.property(fc.array(token, { maxLength: 40 }).map((a) => a.join('')), fc.nat(7), fc.nat(7), (text, pad, cut) => {
      const bytes = Buffer.from(text, 'utf8');
      // At every alignment: the bytes copied after `pad` others, searched within their range only.
      const big = Buffer.alloc(pad + bytes.length + 8, 0x78);
      bytes.copy(big, pad);
      expect([text, words.in(big, pad, pad + bytes.length)]).toEqual([text, spec.test(text)]);
      const shorter = Math.max(0, bytes.length - cut);
      const sub = big.subarray(pad, pad + shorter);
      expect([text, cut, words.in(sub)]).toEqual([text, cut, spec.test(sub.toString('latin1'))]);
    }), { numRuns: 20_000 });
  });

  it('hands every mark byte in the range to the marks test once, in order, at any alignment (property)', () => {
    let seen: number[] = [];
    const words = new AsciiWords(['secret'], {}, { bytes: [0x5f, 0x2f], start: () => { seen = []; }, test: (_buf, at) => { seen.push(at); return false; } });
    fc.assert(fc.property(fc.array(fc.constantFrom('_', '/', 'a', 'xyz', 'é', ' ', '\n'), { maxLength: 40 }).map((a) => a.join('')), fc.nat(7), fc.nat(5), (text, pad, cut) => {
      const bytes = Buffer.from(text, 'utf8');
      const big = Buffer.alloc(pad + bytes.length + 8, 0x5f);
      bytes.copy(big, pad);
      const to = Math.max(pad, pad + bytes.length - cut);
      const expected = [...big.subarray(pad, to)].flatMap((b, i) => (b === 0x5f || b === 0x2f ? [pad + i] : []));
      expect(words.in(big, pad, to)).toBe(false);
      expect(seen).toEqual(expected);
    }), { numRuns: 5_000 });
    // A true from the test ends the search with a find.
    const stop = new AsciiWords(['secret'], {}, { bytes: [0x2f], test: () => true });
    expect(stop.in(Buffer.from('plain text with a / in it'))).toBe(true);
    expect(stop.in(Buffer.from('plain text without one'))).toBe(false);
  });

  it('refuses words it cannot list: shorter than three characters, not ASCII, or a pair offset out of the word', () => {
    expect(() => new AsciiWords(['id'])).toThrow(/cannot list/);
    expect(() => new AsciiWords(['née'])).toThrow(/cannot list/);
    expect(() => new AsciiWords(['phone'], { phone: 3 })).toThrow(/cannot list/);
  });
});
