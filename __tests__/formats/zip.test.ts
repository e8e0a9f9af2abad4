import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { resolve } from 'node:path';
import { FormatError, type ReadAt } from '../../src/formats/errors.js';
import { crc32, readZipDirectory, readZipMember, type ZipEntry } from '../../src/formats/zip.js';
import { bufferReadAt, buildPickleCall, buildTorchZip, buildZip, buildZipBomb, zipExtraField } from '../helpers/builders.js';

const dir = (buf: Buffer, opts?: Parameters<typeof readZipDirectory>[2]) => readZipDirectory(bufferReadAt(buf), buf.length, opts);
const member = (buf: Buffer, e: ZipEntry, max = 1 << 20) => readZipMember(bufferReadAt(buf), buf.length, e, max);

/** A ReadAt that records every read, to show the reader never reads the whole file. */
function countingReadAt(buf: Buffer): { read: ReadAt; bytes: () => number; calls: () => number } {
  let total = 0;
  let calls = 0;
  const inner = bufferReadAt(buf);
  return { read: async (o, l) => { calls++; const b = await inner(o, l); total += b.length; return b; }, bytes: () => total, calls: () => calls };
}

async function expectFormatError(p: Promise<unknown>, message?: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FormatError);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('readZipDirectory', () => {
  it('lists stored and deflated members with their sizes and CRCs', async () => {
    const text = 'hello '.repeat(200);
    const zip = buildZip([{ name: 'a.txt', data: text, method: 8 }, { name: 'dir/b.bin', data: Buffer.from([1, 2, 3]) }]);
    const { entries, anomalies } = await dir(zip);
    expect(anomalies).toEqual([]);
    expect(entries.map((e) => [e.name, e.method, e.uncompressedSize])).toEqual([['a.txt', 8, text.length], ['dir/b.bin', 0, 3]]);
    expect(entries[0].crc32).toBe(crc32(Buffer.from(text)));
    expect(entries[0].compressedSize).toBeLessThan(text.length);
    expect(entries[1].localHeaderOffset).toBeGreaterThan(0);
  });

  it('reads an empty archive', async () => {
    expect(await dir(buildZip([]))).toEqual({ entries: [], anomalies: [] });
  });

  it('decodes UTF-8 names (flag 0x800) and CP437 names', async () => {
    const zip = buildZip([{ name: 'modèle/é.pkl', data: 'x' }]);
    expect((await dir(zip)).entries[0].name).toBe('modèle/é.pkl');
    // The same bytes without the UTF-8 flag read as CP437, as CPython does.
    const raw = Buffer.from(buildZip([{ name: 'aXb', data: 'x' }]));
    for (let i = raw.indexOf('aXb'); i >= 0; i = raw.indexOf('aXb', i + 1)) raw[i + 1] = 0x82;
    expect((await dir(raw)).entries[0].name).toBe('aéb');
  });

  it('reads a zip64 archive (zip64 end record, locator and extra fields)', async () => {
    const zip = buildTorchZip({ zip64: true });
    const { entries, anomalies } = await dir(zip);
    expect(anomalies).toEqual([]);
    expect(entries.map((e) => e.name)).toEqual(['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/version']);
    expect(entries.every((e) => e.compressedSize < 0xffffffff && e.localHeaderOffset < zip.length)).toBe(true);
    const version = await member(zip, entries[3]);
    expect(version.data.toString()).toBe('3\n');
    expect(version.anomalies).toEqual([]);
  });

  it('reads the central directory without reading the members', async () => {
    const big = Buffer.alloc(4 << 20, 7);
    const zip = buildZip([{ name: 'archive/data.pkl', data: 'x' }, { name: 'archive/data/0', data: big }]);
    const c = countingReadAt(zip);
    const { entries } = await readZipDirectory(c.read, zip.length);
    expect(entries).toHaveLength(2);
    expect(c.bytes()).toBeLessThan(70_000);
    const c2 = countingReadAt(zip);
    await readZipMember(c2.read, zip.length, entries[0], 1 << 20);
    expect(c2.bytes()).toBeLessThan(200);
  });

  it('handles a comment, and bytes prepended to the archive', async () => {
    const withComment = buildZip([{ name: 'a', data: 'x' }], { comment: 'a comment' });
    expect((await dir(withComment)).anomalies).toEqual([]);
    const prepended = buildZip([{ name: 'a.pkl', data: 'payload' }], { prepend: Buffer.from('#!/bin/sh\nexit 0\n') });
    const d = await dir(prepended);
    expect(d.anomalies).toEqual([expect.stringMatching(/17 bytes precede the archive/)]);
    expect((await member(prepended, d.entries[0])).data.toString()).toBe('payload');
  });

  it('reports an end-of-central-directory signature hidden in the comment', async () => {
    const zip = buildZip([{ name: 'a', data: 'x' }], { comment: Buffer.from('PK\x05\x06 decoy record, long enough to be parsed as one', 'latin1') });
    expect((await dir(zip)).anomalies).toEqual([expect.stringMatching(/comment holds another end-of-central-directory/)]);
  });

  it('reports flag bits 0x1, 0x20 and 0x40', async () => {
    const zip = buildZip([
      { name: 'enc.pkl', data: 'a', flags: 0x1 },
      { name: 'patched.pkl', data: 'b', flags: 0x20 },
      { name: 'strong.pkl', data: 'c', flags: 0x40 },
    ]);
    const { anomalies } = await dir(zip);
    expect(anomalies).toEqual([
      'entry "enc.pkl": the central directory marks it encrypted (flag bit 0x1)',
      'entry "patched.pkl": the central directory marks it compressed patched data (flag bit 0x20)',
      'entry "strong.pkl": the central directory marks it strongly encrypted (flag bit 0x40)',
    ]);
  });

  it('reports traversal, absolute paths, backslashes, control characters and duplicates', async () => {
    const zip = buildZip([
      { name: '../../etc/cron.d/x', data: 'a' },
      { name: '/abs/path', data: 'b' },
      { name: 'C:/win', data: 'c' },
      { name: 'dir\\file', data: 'd' },
      { name: 'new\nline', data: 'e' },
      { name: 'dup.pkl', data: 'f' },
      { name: 'dup.pkl', data: 'g' },
    ]);
    const { anomalies } = await dir(zip);
    expect(anomalies).toEqual(expect.arrayContaining([
      'entry "../../etc/cron.d/x": the name climbs out with ".."',
      'entry "/abs/path": the name is an absolute path',
      'entry "C:/win": the name is an absolute path',
      'entry "dir\\\\file": the name contains backslashes',
      'entry "new\\nline": the name contains control characters',
      'entry name "dup.pkl" appears 2 times; zip readers disagree on which one wins',
    ]));
  });

  it('reports a local name that differs from the central one when asked to verify local headers', async () => {
    const zip = buildZip([{ name: 'data.pkl', localName: 'datap.kl', data: 'x' }]);
    expect((await dir(zip)).anomalies).toEqual([]);
    expect((await dir(zip, { verifyLocalHeaders: true })).anomalies).toEqual([
      'entry "data.pkl": the local header names it "datap.kl"; tools that read local headers see a different file',
    ]);
  });

  it('reports an entry count that disagrees with the end record', async () => {
    const zip = buildZip([{ name: 'a', data: 'x' }, { name: 'b', data: 'y' }], { entryCount: 1 });
    expect((await dir(zip)).anomalies).toEqual(['the central directory holds 2 entries but its end record says 1']);
  });

  it('reports overlapping entries (non-recursive zip bombs reuse the same bytes)', async () => {
    const zip = Buffer.from(buildZip([{ name: 'a', data: 'x'.repeat(100) }, { name: 'b', data: 'y'.repeat(100) }]));
    const d = await dir(zip);
    // Point b's central record at a's local header.
    const cdB = zip.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'));
    zip.writeUInt32LE(d.entries[0].localHeaderOffset, cdB + 42);
    expect((await dir(zip)).anomalies).toEqual(['entries "a" and "b" overlap (a zip-bomb technique, or two names for the same bytes)']);
  });

  it('enforces the entry limit', async () => {
    const zip = buildZip(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: '' })));
    await expectFormatError(dir(zip, { maxEntries: 10 }), /more than the limit of 10/);
  });

  it('throws FormatError on truncated and broken archives', async () => {
    const zip = buildTorchZip();
    await expectFormatError(dir(Buffer.alloc(0)), /not a zip archive/);
    await expectFormatError(dir(Buffer.from('not a zip at all, just some text here')), /no end-of-central-directory/);
    await expectFormatError(dir(zip.subarray(0, zip.length - 30)));
    await expectFormatError(dir(zip.subarray(0, 200)));
    await expectFormatError(dir(zip.subarray(100)));
    const badCd = Buffer.from(zip);
    badCd.writeUInt32LE(0x12345678, zip.indexOf(Buffer.from('PK\x01\x02', 'latin1')));
    await expectFormatError(dir(badCd), /central directory not found/);
    const badOffset = Buffer.from(zip);
    badOffset.writeUInt32LE(0x7fffffff, zip.indexOf(Buffer.from('PK\x01\x02', 'latin1')) + 42);
    await expectFormatError(dir(badOffset), /beyond the end of the file/);
    const spanned = Buffer.from(zip);
    spanned.writeUInt16LE(1, zip.length - 22 + 4);
    await expectFormatError(dir(spanned), /multi-disk/);
  });

  it('throws FormatError for a zip64 field that is missing', async () => {
    const zip = Buffer.from(buildZip([{ name: 'a', data: 'x' }]));
    const cd = zip.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
    zip.writeUInt32LE(0xffffffff, cd + 20);
    await expectFormatError(dir(zip), /no zip64 extra field/);
  });
});

describe('readZipMember', () => {
  it('reads stored and deflated members, with a local extra field longer than the central one', async () => {
    const pkl = buildPickleCall({ protocol: 2, module: 'os', name: 'system', args: ['id'] });
    const zip = buildZip([
      { name: 'a/data.pkl', data: pkl, method: 8, localExtra: zipExtraField(0xcafe, Buffer.alloc(37)) },
      { name: 'a/data/0', data: Buffer.alloc(100, 1), align: 64 },
      { name: 'a/version', data: '3\n', dataDescriptor: true },
    ]);
    const { entries } = await dir(zip);
    for (const [i, want] of [[0, pkl], [1, Buffer.alloc(100, 1)], [2, Buffer.from('3\n')]] as const) {
      const m = await member(zip, entries[i]);
      expect(m).toEqual({ data: want, truncated: false, anomalies: [] });
    }
  });

  it('reads a PyTorch checkpoint as torch.save lays it out (data descriptors, 64-byte alignment)', async () => {
    const zip = buildTorchZip({ tensors: [{ name: 'w', shape: [4, 4] }, { name: 'b', shape: [4] }] });
    const { entries } = await dir(zip);
    const pkl = entries.find((e) => e.name === 'archive/data.pkl') as ZipEntry;
    expect(pkl.flags & 0x8).toBe(0x8);
    const m = await member(zip, pkl);
    expect(m.anomalies).toEqual([]);
    expect(m.data.subarray(0, 2)).toEqual(Buffer.from([0x80, 0x02]));
    expect(m.data.toString('latin1')).toContain('_rebuild_tensor_v2');
  });

  it('stops a zip bomb at maxBytes', async () => {
    const bomb = buildZipBomb(64 << 20);
    expect(bomb.length).toBeLessThan(100_000);
    const { entries } = await dir(bomb);
    const started = Date.now();
    const m = await member(bomb, entries[0], 1 << 20);
    expect(m.truncated).toBe(true);
    expect(m.data.length).toBe(1 << 20);
    expect(Date.now() - started).toBeLessThan(5000);
    const stored = buildZip([{ name: 'big', data: Buffer.alloc(5000) }]);
    const s = await member(stored, (await dir(stored)).entries[0], 1000);
    expect(s).toMatchObject({ truncated: true, anomalies: [] });
    expect(s.data.length).toBe(1000);
  });

  it('is not truncated when the member is exactly maxBytes', async () => {
    const zip = buildZip([{ name: 'a', data: Buffer.alloc(4096, 3), method: 8 }]);
    const m = await member(zip, (await dir(zip)).entries[0], 4096);
    expect(m).toMatchObject({ truncated: false, anomalies: [] });
  });

  it('reports a CRC mismatch as an anomaly and still returns the bytes', async () => {
    const zip = buildZip([{ name: 'data.pkl', data: 'payload', crc32: 0xdeadbeef }]);
    const m = await member(zip, (await dir(zip)).entries[0]);
    expect(m.data.toString()).toBe('payload');
    expect(m.anomalies).toEqual([expect.stringMatching(/^entry "data.pkl": CRC-32 mismatch \(recorded 0xdeadbeef, computed 0x[0-9a-f]{8}\)$/)]);
  });

  it('reports a local/central name mismatch, and reads "encrypted" members as stored (a scanner bypass)', async () => {
    const pkl = buildPickleCall({ protocol: 4, module: 'os', name: 'system', args: ['id'] });
    const zip = buildZip([{ name: 'data.pkl', localName: 'datap.kl', data: pkl, flags: 0x1 }]);
    const { entries, anomalies } = await dir(zip);
    expect(anomalies).toHaveLength(1);
    const m = await member(zip, entries[0]);
    expect(m.data).toEqual(pkl);
    expect(m.anomalies).toEqual([
      'entry "data.pkl": the local header names it "datap.kl"; tools that read local headers see a different file',
      'entry "data.pkl": marked encrypted; its bytes were read as if they were not',
    ]);
  });

  it('reports local flags and method that differ from the central directory', async () => {
    const zip = buildZip([{ name: 'x', data: 'abc', localFlags: 0x40 }]);
    const m = await member(zip, (await dir(zip)).entries[0]);
    expect(m.anomalies).toEqual(['entry "x": the local header marks it strongly encrypted (flag bit 0x40)']);
  });

  it('returns what a broken deflate stream gave before the damage, with an anomaly', async () => {
    const text = Buffer.from('abcdefghij'.repeat(5000));
    const zip = Buffer.from(buildZip([{ name: 'a', data: text, method: 8 }]));
    const { entries } = await dir(zip);
    const dataStart = entries[0].localHeaderOffset + 30 + 1;
    zip.fill(0xff, dataStart + entries[0].compressedSize - 20, dataStart + entries[0].compressedSize);
    const m = await member(zip, entries[0]);
    expect(m.truncated).toBe(false);
    expect(m.anomalies.some((a) => /deflate stream breaks off|CRC-32 mismatch|inflates to/.test(a))).toBe(true);
  });

  it('throws FormatError for other methods and missing local headers', async () => {
    const zip = Buffer.from(buildZip([{ name: 'a', data: 'x' }]));
    const { entries } = await dir(zip);
    await expectFormatError(readZipMember(bufferReadAt(zip), zip.length, { ...entries[0], method: 12 }, 100), /unsupported compression method 12/);
    await expectFormatError(readZipMember(bufferReadAt(zip), zip.length, { ...entries[0], localHeaderOffset: 5 }, 100), /no local file header/);
    await expectFormatError(readZipMember(bufferReadAt(zip), zip.length, { ...entries[0], compressedSize: 1000 }, 100), /runs past the end/);
  });
});

describe('zip reader robustness (property)', () => {
  const run = async (buf: Buffer): Promise<void> => {
    try {
      const d = await dir(buf, { verifyLocalHeaders: true });
      for (const e of d.entries.slice(0, 8)) {
        try {
          const m = await member(buf, e, 1 << 16);
          expect(m.data.length).toBeLessThanOrEqual(1 << 16);
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
        }
      }
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
    }
  };

  it('random bytes throw nothing but FormatError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => run(Buffer.from(bytes))), { numRuns: 300 });
  });

  it('mutations of valid zips throw nothing but FormatError and never hang', async () => {
    const seeds = [
      buildTorchZip(),
      buildTorchZip({ zip64: true }),
      buildZip([{ name: 'a.txt', data: 'hello '.repeat(50), method: 8 }, { name: 'b', data: 'x', dataDescriptor: true }], { comment: 'c' }),
      buildZipBomb(1 << 20),
    ];
    const mutation = fc.record({
      seed: fc.nat({ max: seeds.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(mutation, async ({ seed, edits, cut }) => {
      const buf = Buffer.from(seeds[seed]);
      for (const [at, v] of edits) buf[at % buf.length] = v;
      await run(cut === undefined ? buf : buf.subarray(0, cut % buf.length));
    }), { numRuns: 400 });
  });
});
