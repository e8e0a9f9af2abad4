/**
 * Which rows of a dataset a reader builds. Parsing a row (splitting a CSV record, JSON.parse of a line, the
 * objects for its values) costs more than one look for what a rule wants in the text of a whole chunk: `hits`
 * gives the offsets in `text` where something of interest starts, and a row is built only when one falls inside
 * it. What a rule looks for must lie within one line (a hit cannot start in one row and matter to the next).
 */
export interface RowFilter {
  /** Sorted offsets in `text` where something of interest starts; undefined: every row of this text. */
  hits(text: string): readonly number[] | undefined;
}

/** Walks a chunk's sorted hits alongside its rows, which come in order. */
export class HitCursor {
  private i = 0;
  constructor(private readonly hits: readonly number[] | undefined) {}

  /** True when a hit lies in [start, end) (always, when the filter wanted every row). */
  any(start: number, end: number): boolean {
    const hits = this.hits;
    if (!hits) return true;
    while (this.i < hits.length && hits[this.i] < start) this.i++;
    return this.i < hits.length && hits[this.i] < end;
  }
}
