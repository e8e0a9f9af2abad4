import { describe, expect, it } from '@jest/globals';
import { keyValues, parseDockerfile, splitImage } from '../../src/formats/dockerfile.js';

describe('parseDockerfile', () => {
  it('joins continuations, skips comments, reads heredocs and stages with their lines', () => {
    const df = parseDockerfile([
      '# syntax=docker/dockerfile:1', // 1
      'FROM python:3.12 AS build', //    2
      'RUN pip install \\', //           3
      '  # a comment inside', //         4
      '  torch', //                      5
      'RUN <<EOF', //                    6
      'echo hi', //                      7
      'EOF', //                          8
      '  from build', //                 9
      'user app', //                     10
    ].join('\n'));
    expect(df.instructions.map((i) => [i.keyword, i.args, i.line, i.column, i.stage])).toEqual([
      ['FROM', 'python:3.12 AS build', 2, 1, 0], ['RUN', 'pip install torch', 3, 1, 0], ['RUN', '<<EOF\necho hi', 6, 1, 0],
      ['FROM', 'build', 9, 3, 1], ['USER', 'app', 10, 1, 1],
    ]);
    expect(df.stages.map((s) => [s.image, s.name])).toEqual([['python:3.12', 'build'], ['build', undefined]]);
  });
  it('honours the escape directive', () => {
    const df = parseDockerfile('# escape=`\nFROM x\nRUN a `\n  b\n');
    expect(df.instructions[1].args).toBe('a b');
  });
  it('reads ENV in both forms and splits image references', () => {
    expect(keyValues('A=1 B="two words" C')).toEqual([{ key: 'A', value: '1' }, { key: 'B', value: 'two words' }, { key: 'C', value: undefined }]);
    expect(keyValues('TOKEN some value')).toEqual([{ key: 'TOKEN', value: 'some value' }]);
    expect(splitImage('reg:5000/a/b:1.2@sha256:ab')).toEqual({ name: 'reg:5000/a/b', tag: '1.2', digest: 'sha256:ab' });
    expect(splitImage('reg:5000/a')).toEqual({ name: 'reg:5000/a', digest: undefined });
  });
});

describe('parseDockerfile on arbitrary input', () => {
  it('never throws on text within the limits', async () => {
    const fc = (await import('fast-check')).default;
    const alphabet = fc.constantFrom(...'FROM RUN ENV USER <<EOF\n\\`#=:"\' a'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 120 }).map((a) => a.join('')), (text) => {
      const df = parseDockerfile(text);
      for (const i of df.instructions) keyValues(i.args);
    }), { numRuns: 2000 });
  });
});
