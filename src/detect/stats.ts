/** Distribution distances between a base and a head label distribution (counts by label). */

/** Proportions over the union of labels, with a small floor so that a label absent on one side stays finite. */
function proportions(base: Map<string, number>, head: Map<string, number>, floor = 1e-4) {
  const labels = [...new Set([...base.keys(), ...head.keys()])].sort();
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const nb = total(base), nh = total(head);
  const norm = (v: number[]) => { const s = v.reduce((a, b) => a + b, 0); return v.map((x) => x / s); };
  const b = norm(labels.map((l) => Math.max((base.get(l) ?? 0) / (nb || 1), floor)));
  const h = norm(labels.map((l) => Math.max((head.get(l) ?? 0) / (nh || 1), floor)));
  return { labels, b, h };
}

/**
 * Population Stability Index: Σ (h − b) · ln(h / b). Conventional reading (credit-scoring practice, e.g.
 * Siddiqi, "Credit Risk Scorecards", 2006): below 0.1 stable, 0.1–0.25 a moderate shift, above 0.25 a major one.
 */
export function psi(base: Map<string, number>, head: Map<string, number>): number {
  const { b, h } = proportions(base, head);
  return b.reduce((s, bi, i) => s + (h[i] - bi) * Math.log(h[i] / bi), 0);
}

/** Jensen–Shannon divergence in bits (0 identical … 1 disjoint). */
export function jensenShannon(base: Map<string, number>, head: Map<string, number>): number {
  const { b, h } = proportions(base, head, 0);
  const kl = (p: number[], q: number[]) => p.reduce((s, pi, i) => (pi > 0 ? s + pi * Math.log2(pi / q[i]) : s), 0);
  const m = b.map((bi, i) => (bi + h[i]) / 2);
  return Math.max(0, (kl(b, m) + kl(h, m)) / 2);
}

/** "pos 50.0% → 20.0%, neg 50.0% → 80.0%" for the labels whose share moved most. */
export function shareChanges(base: Map<string, number>, head: Map<string, number>, max = 4): string {
  const { labels } = proportions(base, head);
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, c) => a + c, 0) || 1;
  const nb = total(base), nh = total(head);
  return labels
    .map((l) => ({ l, b: (base.get(l) ?? 0) / nb, h: (head.get(l) ?? 0) / nh }))
    .sort((x, y) => Math.abs(y.h - y.b) - Math.abs(x.h - x.b))
    .slice(0, max)
    .map(({ l, b, h }) => `"${l}" ${(b * 100).toFixed(1)}% → ${(h * 100).toFixed(1)}%`)
    .join(', ');
}
