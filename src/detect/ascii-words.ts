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
 * Only ASCII letters fold (as in a JavaScript expression with the `i` flag and without `u`, where no other
 * character matches an ASCII letter): the search agrees with `new RegExp(words.join('|'), 'i')` on the text the
 * bytes decode to, since UTF-8 writes every other character in bytes of 0x80 and up.
 */

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

  /**
   * `words`: at least three characters each, ASCII; matched in any case. `pairAt`: where in a word its two
   * pairs start (any offset is correct; pairs rare in the text searched make it faster). Default 0.
   */
  constructor(readonly words: readonly string[], pairAt: Readonly<Record<string, number>> = {}, private readonly marks?: ByteMarks) {
    for (const w of new Set(words.map((x) => x.toLowerCase()))) {
      const at = pairAt[w] ?? 0;
      if (!/^[\x20-\x7e]+$/.test(w) || w.length < 3 || at < 0 || at > w.length - 3) throw new Error(`AsciiWords: cannot list ${JSON.stringify(w)}`);
      const word = Uint8Array.from(Buffer.from(w, 'latin1'));
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
    const hit = this.pairHit;
    this.marks?.start?.();
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
    if (!list) return false;
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
