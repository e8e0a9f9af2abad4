import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferReader, HandleReader } from '../../src/engine/reader.js';
import { tempDir } from '../helpers/temp.js';

const limits = { maxFileBytes: 1 << 30, maxTextBytes: 64 * 1024 * 1024 };

/** A BufferReader that counts the bytes it serves, as the disk would see them. */
class Counting extends BufferReader {
  served = 0;
  protected override async fetch(offset: number, length: number): Promise<Buffer> {
    const got = await super.fetch(offset, length);
    this.served += got.length;
    return got;
  }
  protected override async fetchInto(target: Buffer, offset: number, length: number): Promise<Buffer> {
    const got = await super.fetchInto(target, offset, length);
    this.served += got.length;
    return got;
  }
}

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

describe('EngineReader taps: one read of a file feeds every consumer of its bytes', () => {
  const content = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `row ${i},${'é'.repeat(i % 3)}\n`).join(''));

  /** A tap that keeps a copy of what it was given. */
  const recorder = (whole = false) => {
    const parts: Buffer[] = [];
    return { whole, parts, update(b: Buffer) { parts.push(Buffer.from(b)); }, get all() { return Buffer.concat(parts); } };
  };

  it('a rule streaming from the start feeds the taps; drain reads only what it left, and each byte reaches a tap once', async () => {
    const reader = new Counting(content, limits);
    const a = recorder(), b = recorder();
    expect(reader.tap(a)).toBe(true);
    expect(reader.tap(b)).toBe(true);
    await reader.read(0, 100); // a header peek
    await reader.read(50_000, 10); // a look ahead: not delivered yet
    let streamed = 0;
    for await (const chunk of reader.stream(4096, { reuse: true })) {
      streamed += chunk.length;
      if (streamed >= 100_000) break; // the rule stops early (its budget)
    }
    expect(reader.delivered).toBe(102_400);
    await reader.read(20, 150_000); // a read overlapping what was delivered and reaching past it
    expect(reader.delivered).toBe(150_020);
    const before = reader.served;
    await reader.drain();
    await reader.drain(); // once
    expect(reader.served - before).toBe(content.length - 150_020);
    expect(a.all.equals(content)).toBe(true);
    expect(b.all.equals(content)).toBe(true);
    expect(reader.delivered).toBe(content.length);
    expect(reader.capped).toBeUndefined();
  });

  it('text() feeds the taps too, and drain alone reads the file once', async () => {
    const viaText = new Counting(content, limits);
    const t = recorder();
    viaText.tap(t);
    await viaText.text();
    await viaText.drain();
    expect(t.all.equals(content)).toBe(true);
    expect(viaText.served).toBe(content.length);
    const alone = new Counting(content, limits);
    const u = recorder();
    alone.tap(u);
    await alone.drain();
    expect(u.all.equals(content)).toBe(true);
    expect(alone.served).toBe(content.length);
  });

  it('refuses a tap once bytes were read (it would miss them), and drain without taps reads nothing', async () => {
    const reader = new Counting(content, limits);
    await reader.read(0, 10);
    expect(reader.tap(recorder())).toBe(false);
    const idle = new Counting(content, limits);
    await idle.drain();
    expect(idle.served).toBe(0);
  });

  it('taps see the file up to the read cap, however far a read goes; the cap is a finding only for a tap that needs the whole file', async () => {
    const capped = { ...limits, maxFileBytes: 10_000 };
    const hashLike = new Counting(content, capped);
    const h = recorder(false);
    hashLike.tap(h);
    await hashLike.read(0, 30_000);
    await hashLike.drain();
    expect(h.all.equals(content.subarray(0, 10_000))).toBe(true);
    expect(hashLike.capped).toBeUndefined();
    const searchLike = new Counting(content, capped);
    const s = recorder(true);
    searchLike.tap(s);
    await searchLike.drain();
    expect(s.all.equals(content.subarray(0, 10_000))).toBe(true);
    expect(searchLike.capped).toBe(`read the first 10000 of ${content.length} bytes`);
  });

  it('HandleReader: drain reads the rest of a file on disk for its taps', async () => {
    const path = join(tempDir('ai-gate-reader-'), 'f.txt');
    writeFileSync(path, content);
    const reader = await HandleReader.open(path, limits);
    try {
      const t = recorder();
      reader.tap(t);
      for await (const _ of reader.stream(8192)) break;
      await reader.drain();
      expect(t.all.equals(content)).toBe(true);
    } finally {
      await reader.close();
    }
  });
});

describe('EngineReader.lines from the line starts a tap counted', () => {
  const rows = Array.from({ length: 120_000 }, (_, i) => (i % 997 === 5 ? 'x'.repeat(300_000) : `${i} ${'é'.repeat(i % 4)}${i % 3 ? '\r' : ''}`));
  const content = Buffer.from(`\uFEFF${rows.join('\n')}`);
  /** Line starts every ~`every` lines, as a tap would list them: [offset of the byte after a \n, its line]. */
  const marks = (every: number) => {
    const out: Array<[number, number]> = [];
    let line = 1;
    for (let i = content.indexOf(10); i >= 0; i = content.indexOf(10, i + 1)) if (++line % every === 0) out.push([i + 1, line]);
    return out;
  };
  const read = async (wanted: number[], lineStarts?: Array<[number, number]>) => {
    const reader = new Counting(content, limits);
    if (lineStarts) { reader.tap({ update() {}, lineStarts }); await reader.drain(); }
    const before = reader.served;
    const got = Object.fromEntries(await reader.lines(new Set(wanted), 1000));
    return { got, served: reader.served - before };
  };

  it('gives the same lines as reading from the start, for any set of lines', async () => {
    let x = 7;
    const rand = (n: number) => { x = (x * 1103515245 + 12345) >>> 0; return 1 + (x % n); };
    for (const every of [1, 3, 5000]) {
      for (let round = 0; round < 8; round++) {
        const wanted = Array.from({ length: 1 + (round % 5) }, () => rand(121_000));
        for (const n of [...wanted]) if (n > 1) wanted.push(n - 1); // the line above, as for inline suppressions
        if (round === 0) wanted.push(1, 2, 120_000, 120_001);
        const plain = await read(wanted);
        expect((await read(wanted, marks(every))).got).toEqual(plain.got);
      }
    }
  });

  it('reads from the nearest line start before a far line, not from the top', async () => {
    const plain = await read([119_000]);
    const marked = await read([119_000], marks(5000));
    expect(marked.got).toEqual(plain.got);
    expect(plain.served).toBeGreaterThan(content.length * 0.9);
    expect(marked.served).toBeLessThan(content.length * 0.1);
  });
});
