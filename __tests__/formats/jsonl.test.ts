import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FormatError } from '../../src/formats/errors.js';
import { jsonArrayElements, jsonLines, type JsonItem } from '../../src/formats/jsonl.js';

const chunked = (text: string, size: number) => (async function* () {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
})();

async function collect(items: AsyncIterable<JsonItem>): Promise<JsonItem[]> {
  const out: JsonItem[] = [];
  for await (const i of items) out.push(i);
  return out;
}

describe('jsonLines', () => {
  it('yields values with their lines, skips blank lines and reports bad lines without stopping', async () => {
    const text = '\uFEFF{"a":1}\n\n{"a":"é"}\r\nnot json\n{"a":3}';
    for (const size of [1, 3, 1000]) {
      const items = await collect(jsonLines(chunked(text, size)));
      expect(items.map((i) => [i.line, i.value ?? 'ERR'])).toEqual([[1, { a: 1 }], [3, { a: 'é' }], [4, 'ERR'], [5, { a: 3 }]]);
    }
  });

  it('with a filter, declines exactly the non-blank lines without a hit and keeps every other item the same (property)', async () => {
    const text = fc.array(fc.constantFrom('{"a":1}', '{"a":"é"}', '"é"', 'é', 'x', ' ', '\u00a0', '\n', '\r\n', '{', '1'), { maxLength: 30 }).map((a) => a.join(''));
    await fc.assert(fc.asyncProperty(text, fc.integer({ min: 1, max: 9 }), async (t, size) => {
      const plain = await collect(jsonLines(chunked(t, size)));
      const hits = (s: string) => [...s.matchAll(/é/g)].map((m) => m.index!);
      const filtered = await collect(jsonLines(chunked(t, size), { filter: { hits } }));
      expect(filtered.length).toBe(plain.length);
      const lines = t.split('\n');
      plain.forEach((item, i) => {
        if (lines[item.line - 1].includes('é')) expect([t, filtered[i]]).toEqual([t, item]);
        else expect([t, filtered[i]]).toEqual([t, { line: 0, declined: true }]);
      });
    }), { numRuns: 2000 });
  });

  it('refuses a line longer than the bound', async () => {
    await expect(collect(jsonLines(chunked(`{"a":"${'x'.repeat(200)}"}`, 16), { maxLineBytes: 100 }))).rejects.toBeInstanceOf(FormatError);
  });
});

describe('jsonArrayElements', () => {
  it('streams the elements of a top-level array with their lines, whatever the chunking', async () => {
    const text = '[\n  {"t": "a, [b]", "n": {"x": [1,2]}},\n  {"t": "q\\"]"},\n  3\n]\n';
    for (const size of [1, 5, 1000]) {
      const items = await collect(jsonArrayElements(chunked(text, size)));
      expect(items.map((i) => [i.line, i.value])).toEqual([[2, { t: 'a, [b]', n: { x: [1, 2] } }], [3, { t: 'q"]' }], [4, 3]]);
    }
  });

  it('throws FormatError on a file that is not an array or is not closed', async () => {
    await expect(collect(jsonArrayElements(chunked('{"a":1}', 10)))).rejects.toBeInstanceOf(FormatError);
    await expect(collect(jsonArrayElements(chunked('[{"a":1},', 10)))).rejects.toBeInstanceOf(FormatError);
    await expect(collect(jsonArrayElements(chunked('', 10)))).rejects.toBeInstanceOf(FormatError);
  });
});
