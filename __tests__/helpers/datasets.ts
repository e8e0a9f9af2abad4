/** Small generated datasets for the base-versus-head rule tests. */
const WORDS = ['good', 'bad', 'movie', 'film', 'plot', 'actor', 'great', 'boring', 'long', 'short', 'music', 'story'];

/** `n` rows of `text,label` CSV with deterministic, varied text; `label(i)` picks each row's label. */
export function textCsv(n: number, label: (i: number) => string, extra: string[] = []): string {
  const rows = ['text,label'];
  for (let i = 0; i < n; i++) {
    const words = [WORDS[i % 12], WORDS[(i * 7 + 3) % 12], WORDS[(i * 5 + 1) % 12], `item${i}`];
    rows.push(`${words.join(' ')},${label(i)}`);
  }
  return `${[...rows, ...extra].join('\n')}\n`;
}

export const half = (i: number) => (i % 2 ? 'pos' : 'neg');
