/**
 * AssemblyScript source of the WebAssembly kernel behind AsciiWords (src/detect/ascii-words.ts): where in some
 * bytes a listed word may stand, 16 positions at a time. It is Teddy's idea (the SIMD literal search of
 * Hyperscan and Rust's regex crate): each word is entered under three consecutive bytes of it (its
 * fingerprint), each in one of 8 buckets; two 16-entry tables per byte position, indexed by the byte's low and
 * high nibble, give the buckets a byte may belong to there, and a position is a candidate when some bucket holds
 * at all three. Candidates are a superset of the words' places (and of the marks, entered as one byte followed
 * by anything): AsciiWords compares each one it is given. Compiled by scripts/generate.mjs into
 * src/wasm/words-scan.wasm.ts; never by tsc.
 *
 * Memory: the tables of up to MAX_TABLES searches at TABLES (96 bytes each: low and high nibble tables for the
 * fingerprint's bytes 0, 1, 2), the input from INPUT.
 */
const TABLES: usize = 1024;
const MAX_TABLES: u32 = 32;
const INPUT: usize = 65536;

export function tablesBase(): usize { return TABLES; }
export function maxTables(): u32 { return MAX_TABLES; }
export function inputBase(): usize { return INPUT; }

let stop: usize = 0;
/** After a find that returned `end`: the first position it did not look at (the caller looks at the rest). */
export function stoppedAt(): usize { return stop; }

/**
 * The first candidate position at or after `from`, with the tables at `tables`; `end` when there is none up to
 * stoppedAt(). Every 16-byte load stays inside the `end` bytes of input, so the last 17 or so positions are
 * left to the caller.
 */
export function find(tables: usize, from: usize, end: usize): usize {
  const low = i8x16.splat(15);
  const lo0 = v128.load(tables), hi0 = v128.load(tables + 16);
  const lo1 = v128.load(tables + 32), hi1 = v128.load(tables + 48);
  const lo2 = v128.load(tables + 64), hi2 = v128.load(tables + 80);
  let p = from;
  while (p + 18 <= end) {
    const a = v128.load(INPUT + p), b = v128.load(INPUT + p + 1), c = v128.load(INPUT + p + 2);
    let m = v128.and(i8x16.swizzle(lo0, v128.and(a, low)), i8x16.swizzle(hi0, i8x16.shr_u(a, 4)));
    m = v128.and(m, v128.and(i8x16.swizzle(lo1, v128.and(b, low)), i8x16.swizzle(hi1, i8x16.shr_u(b, 4))));
    m = v128.and(m, v128.and(i8x16.swizzle(lo2, v128.and(c, low)), i8x16.swizzle(hi2, i8x16.shr_u(c, 4))));
    const bits = i8x16.bitmask(i8x16.ne(m, i8x16.splat(0)));
    if (bits != 0) return p + <usize>ctz(bits);
    p += 16;
  }
  stop = p;
  return end;
}

let last: isize = -1;
/** After newlines(): the offset of the last newline counted, -1 if none. */
export function lastNewline(): isize { return last; }

/** The number of newline bytes among the first `end` bytes of input. */
export function newlines(end: usize): u32 {
  const nl = i8x16.splat(10);
  let count: u32 = 0;
  last = -1;
  let p: usize = 0;
  for (; p + 16 <= end; p += 16) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(INPUT + p), nl));
    if (bits != 0) {
      count += popcnt(bits);
      last = <isize>(p + 31 - <usize>clz(bits));
    }
  }
  for (; p < end; p++) {
    if (load<u8>(INPUT + p) == 10) { count++; last = <isize>p; }
  }
  return count;
}
