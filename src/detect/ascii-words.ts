/**
 * Case-insensitive search for a set of ASCII words in bytes, without decoding them: for text tests that run
 * over every byte of a large file (the secret prefilter's keywords, the column-name words of data/pii).
 *
 * The words' letters are the common ones, so a byte search for a first letter finds too much. Instead the bytes
 * are read 32 bits at a time and each 16-bit half is looked up in a table of letter pairs (in any case): each
 * word is listed under two consecutive pairs of its letters, so that wherever it stands, one of the two begins
 * at an even offset. A hit is then compared with the words listed under that pair. On text without the words
 * this runs at about 2 GB/s in V8.
 *
 * Where WebAssembly SIMD runs, inputs of some size go to a kernel (src/wasm/words-scan.ts) instead, which
 * gives candidate places 16 positions at a time from nibble tables of each word's fingerprint, three bytes of
 * it starting at its pair offset (fingerprintTables below); each candidate is compared here, and the last few
 * bytes are looked at as above. On text without the words: ~3 GB/s with the copy into the kernel, ~1.5 GB/s here.
 *
 * Only ASCII letters fold (as in a JavaScript expression with the `i` flag and without `u`, where no other
 * character matches an ASCII letter): the search agrees with `new RegExp(words.join('|'), 'i')` on the text the
 * bytes decode to, since UTF-8 writes every other character in bytes of 0x80 and up.
 */
import { SEGMENT_BYTES, TABLE_BYTES, WordsScan } from '../wasm/words-scan.js';

/** ASCII letters to lower case; every other byte unchanged. */
const FOLD = Uint8Array.from({ length: 256 }, (_, b) => (b >= 65 && b <= 90 ? b + 32 : b));

interface Listed { word: Uint8Array; offset: number }

/**
 * Single bytes to look at in the same pass (the secret prefilter's anchors): each occurrence in the range is
 * handed to `test`, in order, and a true from it ends the search with a find. `start` is called first in every
 * search (for counters kept across the calls of one search).
 */
export interface ByteMarks {
  bytes: readonly number[];
  test(buf: Uint8Array, at: number, from: number, to: number): boolean;
  start?(): void;
}

const WORD = 1, MARK = 2;

export class AsciiWords {
  /** By a 16-bit little-endian pair of bytes: WORD when a word is listed under it (in any case), MARK when either byte is a mark. */
  private readonly pairHit = new Uint8Array(65536);
  private readonly isMark = new Uint8Array(256);
  /** By the folded pair: the words listed under it, with the offset of the pair in the word. */
  private readonly pairWords: Array<Listed[] | undefined> = new Array(65536).fill(undefined);
  /** By the folded fingerprint (three bytes, little-endian): the words entered under it, with its offset. */
  private readonly fingerprintWords = new Map<number, Listed[]>();
  /** Each word's fingerprint: its three bytes from its pair offset (lower case). */
  private readonly fingerprints: number[][] = [];
  /** The kernel with these tables registered; null where there is none (or no room for the tables). */
  private kernel: { scan: WordsScan; tables: number } | null | undefined;

  /**
   * `words`: at least three characters each, ASCII; matched in any case. `pairAt`: where in a word its two
   * pairs start (any offset is correct; pairs rare in the text searched make it faster). Default 0.
   */
  constructor(readonly words: readonly string[], pairAt: Readonly<Record<string, number>> = {}, private readonly marks?: ByteMarks) {
    for (const w of new Set(words.map((x) => x.toLowerCase()))) {
      const at = pairAt[w] ?? 0;
      if (!/^[\x20-\x7e]+$/.test(w) || w.length < 3 || at < 0 || at > w.length - 3) throw new Error(`AsciiWords: cannot list ${JSON.stringify(w)}`);
      const word = Uint8Array.from(Buffer.from(w, 'latin1'));
      const key = word[at] | (word[at + 1] << 8) | (word[at + 2] << 16);
      this.fingerprintWords.set(key, [...(this.fingerprintWords.get(key) ?? []), { word, offset: at }]);
      this.fingerprints.push([word[at], word[at + 1], word[at + 2]]);
      for (const offset of [at, at + 1]) {
        const a = word[offset], b = word[offset + 1];
        const key = a | (b << 8);
        this.pairWords[key] = [...(this.pairWords[key] ?? []), { word, offset }];
        for (const x of new Set([a, upper(a)])) for (const y of new Set([b, upper(b)])) this.pairHit[x | (y << 8)] |= WORD;
      }
    }
    for (const b of marks?.bytes ?? []) {
      this.isMark[b] = 1;
      for (let other = 0; other < 256; other++) {
        this.pairHit[b | (other << 8)] |= MARK;
        this.pairHit[other | (b << 8)] |= MARK;
      }
    }
  }

  /** Whether one of the words occurs in buf[from, to), in any case (or a mark's test says yes). */
  in(buf: Uint8Array, from = 0, to = buf.length): boolean {
    this.marks?.start?.();
    if (to - from >= KERNEL_FROM) {
      if (this.kernel === undefined) {
        const scan = WordsScan.shared();
        const tables = scan?.register(fingerprintTables(this.fingerprints, this.marks?.bytes ?? []));
        this.kernel = scan && tables !== undefined ? { scan, tables } : null;
      }
      const segment = Math.min(to - from, SEGMENT_BYTES);
      const room = this.kernel?.scan.room(segment);
      if (room) return this.inKernel(this.kernel!, room, segment, buf, from, to);
    }
    return this.inJs(buf, from, to);
  }

  /**
   * `in` through the kernel, a segment of the input at a time: its candidates compared here, each segment taken
   * up from where the kernel stopped in the one before, and the few bytes it leaves at the end looked at here.
   */
  private inKernel(kernel: { scan: WordsScan; tables: number }, room: Buffer, segment: number, buf: Uint8Array, from: number, to: number): boolean {
    for (let at = from; ;) {
      const segmentEnd = Math.min(to, at + segment);
      room.set(buf.subarray(at, segmentEnd), 0);
      const end = segmentEnd - at;
      for (let p = 0; ; p++) {
        p = kernel.scan.find(kernel.tables, p, end);
        if (p >= end) break;
        const q = at + p;
        if (this.isMark[buf[q]] === 1 && this.marks!.test(buf, q, from, to)) return true;
        const list = this.fingerprintWords.get(FOLD[buf[q]] | (FOLD[buf[q + 1]] << 8) | (FOLD[buf[q + 2]] << 16));
        if (list && this.listedAt(list, buf, q, from, to)) return true;
      }
      const stopped = at + kernel.scan.stoppedAt();
      if (segmentEnd < to) { at = stopped; continue; }
      for (let q = stopped; q < to; q++) if (this.one(buf, q, from, to)) return true;
      return false;
    }
  }

  /** `in` in JavaScript (marks' start already called). */
  private inJs(buf: Uint8Array, from: number, to: number): boolean {
    const hit = this.pairHit;
    // Bytes before the first 4-byte-aligned one, and after the last whole 8-byte block: every offset, one by one.
    // In the blocks, pairs are looked up at even offsets only: a word is listed under two consecutive pairs, so
    // one of them starts at an even offset (or in the tail), and a mark is either byte of a pair.
    const abs = buf.byteOffset + from;
    const head = Math.min(to, from + ((4 - (abs & 3)) & 3));
    const blocks = Math.max(0, Math.floor((to - head) / 8));
    const tail = head + blocks * 8;
    for (let p = from; p < head; p++) if (this.one(buf, p, from, to)) return true;
    if (blocks > 0) {
      const u32 = new Uint32Array(buf.buffer, buf.byteOffset + head, blocks * 2);
      // The pairs are looked up as little-endian 16-bit values (every platform Node runs on).
      for (let i = 0; i < u32.length; i += 2) {
        const x = u32[i], y = u32[i + 1];
        if ((hit[x & 0xffff] | hit[x >>> 16] | hit[y & 0xffff] | hit[y >>> 16]) === 0) continue;
        const p = head + i * 4;
        for (let q = p; q < p + 8; q += 2) {
          const h = hit[buf[q] | (buf[q + 1] << 8)];
          if (h === 0) continue;
          if ((h & WORD) && this.at(buf, q, from, to)) return true;
          if ((h & MARK) && ((this.isMark[buf[q]] && this.marks!.test(buf, q, from, to)) || (this.isMark[buf[q + 1]] && this.marks!.test(buf, q + 1, from, to)))) return true;
        }
      }
    }
    for (let p = Math.max(from, tail); p < to; p++) if (this.one(buf, p, from, to)) return true;
    return false;
  }

  /** A word whose pair starts at p. */
  private word(buf: Uint8Array, p: number, from: number, to: number): boolean {
    return p + 1 < to && (this.pairHit[buf[p] | (buf[p + 1] << 8)] & WORD) !== 0 && this.at(buf, p, from, to);
  }

  /** A word whose pair starts at p, or a mark at p. */
  private one(buf: Uint8Array, p: number, from: number, to: number): boolean {
    return this.word(buf, p, from, to) || (this.isMark[buf[p]] === 1 && this.marks!.test(buf, p, from, to));
  }

  /** Whether a word listed under the pair at p stands there (within [from, to)). */
  private at(buf: Uint8Array, p: number, from: number, to: number): boolean {
    const list = this.pairWords[FOLD[buf[p]] | (FOLD[buf[p + 1]] << 8)];
    return list !== undefined && this.listedAt(list, buf, p, from, to);
  }

  /** Whether one of `list` stands where its listed bytes would start at p (within [from, to)). */
  private listedAt(list: readonly Listed[], buf: Uint8Array, p: number, from: number, to: number): boolean {
    for (const { word, offset } of list) {
      const start = p - offset;
      if (start < from || start + word.length > to) continue;
      let i = 0;
      while (i < word.length && FOLD[buf[start + i]] === word[i]) i++;
      if (i === word.length) return true;
    }
    return false;
  }
}

function upper(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

/** Inputs shorter than this are searched in JavaScript: copying them to the kernel would cost more. */
const KERNEL_FROM = 256;

/**
 * How often each byte value comes in the text searched, roughly (English prose and code: letters by their
 * frequency in English, upper case rarer, then spaces, digits, punctuation): only to group fingerprints into
 * buckets that let few other bytes through.
 */
const BYTE_WEIGHT = (() => {
  const w = new Float64Array(256).fill(0.0005);
  const english = 'etaoinshrdlcumwfgypbvkjxqz';
  for (let k = 0; k < english.length; k++) {
    const share = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07][k] / 100;
    w[english.charCodeAt(k)] = 0.6 * share;
    w[english.charCodeAt(k) - 32] = 0.05 * share;
  }
  for (let c = 48; c <= 57; c++) w[c] = 0.01;
  w[32] = 0.15;
  for (const c of ',."\':;-_/()[]{}=<>\n\t') w[c.charCodeAt(0)] = 0.005;
  return w;
})();

/** One bucket of the kernel: per fingerprint byte, the low and high nibbles it lets through (16-bit sets). */
interface Bucket { lo: number[]; hi: number[] }

function letThrough(b: Bucket, j: number): number {
  let sum = 0;
  for (let lo = b.lo[j]; lo !== 0; lo &= lo - 1) {
    const x = 31 - Math.clz32(lo & -lo);
    for (let hi = b.hi[j]; hi !== 0; hi &= hi - 1) sum += BYTE_WEIGHT[((31 - Math.clz32(hi & -hi)) << 4) | x];
  }
  return sum;
}

/** The share of positions a bucket takes for a candidate, by BYTE_WEIGHT. */
function cost(b: Bucket): number {
  return letThrough(b, 0) * letThrough(b, 1) * letThrough(b, 2);
}

function merged(a: Bucket, b: Bucket): Bucket {
  return { lo: a.lo.map((x, j) => x | b.lo[j]), hi: a.hi.map((x, j) => x | b.hi[j]) };
}

/**
 * The kernel's tables (TABLE_BYTES; layout in src/wasm/words-scan.as.ts) for fingerprints of three bytes
 * (lower case; letters are entered in both cases) and for marks (one byte, then anything). Fingerprints go into
 * 8 buckets, grouped by repeatedly merging the two whose union lets the fewest candidates through: a position
 * is a candidate when one bucket lets each of its three bytes through, by low and high nibble, so a bucket
 * also lets through mixes of its fingerprints' nibbles.
 */
export function fingerprintTables(fingerprints: readonly (readonly number[])[], marks: readonly number[]): Uint8Array {
  const ALL = 0xffff;
  const cases = (c: number) => (c >= 97 && c <= 122 ? [c, c - 32] : [c]);
  const single = (bytes: readonly (readonly number[])[]): Bucket => ({
    lo: bytes.map((options) => (options.length ? options.reduce((m, c) => m | (1 << (c & 15)), 0) : ALL)),
    hi: bytes.map((options) => (options.length ? options.reduce((m, c) => m | (1 << (c >> 4)), 0) : ALL)),
  });
  let buckets: Bucket[] = [
    ...fingerprints.map((f) => single(f.map(cases))),
    ...marks.map((m) => single([[m], [], []])),
  ];
  while (buckets.length > 8) {
    let best: [number, number, number] = [Infinity, 0, 1];
    for (let i = 0; i < buckets.length; i++) {
      for (let k = i + 1; k < buckets.length; k++) {
        const more = cost(merged(buckets[i], buckets[k])) - cost(buckets[i]) - cost(buckets[k]);
        if (more < best[0]) best = [more, i, k];
      }
    }
    const [, i, k] = best;
    buckets = [...buckets.filter((_, n) => n !== i && n !== k), merged(buckets[i], buckets[k])];
  }
  const tables = new Uint8Array(TABLE_BYTES);
  buckets.forEach((b, bit) => {
    for (let j = 0; j < 3; j++) {
      for (let x = 0; x < 16; x++) {
        if ((b.lo[j] >> x) & 1) tables[32 * j + x] |= 1 << bit;
        if ((b.hi[j] >> x) & 1) tables[32 * j + 16 + x] |= 1 << bit;
      }
    }
  });
  return tables;
}
