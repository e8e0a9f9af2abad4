import { describe, expect, it } from '@jest/globals';
import { FormatError } from '../../src/formats/errors.js';
import { contextRefs, parseUses, parseWorkflow } from '../../src/formats/workflow.js';

const TEXT = [
  'name: x', //                                   1
  'on:', //                                       2
  '  pull_request_target:', //                    3
  '  push:', //                                   4
  'jobs:', //                                     5
  '  build:', //                                  6
  '    runs-on: ubuntu-latest', //                7
  '    strategy:', //                             8
  '      matrix:', //                             9
  '        a: ${{ fromJSON(inputs.list) }}', //  10
  '    steps:', //                               11
  '      - uses: actions/checkout@v4', //        12
  '      - run: |', //                           13
  '          echo ${{ github.head_ref }}', //    14
  "          x ${{ github.event['issue'].title }} ${{ a == b }}", // 15
  '',
].join('\n');

describe('parseWorkflow', () => {
  const wf = parseWorkflow(TEXT, 'ci.yml');
  it('reads triggers, jobs, steps and uses with positions', () => {
    expect(wf.kind).toBe('workflow');
    expect(wf.triggers).toEqual(['pull_request_target', 'push']);
    expect(wf.rootPos).toMatchObject({ line: 1, column: 1 });
    const job = wf.jobs[0];
    expect(job.id).toBe('build');
    expect(job.keyPos).toMatchObject({ line: 6, column: 3 });
    expect([...job.dynamicMatrix]).toEqual(['a']);
    expect(job.steps[0].uses).toMatchObject({ value: 'actions/checkout@v4', pos: { line: 12, column: 15 } });
  });
  it('locates every expression and each context in it', () => {
    const exprs = wf.expressions(wf.jobs[0].steps[1].run!);
    expect(exprs.map((e) => [e.text, e.line, e.column, e.boolean])).toEqual([
      ['github.head_ref', 14, 16, false], ["github.event['issue'].title", 15, 13, false], ['a == b', 15, 48, true],
    ]);
    expect(exprs[1].contexts).toEqual([{ path: 'github.event.issue.title', raw: "github.event['issue'].title", line: 15, column: 17, endColumn: 44 }]);
  });
  it('reads a composite action', () => {
    const c = parseWorkflow('runs:\n  using: composite\n  steps:\n    - run: echo hi\n', 'action.yml');
    expect(c.kind).toBe('composite');
    expect(c.jobs[0].steps[0].run?.pos).toMatchObject({ line: 4, column: 12 });
  });
  it('throws FormatError on a non-mapping or bad YAML', () => {
    expect(() => parseWorkflow('- a\n', 'x.yml')).toThrow(FormatError);
    expect(() => parseWorkflow('a: [\n', 'x.yml')).toThrow(FormatError);
  });
});

describe('contextRefs and parseUses', () => {
  it('skips string literals and function names, normalises indexes', () => {
    expect(contextRefs("contains(github.event.commits[*].message, 'github.x') && toJSON(steps.a.outputs)").map((c) => c.path))
      .toEqual(['github.event.commits.*.message', 'steps.a.outputs']);
  });
  it('splits uses', () => {
    expect(parseUses('actions/checkout@v4')).toEqual({ kind: 'remote', owner: 'actions', repo: 'checkout', ref: 'v4' });
    expect(parseUses('./x').kind).toBe('local');
    expect(parseUses('docker://alpine:3')).toEqual({ kind: 'docker', image: 'alpine:3' });
  });
});

describe('parseWorkflow on arbitrary input', () => {
  it('returns a model whose expressions can be listed, or throws FormatError', async () => {
    const fc = (await import('fast-check')).default;
    const alphabet = fc.constantFrom('jobs:', 'steps:', 'run:', 'uses:', '${{', '}}', ' github.event.issue.title', '\n', '  ', '- ', '[', ']', "'", '"', '|', 'x', ':', '#', '&a', '*a');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')), (text) => {
      try {
        const wf = parseWorkflow(text, 'w.yml');
        for (const job of wf.jobs) for (const step of job.steps) if (step.run) wf.expressions(step.run);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
      }
    }), { numRuns: 2000 });
  });
});
