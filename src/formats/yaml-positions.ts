/**
 * YAML → JS value plus the source position of every node, addressed by JSON pointer (`/rules/model~1x/severity`,
 * `/exceptions/0/expires`). One pass of js-yaml's event parser feeds both the value (constructFromEvents) and
 * the position map, so a problem found in the value can be pointed at in the file.
 *
 * Inputs come from pull requests, so the parse is bounded: nesting depth, alias count, and the size the
 * document would have with every alias expanded (a "billion laughs" file is small but expands to 10^9 nodes;
 * anything that later walks the value, such as a schema validator, would never finish).
 */
import {
  COLLECTION_STYLE, CORE_SCHEMA, EVENT_ID, SCALAR_STYLE, YAMLException, constructFromEvents, getScalarValue, parseEvents,
} from 'js-yaml';
import type { AliasEvent, Event, MappingEvent, ScalarEvent, SequenceEvent } from 'js-yaml';
import { FormatError } from './errors.js';

export interface YamlPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** 0-based offset into the text (after a byte-order mark, if any, was removed). */
  offset: number;
}

export interface YamlLimits {
  /** Collections nested deeper than this are an error. */
  maxDepth?: number;
  /** Alias nodes (`*ref`) per document. */
  maxAliases?: number;
  /** Nodes per document that aliases add when expanded (a file without aliases never reaches it). */
  maxAliasedNodes?: number;
}

export const DEFAULT_YAML_LIMITS: Required<YamlLimits> = {
  maxDepth: 64,
  maxAliases: 100,
  maxAliasedNodes: 100_000,
};

export interface YamlDocument {
  value: unknown;
  /**
   * Where the node at `pointer` sits: its value (default) or, for a mapping entry, its key. A pointer that
   * names no node falls back to its nearest existing ancestor, so a "missing key" points at the mapping.
   */
  positionOf(pointer: string, which?: 'key' | 'value'): YamlPosition | undefined;
  /** Whether a node exists at exactly this pointer (aliases are not followed). */
  has(pointer: string): boolean;
}

/** A file that is not valid YAML, or one the limits above refuse. */
export class YamlError extends FormatError {
  readonly filename: string;
  /** 1-based; absent only when the parser gave no position. */
  readonly line?: number;
  readonly column?: number;
  /** The problem without the location, e.g. `duplicated mapping key`. */
  readonly reason: string;
  constructor(reason: string, filename: string, position?: { line: number; column: number; offset: number }) {
    super(position ? `${filename}:${position.line}:${position.column}: ${reason}` : `${filename}: ${reason}`,
      position?.offset);
    this.name = 'YamlError';
    this.filename = filename;
    this.reason = reason;
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** `~` → `~0`, `/` → `~1` (RFC 6901). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(parent: string, segment: string | number): string {
  return `${parent}/${escapePointerSegment(String(segment))}`;
}

/** One YAML document (an empty text gives `undefined`); more than one document is an error. */
export function parseYamlWithPositions(text: string, filename: string, limits: YamlLimits = {}): YamlDocument {
  const docs = parseYamlDocumentsWithPositions(text, filename, limits);
  if (docs.length > 1) {
    throw new YamlError(`expected one YAML document, found ${docs.length}`, filename);
  }
  return docs[0] ?? { value: undefined, positionOf: () => undefined, has: () => false };
}

/** Every document of a multi-document stream (`---` separated), each with its own positions. */
export function parseYamlDocumentsWithPositions(
  text: string, filename: string, limits: YamlLimits = {},
): YamlDocument[] {
  const { maxDepth, maxAliases, maxAliasedNodes } = { ...DEFAULT_YAML_LIMITS, ...limits };
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(source);
  try {
    const events = parseEvents(source, { filename, maxDepth });
    const maps = collectPositions(events, source, lines, filename, maxAliasedNodes);
    const values = constructFromEvents(events, { source, filename, schema: CORE_SCHEMA, maxAliases });
    return values.map((value, i) => documentView(value, maps[i] ?? new Map()));
  } catch (error) {
    throw toYamlError(error, filename, lines);
  }
}

interface Entry { key?: YamlPosition; value: YamlPosition }

function documentView(value: unknown, entries: Map<string, Entry>): YamlDocument {
  return {
    value,
    has: (pointer) => entries.has(pointer),
    positionOf(pointer, which = 'value') {
      for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
        const entry = entries.get(p);
        if (entry) return p === pointer && which === 'key' && entry.key ? entry.key : entry.value;
        if (p === '') return undefined;
      }
    },
  };
}

function toYamlError(error: unknown, filename: string, lines: LineIndex): unknown {
  if (error instanceof YamlError) return error;
  if (error instanceof YAMLException) {
    const mark = error.mark;
    const position = mark && mark.position >= 0 ? lines.at(mark.position) : undefined;
    return new YamlError(error.reason, filename, position);
  }
  return error;
}

/** Offsets → 1-based line and column, by binary search over line starts. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): YamlPosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1, offset };
  }
}

interface Frame {
  kind: 'map' | 'seq' | 'doc';
  /** null inside a complex (non-scalar) mapping key: such nodes have no pointer. */
  pointer: string | null;
  position?: YamlPosition;
  index: number;
  expectKey: boolean;
  pendingKey?: { segment: string | null; position: YamlPosition };
  /** Nodes below this one so far, with aliases expanded. */
  size: number;
  anchor?: string;
}

/**
 * Walks the events once: records a position for every addressable node and counts the expanded size of
 * each anchored node, so that aliases to it add that size (and a bomb is refused before anything expands it).
 */
function collectPositions(
  events: Event[], source: string, lines: LineIndex, filename: string, maxAliasedNodes: number,
): Map<string, Entry>[] {
  const walker = new PositionWalker(source, lines, filename, maxAliasedNodes);
  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT: walker.document(); break;
      case EVENT_ID.MAPPING: walker.collection(event, 'map'); break;
      case EVENT_ID.SEQUENCE: walker.collection(event, 'seq'); break;
      case EVENT_ID.SCALAR: walker.scalar(event); break;
      case EVENT_ID.ALIAS: walker.alias(event); break;
      case EVENT_ID.POP: walker.pop(); break;
    }
  }
  return walker.docs;
}

class PositionWalker {
  readonly docs: Map<string, Entry>[] = [];
  private entries = new Map<string, Entry>();
  /** Expanded node count of each anchor defined so far. */
  private readonly anchors = new Map<string, number>();
  private readonly stack: Frame[] = [];
  /** End of the last token seen: where to look for the next node's indicator. */
  private lastEnd = 0;
  /** Nodes added by aliases in this document. */
  private aliased = 0;

  constructor(
    private readonly source: string, private readonly lines: LineIndex,
    private readonly filename: string, private readonly maxAliasedNodes: number,
  ) {}

  private get top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  document(): void {
    this.entries = new Map();
    this.anchors.clear();
    this.aliased = 0;
    this.stack.length = 0;
    this.stack.push({ kind: 'doc', pointer: '', index: 0, expectKey: false, size: 0, position: this.lines.at(this.lastEnd) });
  }

  collection(event: MappingEvent | SequenceEvent, kind: 'map' | 'seq'): void {
    const start = nodeStart(event.start, event.anchorStart, event.tagStart);
    const pointer = this.place(start, () => null);
    this.stack.push({
      kind, pointer: pointer ?? null, index: 0, expectKey: true, size: 1, position: this.lines.at(start),
      anchor: anchorName(this.source, event.anchorStart, event.anchorEnd),
    });
    this.lastEnd = Math.max(this.lastEnd, event.start + (event.style === COLLECTION_STYLE.FLOW ? 1 : 0));
  }

  scalar(event: ScalarEvent): void {
    const top = this.top;
    // An empty value has no text of its own: point at its key, or at the collection holding it.
    const content = event.valueStart >= 0 ? scalarStart(event, this.source, this.lastEnd)
      : top.kind === 'map' && !top.expectKey && top.pendingKey ? top.pendingKey.position.offset
        : top.position?.offset ?? this.lastEnd;
    this.place(nodeStart(content, event.anchorStart, event.tagStart), () => scalarKey(event, this.source));
    this.lastEnd = Math.max(this.lastEnd, scalarEnd(event));
    const name = anchorName(this.source, event.anchorStart, event.anchorEnd);
    if (name !== undefined) this.anchors.set(name, 1);
    this.top.size += 1;
  }

  alias(event: AliasEvent): void {
    this.place(event.anchorStart - 1, () => null);
    this.lastEnd = Math.max(this.lastEnd, event.anchorEnd);
    const size = this.anchors.get(this.source.slice(event.anchorStart, event.anchorEnd)) ?? 1;
    this.aliased += size;
    if (this.aliased > this.maxAliasedNodes) {
      throw new YamlError(`aliases expand this document by more than ${this.maxAliasedNodes} nodes`,
        this.filename, this.lines.at(event.anchorStart - 1));
    }
    this.top.size += size;
  }

  pop(): void {
    const frame = this.stack.pop();
    if (!frame) return;
    if (frame.kind === 'doc') {
      this.docs.push(this.entries);
      return;
    }
    if (frame.anchor !== undefined) this.anchors.set(frame.anchor, frame.size);
    this.top.size += frame.size;
  }

  /**
   * Places a node starting at `start`: as the next key of the mapping on top (returns undefined), or as a
   * value, recording its position. Returns the value's pointer (null when it has none: under a complex key).
   */
  private place(start: number, keyText: () => string | null): string | null | undefined {
    const top = this.top;
    const position = this.lines.at(start);
    if (top.kind === 'map' && top.expectKey) {
      top.expectKey = false;
      top.pendingKey = { segment: top.pointer === null ? null : keyText(), position };
      return undefined;
    }
    let pointer: string | null = null;
    let key: YamlPosition | undefined;
    if (top.kind === 'doc') pointer = '';
    else if (top.kind === 'seq') pointer = top.pointer === null ? null : joinPointer(top.pointer, top.index++);
    else {
      const pending = top.pendingKey;
      pointer = top.pointer === null || pending?.segment == null ? null : joinPointer(top.pointer, pending.segment);
      key = pending?.position;
      top.expectKey = true;
    }
    if (pointer !== null && !this.entries.has(pointer)) this.entries.set(pointer, { key, value: position });
    return pointer;
  }
}

/** Event anchor ranges cover the name, after the `&` or `*`. */
function anchorName(source: string, start: number, end: number): string | undefined {
  return start >= 0 ? source.slice(start, end) : undefined;
}

function nodeStart(content: number, anchorStart: number, tagStart: number): number {
  return Math.min(...[content, anchorStart - 1, tagStart].filter((n) => n >= 0));
}

/** Where a scalar's text begins: its opening quote, or a block scalar's `|`/`>` indicator. */
function scalarStart(event: ScalarEvent, source: string, lastEnd: number): number {
  if (event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED) {
    return event.valueStart - 1;
  }
  if (event.style === SCALAR_STYLE.LITERAL_BLOCK || event.style === SCALAR_STYLE.FOLDED_BLOCK) {
    // The event's range starts at the content, after the header line; find the header's indicator.
    for (let i = lastEnd; i < event.valueStart; i++) {
      const ch = source[i];
      if (ch === '#' && (i === 0 || /\s/.test(source[i - 1]))) {
        const nl = source.indexOf('\n', i);
        if (nl === -1) break;
        i = nl;
      } else if (ch === '|' || ch === '>') {
        return i;
      }
    }
  }
  return event.valueStart;
}

function scalarEnd(event: ScalarEvent): number {
  if (event.valueEnd < 0) return 0;
  const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
  return event.valueEnd + (quoted ? 1 : 0);
}

/** The property name js-yaml's default mapping gives this key: plain scalars are resolved (`1.0` → "1"). */
function scalarKey(event: ScalarEvent, source: string): string {
  const text = event.valueStart < 0 ? '' : getScalarValue(source, event);
  if (event.style !== SCALAR_STYLE.PLAIN || event.tagStart >= 0) return text;
  return String(CORE_SCHEMA.resolveImplicitScalarTag(text).value);
}
