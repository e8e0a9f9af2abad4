import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { FormatError } from '../../src/formats/errors.js';
import { npyHeaderEnd, parseNpyHeader } from '../../src/formats/npy.js';
import { buildNpy, npyHeaderLiteral, type NpySpec } from '../helpers/builders.js';

function expectFormatError(f: () => unknown, message?: RegExp): void {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(FormatError);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('parseNpyHeader', () => {
  it.each([1, 2, 3] as const)('reads a version %i.0 header', (version) => {
    const buf = buildNpy({ descr: '<f4', shape: [2, 3], version });
    const h = parseNpyHeader(buf);
    expect(h).toEqual({ version: [version, 0], descr: '<f4', fortranOrder: false, shape: [2, 3], headerEnd: 128, hasObjects: false });
    expect(h.headerEnd % 64).toBe(0);
    expect(buf.length - h.headerEnd).toBe(24);
    expect(npyHeaderEnd(buf.subarray(0, 12))).toBe(h.headerEnd);
  });

  it('reads scalars, one-element shapes and Fortran order', () => {
    expect(parseNpyHeader(buildNpy({ descr: '<i8', shape: [] })).shape).toEqual([]);
    expect(parseNpyHeader(buildNpy({ descr: '<i8', shape: [7] })).shape).toEqual([7]);
    expect(parseNpyHeader(buildNpy({ descr: '>f8', shape: [2, 2], fortranOrder: true })).fortranOrder).toBe(true);
  });

  it.each(['|O', 'O', '|O8', '<O'])('reports object arrays (descr %s)', (descr) => {
    expect(parseNpyHeader(buildNpy({ descr, shape: [1] })).hasObjects).toBe(true);
  });

  it('reads structured dtypes and finds object fields at any depth', () => {
    const plain = parseNpyHeader(buildNpy({ descr: [['a', '<i4'], ['b', '<f8', [2]]], shape: [3] }));
    expect(plain).toMatchObject({ descr: "[('a', '<i4'), ('b', '<f8', (2,))]", hasObjects: false });
    const nested = parseNpyHeader(buildNpy({ descr: [['x', '<i4'], ['inner', [['y', '<f4'], ['z', '|O']]]], shape: [2] }));
    expect(nested.hasObjects).toBe(true);
    const titled = parseNpyHeader(buildNpy({ descr: '', shape: [1], headerLiteral: "{'descr': [(('title', 'a'), '|O')], 'fortran_order': False, 'shape': (1,), }" }));
    expect(titled.hasObjects).toBe(true);
  });

  it('accepts what numpy writes: double quotes, Python 2 longs, keys in any order, no trailing comma', () => {
    const h = parseNpyHeader(buildNpy({ descr: '', shape: [], headerLiteral: '{"shape": (3L, 4L), "fortran_order": False, "descr": "<u1"}' }));
    expect(h).toMatchObject({ descr: '<u1', shape: [3, 4] });
  });

  it('reads a UTF-8 field name in a version 3.0 header', () => {
    const h = parseNpyHeader(buildNpy({ descr: [['größe', '<f4']], shape: [1], version: 3 }));
    expect(h.descr).toBe("[('größe', '<f4')]");
  });

  const bad: Array<[string, Partial<NpySpec> & { raw?: Buffer }, RegExp]> = [
    ['no magic', { raw: Buffer.from('NUMPY not really') }, /no \\x93NUMPY magic/],
    ['version 4', { raw: Buffer.from('\x93NUMPY\x04\x00\x10\x00', 'latin1') }, /unsupported .npy format version 4/],
    ['missing key', { headerLiteral: "{'descr': '<f4', 'shape': (1,)}" }, /expected descr, fortran_order, shape/],
    ['extra key', { headerLiteral: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}" }, /expected/],
    ['duplicate key', { headerLiteral: "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}" }, /duplicate key/],
    ['not a dict', { headerLiteral: "['descr', '<f4']" }, /not a dict/],
    ['shape not a tuple', { headerLiteral: "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}" }, /shape is not a tuple/],
    ['negative dimension', { headerLiteral: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}" }, /non-negative/],
    ['fortran_order not a bool', { headerLiteral: "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}" }, /fortran_order/],
    ['a call', { headerLiteral: "{'descr': __import__('os').system('id'), 'fortran_order': False, 'shape': (1,)}" }, /unexpected/],
    ['unterminated string', { headerLiteral: "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}" }, /./],
    ['trailing text', { headerLiteral: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk" }, /unexpected text/],
    ['deep nesting', { headerLiteral: `{'descr': ${'['.repeat(100)}${']'.repeat(100)}, 'fortran_order': False, 'shape': ()}` }, /nests too deeply/],
    ['bad field', { headerLiteral: "{'descr': [('a',)], 'fortran_order': False, 'shape': (1,)}" }, /field/],
  ];
  it.each(bad)('throws FormatError: %s', (_label, spec, message) => {
    const buf = spec.raw ?? buildNpy({ descr: '<f4', shape: [1], ...spec });
    expectFormatError(() => parseNpyHeader(buf), message);
  });

  it('throws FormatError when the buffer ends inside the header', () => {
    const buf = buildNpy({ descr: '<f4', shape: [1] });
    expectFormatError(() => parseNpyHeader(buf.subarray(0, 40)), /needs 128 bytes/);
    expectFormatError(() => parseNpyHeader(buf.subarray(0, 9)));
  });

  it('round-trips the literal the builder writes', () => {
    expect(npyHeaderLiteral({ descr: '<f4', shape: [2, 3] })).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  });
});

describe('npy parser robustness (property)', () => {
  const tolerate = (buf: Buffer): void => {
    try {
      parseNpyHeader(buf);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
    }
  };

  it('random bytes after the magic throw nothing but FormatError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 3 }), (bytes, v) => {
      tolerate(Buffer.concat([Buffer.from('\x93NUMPY', 'latin1'), Buffer.from([v, 0]), Buffer.from(bytes)]));
      tolerate(Buffer.from(bytes));
    }), { numRuns: 500 });
  });

  it('random header text throws nothing but FormatError', () => {
    const alphabet = fc.constantFrom(...`{}[](),:'" \\<|O0123456789-LTrueFalseNonedescrshapefortran_orderxu\n`.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 200 }), (chars) => {
      tolerate(buildNpy({ descr: '', shape: [], headerLiteral: chars.join('') }));
    }), { numRuns: 500 });
  });

  it('mutations of valid headers throw nothing but FormatError', () => {
    const seeds = [
      buildNpy({ descr: '<f4', shape: [2, 3] }),
      buildNpy({ descr: [['a', '<i4'], ['b', '|O', [2]]], shape: [4], version: 2 }),
      buildNpy({ descr: '|O', shape: [1], version: 3 }),
    ];
    fc.assert(fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (seed, edits) => {
      const buf = Buffer.from(seeds[seed]);
      for (const [at, v] of edits) buf[at % buf.length] = v;
      tolerate(buf);
    }), { numRuns: 500 });
  });
});
