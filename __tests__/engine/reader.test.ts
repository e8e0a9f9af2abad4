import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HandleReader } from '../../src/engine/reader.js';
import { tempDir } from '../helpers/temp.js';

const limits = { maxFileBytes: 1 << 30, maxTextBytes: 64 * 1024 * 1024 };

async function lines(content: string | Buffer, wanted: number[], opts: { text?: boolean; maxTextBytes?: number; maxLine?: number } = {}) {
  const path = join(tempDir('ai-gate-reader-'), 'f.txt');
  writeFileSync(path, content);
  const reader = await HandleReader.open(path, { ...limits, ...(opts.maxTextBytes ? { maxTextBytes: opts.maxTextBytes } : {}) });
  try {
    if (opts.text) await reader.text();
    return Object.fromEntries(await reader.lines(new Set(wanted), opts.maxLine));
  } finally {
    await reader.close();
  }
}

describe('HandleReader.lines: just the lines findings point at', () => {
  const text = '\uFEFFfirst\r\nsecond\n\nfourth  # ai-gate: ignore[x] why\r\nlast';

  it('splits like text().split(/\\r?\\n/): BOM stripped, CRLF and LF, a last line without a newline', async () => {
    const expected = { 1: 'first', 2: 'second', 3: '', 4: 'fourth  # ai-gate: ignore[x] why', 5: 'last' };
    expect(await lines(text, [1, 2, 3, 4, 5, 6])).toEqual(expected);
    // The same answer from the cached text when a rule has read it already.
    expect(await lines(text, [1, 2, 3, 4, 5, 6], { text: true })).toEqual(expected);
  });

  it('finds lines across chunk boundaries of a large file, and stops at the text cap', async () => {
    const many = Array.from({ length: 300_000 }, (_, i) => `line ${i + 1} ${'é'.repeat(i % 5)}`).join('\n');
    const got = await lines(many, [1, 150_000, 299_999, 300_000]);
    expect(got).toEqual({ 1: 'line 1 ', 150000: `line 150000 ${'é'.repeat(4)}`, 299999: `line 299999 ${'é'.repeat(3)}`, 300000: `line 300000 ${'é'.repeat(4)}` });
    expect(await lines(many, [1, 250_000], { maxTextBytes: 1024 * 1024 })).toEqual({ 1: 'line 1 ' });
  });

  it('keeps at most maxLineBytes of one enormous line', async () => {
    const got = await lines(`${'a'.repeat(3 * 1024 * 1024)}\nb\n`, [1, 2], { maxLine: 1000 });
    expect(got[1]).toBe('a'.repeat(1000));
    expect(got[2]).toBe('b');
  });
});

describe('EngineReader.stream', () => {
  const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => `row ${i}\n`).join(''));
  async function open(maxFileBytes: number) {
    const path = join(tempDir('ai-gate-reader-'), 'f.txt');
    writeFileSync(path, content);
    return HandleReader.open(path, { ...limits, maxFileBytes });
  }

  it('gives the same bytes with and without reuse; a reused chunk is the same memory each time', async () => {
    const reader = await open(1 << 30);
    try {
      const fresh: Buffer[] = [];
      for await (const c of reader.stream(4096)) fresh.push(c);
      const copies: Buffer[] = [];
      const memory = new Set<ArrayBufferLike>();
      for await (const c of reader.stream(4096, { reuse: true })) { copies.push(Buffer.from(c)); memory.add(c.buffer); }
      expect(Buffer.concat(copies).equals(content)).toBe(true);
      expect(Buffer.concat(fresh).equals(content)).toBe(true);
      expect(memory.size).toBe(1);
    } finally {
      await reader.close();
    }
  });

  it('marks the reader capped when a stream reaches the read limit, not when its consumer stops before it', async () => {
    const early = await open(10_000);
    try {
      for await (const _ of early.stream(4096, { reuse: true })) break;
      expect(early.capped).toBeUndefined();
    } finally {
      await early.close();
    }
    const whole = await open(10_000);
    try {
      let n = 0;
      for await (const c of whole.stream(4096)) n += c.length;
      expect(n).toBe(10_000);
      expect(whole.capped).toBe(`read the first 10000 of ${content.length} bytes`);
    } finally {
      await whole.close();
    }
  });
});
