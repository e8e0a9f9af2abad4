import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SecretWindows, countNewlines } from '../../src/detect/secret-scan.js';
import { fake } from '../helpers/secrets.js';

/**
 * The secret search as a tap on a file's one pass gets the file in whatever pieces the rule reading it asks for
 * (data/pii reads 1 MiB chunks, text() a whole file, a header peek 256 bytes). What it finds, and where, must
 * not depend on them: the same as when the search streams the file itself in 4 MiB chunks.
 */
const MiB = 1024 * 1024;
const WINDOW = 4 * MiB;

function corpus(): { bytes: Buffer; planted: number } {
  const parts: string[] = ['\uFEFFid,text\n'];
  let size = Buffer.byteLength(parts[0]);
  let planted = 0;
  let seed = 1;
  // Keys just before, across and just after each window edge, and in between; rows of two- and three-byte
  // characters so that pieces cut characters.
  const edges = [WINDOW - 20_000, WINDOW - 60, WINDOW - 10, 2 * WINDOW - 20_030, 2 * WINDOW - 5, 2 * WINDOW + 100];
  for (let i = 0; size < 10 * MiB; i++) {
    let row = `${i},"${i % 3 === 0 ? 'café € ' : 'plain '}row ${i}"\n`;
    if (edges.length && size + Buffer.byteLength(row) > edges[0]) {
      edges.shift();
      row = i % 2 ? `${i},"token ${fake.huggingface(seed++)} end"\n` : `${i},password = "${fake.password(seed++)}"\n`;
      planted++;
    }
    parts.push(row);
    size += Buffer.byteLength(row);
  }
  parts.push(`last,${fake.github(99)}`); // at the very end, no newline
  return { bytes: Buffer.from(parts.join('')), planted: planted + 1 };
}

function search(bytes: Buffer, pieces: (at: number) => number) {
  const w = new SecretWindows();
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(bytes.length - at, Math.max(1, pieces(at)));
    // Each piece in memory that is overwritten after the call, as a reused read buffer is.
    const piece = Buffer.from(bytes.subarray(at, at + n));
    w.update(piece);
    piece.fill(0x41);
    at += n;
  }
  return w.finish().map((m) => `${m.detector} ${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.value}`);
}

describe('SecretWindows: the secret search fed in any pieces', () => {
  const { bytes, planted } = corpus();
  const reference = search(bytes, () => WINDOW);

  it('finds every planted key once in the 4 MiB stream the search reads by itself', () => {
    expect(reference).toHaveLength(planted);
    expect(new Set(reference).size).toBe(planted);
  });

  it('finds the same, at the same places, fed 1 MiB pieces, a 256-byte peek first, one piece, or random pieces', () => {
    expect(search(bytes, () => MiB)).toEqual(reference);
    expect(search(bytes, (at) => (at === 0 ? 256 : MiB))).toEqual(reference);
    expect(search(bytes, () => bytes.length)).toEqual(reference);
    let x = 12345;
    const random = () => { x = (x * 1103515245 + 12345) >>> 0; return x % 3 === 0 ? 1 + (x % 7) : x % (3 * MiB); };
    expect(search(bytes, random)).toEqual(reference);
  });

  it('lists true line starts on its way, one per window, whatever the pieces', () => {
    for (const pieces of [() => WINDOW, () => 999_983]) {
      const w = new SecretWindows();
      for (let at = 0; at < bytes.length; at += pieces()) w.update(bytes.subarray(at, at + pieces()));
      w.finish();
      expect(w.lineStarts.length).toBeGreaterThanOrEqual(2);
      for (const [offset, line] of w.lineStarts) {
        expect(bytes[offset - 1]).toBe(10);
        let newlines = 0;
        for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) newlines++;
        expect(line).toBe(newlines + 1);
      }
    }
  });

  it('strips a BOM even when it arrives one byte at a time', () => {
    const small = Buffer.from(`\uFEFFa,${fake.github(5)}\n`);
    const whole = search(small, () => small.length);
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatch(/ 1:3-1:/);
    expect(search(small, () => 1)).toEqual(whole);
  });
});

describe('countNewlines', () => {
  it('counts the newlines before the end and finds the last, short or long (the kernel from 4 KiB) (property)', () => {
    const piece = fc.constantFrom('\n', 'a', 'row,1,2\n', '\r\n', 'é', 'x'.repeat(100), 'y'.repeat(4000), '\n\n');
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }).map((a) => Buffer.from(a.join(''))), fc.nat(50), (buf, cut) => {
      const end = Math.max(0, buf.length - cut);
      const positions = [...buf.subarray(0, end)].flatMap((b, i) => (b === 10 ? [i] : []));
      expect(countNewlines(buf, end)).toEqual({ count: positions.length, last: positions.length ? positions[positions.length - 1] : -1 });
    }), { numRuns: 2_000 });
  });

  it("counts across the kernel's segments of a long window", () => {
    const buf = Buffer.alloc(5 * 1024 * 1024 + 7, 'row,1,2\n');
    const positions = [...buf].flatMap((b, i) => (b === 10 ? [i] : []));
    expect(countNewlines(buf, buf.length)).toEqual({ count: positions.length, last: positions[positions.length - 1] });
    expect(countNewlines(buf, 3 * 1024 * 1024 + 1).count).toBe(positions.filter((p) => p < 3 * 1024 * 1024 + 1).length);
  });
});
