import { describe, expect, it } from '@jest/globals';
import { closest, didYouMean, editDistance } from '../../src/policy/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions, and a transposition as one edit', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('hgih', 'high')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('closest', () => {
  const ids = ['model/unsafe-pickle', 'model/serialization-format', 'data/pii', 'workflow/unpinned-action'];

  it('finds a near miss', () => {
    expect(closest('model/unsafe-pickles', ids)).toBe('model/unsafe-pickle');
    expect(closest('data/pi', ids)).toBe('data/pii');
    expect(closest('fail_on', ['fail-on', 'scope'])).toBe('fail-on');
    expect(closest('Scope', ['fail-on', 'scope'])).toBe('scope');
  });

  it('finds a rule named without its area', () => {
    expect(closest('unpinned-action', ids)).toBe('workflow/unpinned-action');
  });

  it('gives nothing when nothing is close', () => {
    expect(closest('foo/bar', ids)).toBeUndefined();
    expect(closest('xyz', ['extends', 'rules'])).toBeUndefined();
    expect(didYouMean('xyz', ['extends'])).toBe('');
  });

  it('words the suggestion', () => {
    expect(didYouMean('rule', ['rules'])).toBe('; did you mean "rules"?');
  });
});
