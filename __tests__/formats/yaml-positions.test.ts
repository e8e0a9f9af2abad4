import { describe, expect, it } from '@jest/globals';
import {
  YamlError, joinPointer, parseYamlDocumentsWithPositions, parseYamlWithPositions,
} from '../../src/formats/yaml-positions.js';
import { FormatError } from '../../src/formats/errors.js';

const POLICY = [
  'extends: recommended', //                        1
  'fail-on: hgih', //                               2
  'rules:', //                                      3
  '  "model/unsafe-pickle": { severity: high }', // 4
  '  model/serialization-format:', //               5
  '    allow: [pickle, joblib]', //                 6
  'exceptions:', //                                 7
  '  - rule: data/pii', //                          8
  '    paths:', //                                  9
  '      - data/**', //                             10
  '    reason: |', //                               11
  '      Synthetic data.', //                       12
  "    expires: '2027-03-31'", //                   13
  '',
].join('\n');

function pos(doc: ReturnType<typeof parseYamlWithPositions>, pointer: string, which?: 'key' | 'value') {
  const p = doc.positionOf(pointer, which);
  return p && [p.line, p.column];
}

describe('parseYamlWithPositions', () => {
  const doc = parseYamlWithPositions(POLICY, 'policy.yml');

  it('returns the value', () => {
    expect(doc.value).toEqual({
      extends: 'recommended',
      'fail-on': 'hgih',
      rules: { 'model/unsafe-pickle': { severity: 'high' }, 'model/serialization-format': { allow: ['pickle', 'joblib'] } },
      exceptions: [{ rule: 'data/pii', paths: ['data/**'], reason: 'Synthetic data.\n', expires: '2027-03-31' }],
    });
  });

  it('gives 1-based positions of values and keys', () => {
    expect(pos(doc, '/fail-on')).toEqual([2, 10]);
    expect(pos(doc, '/fail-on', 'key')).toEqual([2, 1]);
    expect(pos(doc, '/rules')).toEqual([4, 3]);
  });

  it('escapes / in pointer segments and points at the opening quote of a quoted key', () => {
    expect(pos(doc, '/rules/model~1unsafe-pickle', 'key')).toEqual([4, 3]);
    expect(pos(doc, '/rules/model~1unsafe-pickle')).toEqual([4, 26]);
    expect(pos(doc, '/rules/model~1unsafe-pickle/severity')).toEqual([4, 38]);
    expect(pos(doc, joinPointer('/rules', 'model/serialization-format'), 'key')).toEqual([5, 3]);
  });

  it('addresses sequence items by index, in flow and block style', () => {
    expect(pos(doc, '/rules/model~1serialization-format/allow/1')).toEqual([6, 21]);
    expect(pos(doc, '/exceptions/0')).toEqual([8, 5]);
    expect(pos(doc, '/exceptions/0/paths/0')).toEqual([10, 9]);
  });

  it('points a block scalar at its indicator and a quoted scalar at its quote', () => {
    expect(pos(doc, '/exceptions/0/reason')).toEqual([11, 13]);
    expect(pos(doc, '/exceptions/0/expires')).toEqual([13, 14]);
  });

  it('falls back to the nearest existing ancestor for a missing pointer', () => {
    expect(pos(doc, '/exceptions/0/missing')).toEqual([8, 5]);
    expect(pos(doc, '/exceptions/0/missing', 'key')).toEqual([8, 5]);
    expect(pos(doc, '/nothing/here')).toEqual([1, 1]);
    expect(doc.has('/exceptions/0/rule')).toBe(true);
    expect(doc.has('/exceptions/0/missing')).toBe(false);
  });

  it('points an empty value at its key', () => {
    const empty = parseYamlWithPositions('a: 1\nrules:\nb: 2\n', 'x.yml');
    expect(empty.value).toEqual({ a: 1, rules: null, b: 2 });
    expect(pos(empty, '/rules')).toEqual([2, 1]);
    expect(pos(empty, '/b')).toEqual([3, 4]);
  });

  it('uses the same key js-yaml builds for plain non-string keys', () => {
    const d = parseYamlWithPositions('1.0: a\n0x10: b\n~: c\n', 'x.yml');
    expect(d.value).toEqual({ 1: 'a', 16: 'b', null: 'c' });
    expect(pos(d, '/16')).toEqual([2, 7]);
    expect(pos(d, '/null', 'key')).toEqual([3, 1]);
  });

  it('ignores a byte-order mark when counting columns', () => {
    expect(pos(parseYamlWithPositions('\uFEFFkey: value', 'x.yml'), '/key')).toEqual([1, 6]);
  });

  it('points an anchored node at its anchor and an alias at itself', () => {
    const d = parseYamlWithPositions('base: &b [x]\nother: *b\n', 'x.yml');
    expect(d.value).toEqual({ base: ['x'], other: ['x'] });
    expect(pos(d, '/base')).toEqual([1, 7]);
    expect(pos(d, '/other')).toEqual([2, 8]);
    expect(pos(d, '/other/0')).toEqual([2, 8]);
  });

  it('gives undefined for an empty document', () => {
    const d = parseYamlWithPositions('# nothing\n', 'x.yml');
    expect(d.value).toBeUndefined();
    expect(d.positionOf('')).toBeUndefined();
  });

  it('refuses more than one document', () => {
    expect(() => parseYamlWithPositions('a: 1\n---\nb: 2\n', 'x.yml')).toThrow('expected one YAML document, found 2');
  });
});

describe('YAML errors', () => {
  function error(text: string): YamlError {
    try {
      parseYamlWithPositions(text, 'bad.yml');
    } catch (e) {
      return e as YamlError;
    }
    throw new Error('no error');
  }

  it('turns a syntax error into a YamlError (a FormatError) with a 1-based line and column', () => {
    const e = error('rules:\n  a: [1,\nb: 2\n');
    expect(e).toBeInstanceOf(YamlError);
    expect(e).toBeInstanceOf(FormatError);
    expect([e.line, e.column]).toEqual([3, 1]);
    expect(e.reason).toBe('deficient indentation');
    expect(e.message).toBe('bad.yml:3:1: deficient indentation');
  });

  it('reports a duplicated key where the duplicate is', () => {
    const e = error('a: 1\nb: 2\na: 3\n');
    expect([e.line, e.column, e.reason]).toEqual([3, 1, 'duplicated mapping key']);
  });

  it('refuses a billion-laughs document quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const e = error(levels.join('\n'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(e.reason).toBe('aliases expand this document by more than 100000 nodes');
    expect(e.line).toBeGreaterThan(1);
  });

  it('counts what an alias expands to, not one node per alias', () => {
    const big = `big: &big [${Array(2000).fill('1').join(',')}]`;
    const text = `${big}\nuses: [${Array(60).fill('*big').join(', ')}]\n`;
    expect(error(text).reason).toBe('aliases expand this document by more than 100000 nodes');
    const fine = parseYamlWithPositions(text, 'ok.yml', { maxAliasedNodes: 200_000 }).value as { uses: number[][] };
    expect(fine.uses).toHaveLength(60);
  });

  it('refuses more aliases than the limit even when they expand to little', () => {
    const text = `a: &a x\nb: [${Array(101).fill('*a').join(', ')}]\n`;
    expect(error(text).reason).toBe('aliases exceeded maxAliases (100)');
    expect(parseYamlWithPositions(text, 'ok.yml', { maxAliases: 200 }).value).toMatchObject({ a: 'x' });
  });

  it('refuses nesting deeper than the limit', () => {
    const e = error(`${'['.repeat(100)}${']'.repeat(100)}`);
    expect(e.reason).toBe('nesting exceeded maxDepth (64)');
    expect([e.line, e.column]).toEqual([1, 64]);
  });
});

describe('parseYamlDocumentsWithPositions', () => {
  it('gives every document with its own positions', () => {
    const docs = parseYamlDocumentsWithPositions('kind: A\nname: one\n---\nkind: B\nspec:\n  x: 1\n', 'k8s.yml');
    expect(docs.map((d) => d.value)).toEqual([{ kind: 'A', name: 'one' }, { kind: 'B', spec: { x: 1 } }]);
    expect(docs[0].positionOf('/name')).toMatchObject({ line: 2, column: 7 });
    expect(docs[1].positionOf('/spec/x')).toMatchObject({ line: 6, column: 6 });
    expect(docs[1].has('/name')).toBe(false);
  });

  it('gives no documents for an empty text', () => {
    expect(parseYamlDocumentsWithPositions('', 'empty.yml')).toEqual([]);
  });
});
