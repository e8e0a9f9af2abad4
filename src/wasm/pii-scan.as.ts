/**
 * AssemblyScript source of the WebAssembly kernel behind piiHits (src/detect/pii.ts): the same pass as its
 * bytesHits, over UTF-8 bytes written into this module's memory: each block of 16 bytes is classified once by
 * SIMD compares (the bytes that may begin a match, and the digits, as bit masks), and only those bytes are then
 * looked at, in order. Compiled by scripts/generate.mjs into src/wasm/pii-scan.wasm.ts (never by tsc: this is
 * not TypeScript, though it looks like it). Property tests hold it to bytesHits on random and real text.
 *
 * Memory: [OUT, OUT + 4 * OUT_CAPACITY) receives the hits (u32 byte offsets), the input starts at INPUT. A scan
 * that fills OUT stops after a hit (and its line) and says where to go on (resumeAt): the next line starts
 * afresh anyway, since no digit chain runs across a newline.
 */
const OUT: usize = 65536;
const OUT_CAPACITY: u32 = 65536;
const INPUT: usize = OUT + (<usize>OUT_CAPACITY << 2);

export function inputBase(): usize { return INPUT; }
export function outBase(): usize { return OUT; }
export function outCapacity(): u32 { return OUT_CAPACITY; }

let n: usize = 0;
let resume: usize = 0;
/** Where the last scan stopped: the input's length when it was done, else the offset to pass to the next. */
export function resumeAt(): usize { return resume; }

// Bytes outside the input read as 256, which no test below accepts (as an undefined byte in bytesHits).
@inline function at(p: isize): u32 { return p < 0 || <usize>p >= n ? 256 : <u32>load<u8>(INPUT + <usize>p); }
@inline function isDigit(c: u32): bool { return c - 48 < 10; }
@inline function isLetter(c: u32): bool { return ((c | 32) - 97) < 26; }
@inline function isAlnum(c: u32): bool { return isDigit(c) || isLetter(c); }
@inline function isHex(c: u32): bool { return isDigit(c) || ((c | 32) - 97) < 6; }

/** Bit k set when byte k of the 16 at p may begin a match (a digit, @ \\ + : b B, or 0xC3). */
@inline function eventBits(v: v128): u32 {
  let m = v128.or(i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10)), i8x16.eq(v, i8x16.splat(64)));
  m = v128.or(m, v128.or(i8x16.eq(v, i8x16.splat(92)), i8x16.eq(v, i8x16.splat(43))));
  m = v128.or(m, v128.or(i8x16.eq(v, i8x16.splat(58)), i8x16.eq(v128.or(v, i8x16.splat(32)), i8x16.splat(98))));
  m = v128.or(m, i8x16.eq(v, i8x16.splat(<i8>0xc3)));
  return i8x16.bitmask(m);
}

/** Bit k set when byte k of the 16 is an ASCII digit. */
@inline function digitBits(v: v128): u32 {
  return i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10)));
}

/** The first newline at or after i; n if none. */
function lineEnd(i: usize): usize {
  const nl = i8x16.splat(10);
  while (i + 16 <= n) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(INPUT + i), nl));
    if (bits != 0) return i + <usize>ctz(bits);
    i += 16;
  }
  while (i < n && load<u8>(INPUT + i) != 10) i++;
  return i;
}

/** bytesHits' runHit: the digit expressions (cards aside) at the run of digits [start, end). */
function runHit(start: isize, end: isize, hinted: bool): bool {
  const len = end - start;
  const after = at(end);
  if (len >= 2) {
    let j = end;
    if (after == 41) j++;
    const sep = at(j);
    if ((sep == 32 || sep == 46 || sep == 45) && isDigit(at(j + 1)) && isDigit(at(j + 2))) return true;
    if (start >= 2 && isLetter(at(start - 1)) && isLetter(at(start - 2))) {
      let p = start + 2, m = 0;
      for (; m < 11; m++) {
        if (at(p) == 32) p++;
        if (!isAlnum(at(p))) break;
        p++;
      }
      if (m == 11) return true;
    }
    if (hinted) {
      if (len >= 7) return true;
      for (let p = start; p + 4 <= end; p++) {
        const a = at(p), b = at(p + 1);
        if ((a == 49 && b == 57) || (a == 50 && b == 48)) return true;
      }
    }
  }
  if (after == 46) {
    if (hinted) return isDigit(at(end + 1));
    let p = end;
    for (let part = 0; part < 2; part++) {
      let k = 0;
      while (k < 4 && isDigit(at(p + 1 + k))) k++;
      if (k < 1 || k > 3 || at(p + 1 + k) != 46) return false;
      p += 1 + k;
    }
    return isDigit(at(p + 1));
  }
  if (after == 101 || after == 69) {
    const a = at(end + 1);
    return isDigit(a) || ((a == 43 || a == 45) && isDigit(at(end + 2)));
  }
  if (hinted && (after == 45 || after == 47)) return isDigit(at(end + 1));
  return false;
}

/** Three or four lower-case letters (d = 0: three) at p, in either case. */
@inline function wordAt(p: isize, a: u32, b: u32, c: u32, d: u32): bool {
  return (at(p) | 32) == a && (at(p + 1) | 32) == b && (at(p + 2) | 32) == c && (d == 0 || (at(p + 3) | 32) == d);
}

/** bytesHits' otherHit: `@ \ +\d :hex{0,4}:` and the words, seen from their b. */
function otherHit(i: isize, c: u32): bool {
  if (c == 64 || c == 92) return true;
  if (c == 43) return isDigit(at(i + 1));
  if (c == 58) {
    let m = 0;
    while (m < 5 && isHex(at(i + 1 + m))) m++;
    return m <= 4 && at(i + 1 + m) == 58;
  }
  // b or B: born, birth, geboren, and d.o.b with or without its dots.
  if (wordAt(i + 1, 111, 114, 110, 0) || wordAt(i + 1, 105, 114, 116, 104)) return true;
  if (wordAt(i + 1, 111, 114, 101, 110) && (at(i - 2) | 32) == 103 && (at(i - 1) | 32) == 101) return true;
  let p = i - 1;
  if (at(p) == 46) p--;
  if ((at(p) | 32) != 111) return false;
  p--;
  if (at(p) == 46) p--;
  return (at(p) | 32) == 100;
}

/**
 * bytesHits over the `length` bytes at INPUT, from offset `from` (0, or a resumeAt): the number of hits written
 * at OUT, one per line, in order. `from` must be 0 or the start of a line. The memory must hold 16 bytes past
 * the input, which are zeroed here.
 */
export function scan(length: usize, from: usize, hinted: bool): u32 {
  n = length;
  // Zeros past the input: the last block's 16-byte load sees no event and no digit there.
  memory.fill(INPUT + n, 0, 16);
  let count: u32 = 0;
  // The last run of digits ended just before prevEnd; `chain` digits lead up to it (bytesHits' card chains).
  let prevEnd: isize = -2, chain: isize = 0;
  // Each block of 16 bytes is classified once; its events are then taken in order from its bit mask.
  let block = from;
  while (block < n) {
    const v = v128.load(INPUT + block);
    let bits = eventBits(v);
    let digitsHere = digitBits(v);
    let next = block + 16;
    while (bits != 0) {
      const i = block + <usize>ctz(bits);
      const c = <u32>load<u8>(INPUT + i);
      const si = <isize>i;
      let hit = false;
      if (isDigit(c)) {
        // The run's end: the first non-digit of this block after it, else read on byte by byte.
        const nonDigits = ~digitsHere & (0xffff << <u32>(i - block)) & 0xffff;
        let e: usize;
        if (nonDigits != 0) e = block + <usize>ctz(nonDigits);
        else {
          e = block + 16;
          while (e < n && isDigit(<u32>load<u8>(INPUT + e))) e++;
        }
        const sep = at(si - 1);
        chain = si == prevEnd + 1 && (sep == 32 || sep == 45) ? chain + <isize>(e - i) : <isize>(e - i);
        prevEnd = <isize>e;
        hit = chain >= 12 || runHit(si, <isize>e, hinted);
        if (!hit) {
          if (e >= block + 16) { next = e; break; }
          bits &= 0xffff << <u32>(e - block);
          continue;
        }
      } else if (c == 0xc3) {
        // né (née): seen from its é (C3 A9) or É (C3 89)
        const after = at(si + 1);
        hit = (after == 0xa9 || after == 0x89) && (at(si - 1) | 32) == 110;
      } else hit = otherHit(si, c);
      if (!hit) { bits &= bits - 1; continue; }
      store<u32>(OUT + (<usize>count << 2), <u32>i);
      count++;
      const nl = lineEnd(i + 1);
      if (nl >= n) { resume = n; return count; }
      next = nl + 1;
      if (count == OUT_CAPACITY) { resume = next; return count; }
      break;
    }
    block = next;
  }
  resume = n;
  return count;
}
