/** "Did you mean …?" for mistyped keys, rule ids and values. */

/** Edit distance counting an adjacent transposition as one edit (`hgih` → `high` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input`, when it is close enough to be a likely typo: at most a third of the
 * input's length in edits (at least one, at most four). Case and `_`/`-` differences count as nothing, and a
 * rule name given without its area (`unsafe-pickle`) matches `model/unsafe-pickle`.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '-');
  const wanted = norm(input);
  if (wanted.length > 200) return undefined;
  const limit = Math.min(4, Math.max(1, Math.floor(wanted.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = norm(candidate);
    let distance = editDistance(wanted, c);
    if (!wanted.includes('/') && c.includes('/')) {
      distance = Math.min(distance, editDistance(wanted, c.slice(c.indexOf('/') + 1)));
    }
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= limit && best !== input ? best : undefined;
}

/** `; did you mean "x"?`, or the empty string when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closest(input, candidates);
  return match === undefined ? '' : `; did you mean ${JSON.stringify(match)}?`;
}
