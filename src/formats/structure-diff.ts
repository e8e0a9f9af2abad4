/**
 * What changed between two parsed YAML/JSON values, as a list of leaf changes addressed by JSON pointer:
 * `/fail-on: "high" → "low"`, `/rules/data~1pii: added`. Used to summarise an edit to a policy or a workflow.
 * Bounded: at most `maxLeaves` leaves are visited on each side (the parser already bounds depth and aliases).
 */
import { joinPointer } from './yaml-positions.js';

export interface LeafChange {
  pointer: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

const MAX_LEAVES = 20_000;

function leaves(value: unknown, pointer = '', out = new Map<string, string>()): Map<string, string> {
  if (out.size >= MAX_LEAVES) return out;
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(pointer, '[]');
    value.forEach((v, i) => leaves(v, joinPointer(pointer, i), out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(pointer, '{}');
    for (const [k, v] of entries) leaves(v, joinPointer(pointer, k), out);
  } else {
    out.set(pointer, value === undefined ? '' : JSON.stringify(value) ?? String(value));
  }
  return out;
}

/** Leaf changes from `before` to `after`, in the order of `after` (then removals in the order of `before`). */
export function diffValues(before: unknown, after: unknown): LeafChange[] {
  const a = leaves(before);
  const b = leaves(after);
  // An empty container that gained (or lost) entries is described by those entries alone.
  const hasBelow = (m: Map<string, string>, pointer: string) => [...m.keys()].some((k) => k.startsWith(`${pointer}/`));
  const emptyFilled = (value: string, pointer: string, other: Map<string, string>) =>
    (value === '{}' || value === '[]' || value === '') && hasBelow(other, pointer);
  const out: LeafChange[] = [];
  for (const [pointer, value] of b) {
    const old = a.get(pointer);
    if (old === undefined) { if (!emptyFilled(value, pointer, a)) out.push({ pointer, kind: 'added', after: value }); }
    else if (old !== value) out.push({ pointer, kind: 'changed', before: old, after: value });
  }
  for (const [pointer, value] of a) if (!b.has(pointer) && !emptyFilled(value, pointer, b)) out.push({ pointer, kind: 'removed', before: value });
  return out;
}

/** `/rules/data~1pii/severity` → `rules.data/pii.severity`; `/exceptions/0/reason` → `exceptions[0].reason`. */
export function pointerLabel(pointer: string): string {
  if (pointer === '') return '(the whole document)';
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function clip(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One line: the first `max` changes, then how many more. */
export function describeChanges(changes: LeafChange[], max = 5): string {
  const shown = changes.slice(0, max).map((c) => {
    const label = pointerLabel(c.pointer);
    if (c.kind === 'added') return `${label} added (${clip(c.after ?? '')})`;
    if (c.kind === 'removed') return `${label} removed (was ${clip(c.before ?? '')})`;
    return `${label}: ${clip(c.before ?? '')} → ${clip(c.after ?? '')}`;
  });
  const more = changes.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more change${more === 1 ? '' : 's'}` : '');
}
