import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FormatError } from '../../src/formats/errors.js';
import { loadNotebook, parseJsonWithOffsets, parseNotebook, rawOffset, type JsonNode } from '../../src/formats/ipynb.js';
import { buildNotebook, display, stream } from '../helpers/notebook.js';

/** Turns offset-carrying nodes back into plain values, to compare with JSON.parse. */
function plain(node: JsonNode, text: string): unknown {
  switch (node.kind) {
    case 'object': return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value, text)]));
    case 'array': return node.items.map((n) => plain(n, text));
    case 'string': return node.value;
    default: return JSON.parse(text.slice(node.start, node.end));
  }
}

describe('parseJsonWithOffsets', () => {
  it('reads what JSON.parse reads, for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
      const text = JSON.stringify(value, null, pretty ? 1 : undefined);
      expect(plain(parseJsonWithOffsets(text), text)).toEqual(JSON.parse(text));
    }), { numRuns: 300 });
  });

  it('keeps the offsets of strings, and maps characters through escapes', () => {
    const text = '{"a": "x\\n\\"y\\u00e9z"}';
    const root = parseJsonWithOffsets(text);
    const node = root.kind === 'object' ? root.entries[0].value : undefined;
    expect(node).toMatchObject({ kind: 'string', start: 6, value: 'x\n"yéz' });
    expect(text[rawOffset(text, node!, 0)]).toBe('x');
    expect(text.slice(rawOffset(text, node!, 3))).toMatch(/^y/);
    expect(text.slice(rawOffset(text, node!, 5))).toMatch(/^z/);
  });

  it.each([
    ['truncated input', '{"a": [1, 2'],
    ['a trailing comma', '[1, 2,]'],
    ['an unterminated string', '["abc'],
    ['a bad escape', '["\\x41"]'],
    ['text after the value', '{} {}'],
    ['a bare word', '[nope]'],
  ])('throws FormatError on %s', (_name, text) => {
    expect(() => parseJsonWithOffsets(text)).toThrow(FormatError);
  });

  it('bounds nesting depth and node count', () => {
    expect(() => parseJsonWithOffsets('['.repeat(200) + ']'.repeat(200))).toThrow(/nesting deeper than 128/);
    expect(() => parseJsonWithOffsets(JSON.stringify(Array(50).fill(0)), { maxDepth: 10, maxNodes: 20 })).toThrow(/more than 20 values/);
  });

  it('reads a long string with many escapes in linear time (no rescans)', () => {
    const text = JSON.stringify(['a"b\\c\n'.repeat(200_000), 'tail']);
    const root = parseJsonWithOffsets(text);
    expect(root.kind === 'array' && root.items[1].kind === 'string' && root.items[1].value).toBe('tail');
  });
});

describe('parseNotebook', () => {
  const text = buildNotebook([
    { type: 'markdown', source: '# Title\nSome text\n' },
    { source: 'x = 1\nprint(x)\n', outputs: [stream('1\n'), display({ 'image/png': 'iVBORw0KGgo'.repeat(100), 'text/plain': ['<Figure>'] })] },
    { source: '1/0\n', outputs: [{ output_type: 'error', ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: ['Traceback', 'ZeroDivisionError'] }] },
  ]);
  const nb = parseNotebook(text);

  it('lists cells with their types, sources and key paths', () => {
    expect(nb.cells.map((c) => [c.index, c.cellType, c.keyPath, c.source.text])).toEqual([
      [0, 'markdown', 'cells[0]', '# Title\nSome text\n'],
      [1, 'code', 'cells[1]', 'x = 1\nprint(x)\n'],
      [2, 'code', 'cells[2]', '1/0\n'],
    ]);
  });

  it('maps a character of a cell source back to the line and column of the file', () => {
    const src = nb.cells[1].source;
    const at = src.text.indexOf('print');
    const { line, column } = nb.position(src.offsetAt(at));
    expect(text.split('\n')[line - 1].slice(column - 1)).toMatch(/^print\(x\)\\n"/);
  });

  it('keeps text outputs as text and measures base64 payloads', () => {
    const cell = nb.cells[1];
    expect(cell.outputs.map((o) => [o.keyPath, o.label, o.text])).toEqual([
      ['cells[1].outputs[0].text', 'output 1', '1\n'],
      ['cells[1].outputs[1].data["text/plain"]', 'output 2 (text/plain)', '<Figure>'],
    ]);
    expect(cell.blobs).toEqual([{ keyPath: 'cells[1].outputs[1].data["image/png"]', mime: 'image/png', bytes: 825, offset: expect.any(Number) }]);
    expect(nb.cells[2].outputs.map((o) => o.text)).toEqual(['Traceback\nZeroDivisionError', 'division by zero']);
  });

  it('reads the nbformat 3 layout (worksheets, input)', () => {
    const v3 = JSON.stringify({ nbformat: 3, worksheets: [{ cells: [{ cell_type: 'code', input: ['import os\n'], outputs: [{ output_type: 'pyout', text: ['ok'] }] }] }] });
    const parsed = parseNotebook(v3);
    expect(parsed.cells.map((c) => [c.keyPath, c.source.text, c.outputs[0]?.text])).toEqual([['worksheets[0].cells[0]', 'import os\n', 'ok']]);
  });

  it('rejects JSON that is not a notebook', () => {
    expect(() => parseNotebook('[1, 2]')).toThrow(FormatError);
    expect(() => parseNotebook('{"metadata": {}}')).toThrow(/no "cells" list/);
  });

  it('parses once per reader and reports a text-capped notebook as unreadable', async () => {
    let reads = 0;
    const reader = { text: async () => { reads++; return { text, truncated: false }; } };
    const [a, b] = await Promise.all([loadNotebook(reader), loadNotebook(reader)]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    const capped = await loadNotebook({ text: async () => ({ text: text.slice(0, 100), truncated: true }) });
    expect(capped.ok).toBe(false);
  });
});
