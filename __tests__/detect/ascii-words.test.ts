import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AsciiWords, fingerprintTables } from '../../src/detect/ascii-words.js';
import { SEGMENT_BYTES as KERNEL_SEGMENT, TABLE_BYTES, WordsScan } from '../../src/wasm/words-scan.js';

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

  it('searches inputs of 256 bytes and more through the WebAssembly kernel, with the same answers (property)', () => {
    expect(WordsScan.shared()).toBeInstanceOf(WordsScan);
    const words = new AsciiWords(WORDS, { secret: 1, phone: 2 });
    const token = fc.constantFrom(...WORDS, ...WORDS.map((w) => w.toUpperCase()), 'pho', 'ne', 'hone', 'te', 'l', 'ss', 'n', 'do', 'b', 'secre', 'ecret', 'co_',
      'api_', 'key', ' ', '\n', 'x', 'é', 'ſ', '\u212a', '日', '😀', 'plain words of text, nothing to see ', 'Tel', 'sSN', 'DoB');
    fc.assert(fc.property(fc.array(token, { minLength: 60, maxLength: 160 }).map((a) => a.join('')), fc.nat(40), fc.nat(40), (text, pad, cut) => {
      const bytes = Buffer.from(text, 'utf8');
      const big = Buffer.alloc(pad + bytes.length + 40, 0x70); // 'p': a word's first letter all around the range
      bytes.copy(big, pad);
      const to = Math.max(pad, pad + bytes.length - cut);
      const inRange = big.subarray(pad, to).toString('latin1');
      expect([text, pad, cut, words.in(big, pad, to)]).toEqual([text, pad, cut, spec.test(inRange)]);
      expect(words.in(big, pad, to)).toBe(words['inJs'](big, pad, to));
    }), { numRuns: 5_000 });
    // The answers above came from the kernel, not from a silent fallback to the JavaScript search.
    expect(words['kernel']).toEqual({ scan: WordsScan.shared(), tables: expect.any(Number) });
  });

  it('hands the kernel path every mark byte once, in order, and stops at a true from the test (property)', () => {
    let seen: number[] = [];
    const marks = { bytes: [0x5f, 0x2f, 0x41], start: () => { seen = []; }, test: (_buf: Uint8Array, at: number) => { seen.push(at); return false; } };
    const words = new AsciiWords(['secret', 'key'], {}, marks);
    fc.assert(fc.property(fc.array(fc.constantFrom('_', '/', 'A', 'a', 'xyz', 'é', ' ', '\n', 'some plain text '), { minLength: 40, maxLength: 200 }).map((a) => a.join('')), fc.nat(20), (text, pad) => {
      const big = Buffer.alloc(pad + Buffer.byteLength(text) + 20, 0x5f);
      const to = pad + big.write(text, pad);
      const expected = [...big.subarray(pad, to)].flatMap((b, i) => (b === 0x5f || b === 0x2f || b === 0x41 ? [pad + i] : []));
      expect(words.in(big, pad, to)).toBe(false);
      expect(seen).toEqual(expected);
    }), { numRuns: 2_000 });
    const long = Buffer.from(`${'plain text '.repeat(100)}/ and more text ${'x'.repeat(300)}`);
    expect(new AsciiWords(['secret'], {}, { bytes: [0x2f], test: () => true }).in(long)).toBe(true);
    expect(new AsciiWords(['secret'], {}, { bytes: [0x2f], test: () => false }).in(long)).toBe(false);
  });

  it("finds a word across the kernel's segments, and hands it each mark of a long input once", () => {
    const words = new AsciiWords(['secret'], { secret: 1 });
    const filler = Buffer.alloc(3 * KERNEL_SEGMENT + 100, 'plain text, '.repeat(1000));
    for (const boundary of [KERNEL_SEGMENT, 2 * KERNEL_SEGMENT]) {
      for (let shift = -40; shift <= 8; shift++) {
        const buf = Buffer.from(filler);
        buf.write('SeCrEt', boundary + shift, 'latin1');
        expect([boundary, shift, words.in(buf)]).toEqual([boundary, shift, true]);
        expect(words.in(buf, 0, boundary + shift + 5)).toBe(false); // cut by the range's end
      }
    }
    expect(words.in(filler)).toBe(false);
    expect(words['kernel']).toEqual({ scan: WordsScan.shared(), tables: expect.any(Number) });
    let seen: number[] = [];
    const marks = new AsciiWords(['secret'], {}, { bytes: [0x2f], start: () => { seen = []; }, test: (_b, at) => { seen.push(at); return false; } });
    const buf = Buffer.from(filler);
    const places = [5, KERNEL_SEGMENT - 20, KERNEL_SEGMENT - 1, KERNEL_SEGMENT, KERNEL_SEGMENT + 3, 2 * KERNEL_SEGMENT - 17, buf.length - 1];
    for (const at of places) buf[at] = 0x2f;
    expect(marks.in(buf)).toBe(false);
    expect(seen).toEqual(places);
  });

  it('builds kernel tables that let every fingerprint and mark through, in any case', () => {
    const fingerprints = [[...'key'], [...'ecr'], [...'oke'], [...'_ap'], [...'dfl'], [...'pwd'], [...'ssw'], [...'ial'], [...'coh'], [...'tra']]
      .map((f) => f.map((c) => c.charCodeAt(0)));
    const marks = [0x5f, 0x2d, 0x7e, 0x41, 0x4a, 0x2f];
    const t = fingerprintTables(fingerprints, marks);
    expect(t.length).toBe(TABLE_BYTES);
    const through = (j: number, b: number) => t[32 * j + (b & 15)] & t[32 * j + 16 + (b >> 4)];
    const up = (c: number) => (c >= 97 && c <= 122 ? c - 32 : c);
    for (const f of fingerprints) {
      for (const v of [f, f.map(up)]) expect(through(0, v[0]) & through(1, v[1]) & through(2, v[2])).not.toBe(0);
    }
    for (const m of marks) for (let x = 0; x < 256; x++) expect(through(0, m) & through(1, x) & through(2, 255 - x)).not.toBe(0);
    // Grouped to let few ordinary bytes through: a run of spaces and lower-case prose is no candidate at all.
    expect(through(0, 0x20) & through(1, 0x20) & through(2, 0x20)).toBe(0);
  });

  it('refuses words it cannot list: shorter than three characters, not ASCII, or a pair offset out of the word', () => {
    expect(() => new AsciiWords(['id'])).toThrow(/cannot list/);
    expect(() => new AsciiWords(['née'])).toThrow(/cannot list/);
    expect(() => new AsciiWords(['phone'], { phone: 3 })).toThrow(/cannot list/);
  });
});
