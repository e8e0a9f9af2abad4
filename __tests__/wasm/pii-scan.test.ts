import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { piiHits, piiHitsJs } from '../../src/detect/pii.js';
import { MAX_INPUT, PiiScan } from '../../src/wasm/pii-scan.js';

/** The kernel's hits over `text` (ASCII or not), as byte offsets, without piiHits' choice of pass. */
function kernelHits(kernel: PiiScan, text: string, hinted: boolean): number[] {
  const room = kernel.room(Buffer.byteLength(text))!;
  const size = room.write(text, 0, 'utf8');
  return kernel.hits(size, hinted);
}

describe('the WebAssembly kernel of piiHits', () => {
  it('runs here (so the other tests of piiHits test it), and AI_GATE_WASM=0 turns it off', () => {
    expect(PiiScan.create()).toBeInstanceOf(PiiScan);
    expect(PiiScan.create({ AI_GATE_WASM: '0' })).toBeUndefined();
  });

  it('gives the same offsets as the JavaScript pass, hit for hit (property)', () => {
    const tokens = fc.constantFrom(...'0123456789 .-+:/()@\\eEaAfFxXbBdDgGnNoOrRtThHiI,\r\n"'.split(''), 'é', 'É', 'ée',
      'born', 'BIRTH', 'd.o.b', 'D.O.B', 'do.b', 'geboren', 'GEBOREN', 'né', 'NÉ', 'GB29', 'nl91', ' 19', '20', '1984', '4111',
      '555', '12345', '1234567', '123456789012', 'e+5', 'E-3', '1 2 3 4 5 6', '7-8-9-0-1', '1.2.3.4', '12.345.6.7', 'ab:cd:',
      '::', ':12345:', 'ü', '日本', '😀', '\uD800', 'plain text ', 'a plain sentence of more than sixteen letters ');
    fc.assert(fc.property(fc.array(tokens, { maxLength: 80 }).map((a) => a.join('')), fc.constantFrom<boolean | 'when-named'>(true, false, 'when-named'), (text, hinted) => {
      expect([text, hinted, piiHits(text, { hinted })]).toEqual([text, hinted, piiHitsJs(text, { hinted })]);
    }), { numRuns: 30_000 });
  });

  it('agrees on text dense with digits: runs of every length, chains, separators, at every offset of its 16-byte blocks (property)', () => {
    const tokens = fc.constantFrom(...'0123456789'.split(''), '12', '123', '1234', '12345', '1234567', '12345678901', '123456789012', '1234567890123',
      ' ', '-', '.', '/', ')', '(', 'e', 'E', '+', 'e+', 'E-', 'x', 'GB', 'gb', 'ab', ',', '"', '\n', ' 19', '20', 'b', 'o', 'n', 'é', ':', '@');
    fc.assert(fc.property(fc.array(tokens, { maxLength: 200 }).map((a) => a.join('')), fc.boolean(), (text, hinted) => {
      expect([text, hinted, piiHits(text, { hinted })]).toEqual([text, hinted, piiHitsJs(text, { hinted })]);
    }), { numRuns: 20_000 });
  });

  it('agrees on rows shaped like a real dataset, across chunk sizes', () => {
    const rows: string[] = ['id,text,label,score'];
    for (let i = 0; i < 20_000; i++) {
      const text = i % 97 === 7 ? `contact me at user${i}@example.com or 555-0107` : i % 89 === 3 ? `card 4111 1111 1111 ${String(i).padStart(4, '0')}` : `review ${i} of the product was ${i % 3 ? 'good' : 'bad'}, born ${1950 + (i % 50)}`;
      rows.push(`${i},"${text}",${i % 2 ? 'pos' : 'neg'},${(i % 100) / 10}`);
    }
    const all = rows.join('\n');
    for (const size of [1 << 10, 1 << 16, all.length]) {
      for (let at = 0; at < all.length; at += size) {
        const chunk = all.slice(at, at + size);
        for (const hinted of [false, true]) expect(piiHits(chunk, { hinted })).toEqual(piiHitsJs(chunk, { hinted }));
      }
    }
  });

  it('returns every hit when there are more than its output holds at once (it resumes)', () => {
    const kernel = PiiScan.create()!;
    const text = 'x a@b y\n'.repeat(150_000);
    const hits = kernelHits(kernel, text, false);
    expect(hits.length).toBe(150_000);
    expect(hits).toEqual(piiHitsJs(text));
  });

  it('grows its memory for a long text, and a text over MAX_INPUT is still searched (by the JavaScript pass)', () => {
    const kernel = PiiScan.create()!;
    expect(kernel.room(MAX_INPUT + 1)).toBeUndefined();
    const long = `${'plain words only '.repeat(300_000)}tel 555 0107\n`; // ~5 MB: over the initial memory
    expect(kernel.room(long.length)!.length).toBeGreaterThanOrEqual(long.length);
    expect(kernelHits(kernel, long, false)).toEqual(piiHitsJs(long));
    const huge = `${'x'.repeat(MAX_INPUT)} user@example.com`;
    expect(piiHits(huge)).toEqual([huge.indexOf('@')]);
  });
});
