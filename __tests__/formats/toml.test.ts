import { describe, expect, it } from '@jest/globals';
import { FormatError } from '../../src/formats/errors.js';
import { parseToml } from '../../src/formats/toml.js';

const PYPROJECT = `# comment
[project]
name = "demo"
dependencies = [
  "torch==2.1.0",  # pinned
  'numpy>=1.26',
]

[project.optional-dependencies]
dev = ["pytest"]

[tool.poetry.dependencies]
python = "^3.11"
transformers = { version = "4.30.0", extras = ["torch"] }

[[package]]
name = "a"
version = "1.0"

[[package]]
name = "b"
version = "2.0"
when = 1979-05-27 07:32:00Z
desc = """
multi "line" ""\"""
n = 1_000
f = 1.5e3
ok = true
dotted.key = 'x'
`;

describe('parseToml', () => {
  const doc = parseToml(PYPROJECT);
  it('reads tables, arrays, inline tables and arrays of tables', () => {
    expect(doc.value.project).toEqual({ name: 'demo', dependencies: ['torch==2.1.0', 'numpy>=1.26'], 'optional-dependencies': { dev: ['pytest'] } });
    expect(doc.value.tool).toEqual({ poetry: { dependencies: { python: '^3.11', transformers: { version: '4.30.0', extras: ['torch'] } } } });
    expect(doc.value.package).toEqual([
      { name: 'a', version: '1.0' },
      { name: 'b', version: '2.0', when: '1979-05-27 07:32:00Z', desc: 'multi "line" ""', n: 1000, f: 1500, ok: true, dotted: { key: 'x' } },
    ]);
  });
  it('gives the line of keys and array elements', () => {
    expect(doc.lineOf('/project/dependencies/0')).toBe(5);
    expect(doc.lineOf('/project/dependencies/1')).toBe(6);
    expect(doc.lineOf('/tool/poetry/dependencies/transformers')).toBe(14);
    expect(doc.lineOf('/package/1/version')).toBe(22);
    expect(doc.lineOf('/package/1/n')).toBe(26);
  });
  it('throws FormatError on bad input and on limits', () => {
    for (const bad of ['a = ', 'a = "x', '[a]\n[a]\n', 'a = 1\na = 2', 'a = [1,', 'a = 1 b']) expect(() => parseToml(bad)).toThrow(FormatError);
    expect(() => parseToml(`a = ${'['.repeat(100)}${']'.repeat(100)}`)).toThrow(/deeper/);
  });
});

describe('parseToml on arbitrary input', () => {
  it('returns or throws FormatError, nothing else', async () => {
    const fc = (await import('fast-check')).default;
    const alphabet = fc.constantFrom(...'[]{}="\'#.,\n \\abc123-_:tfu'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')), (text) => {
      try { parseToml(text); } catch (error) { if (!(error instanceof FormatError)) throw error; }
    }), { numRuns: 3000 });
  });
});
