import { describe, expect, it } from '@jest/globals';
import { ADVISORIES, advisoriesFor } from '../../src/detect/advisories.js';

describe('advisory table', () => {
  it('matches with PEP 440 semantics (local versions, pre-releases, multiple ranges)', () => {
    expect(advisoriesFor('torch', '2.5.1+cu121').map((a) => a.id)).toEqual(['CVE-2025-32434']);
    expect(advisoriesFor('torch', '2.6.0')).toEqual([]);
    expect(advisoriesFor('Torch', '1.13.0').map((a) => a.id)).toEqual(['CVE-2025-32434', 'CVE-2022-45907']);
    expect(advisoriesFor('tensorflow', '2.4.2').map((a) => a.id)).toEqual(['CVE-2021-37678']);
    expect(advisoriesFor('tensorflow', '2.4.3')).toEqual([]);
    expect(advisoriesFor('llama_cpp_python', '0.2.71').map((a) => a.id)).toEqual(['CVE-2024-34359']);
    expect(advisoriesFor('llama-cpp-python', '0.2.29')).toEqual([]);
    expect(advisoriesFor('ray', '2.9.0').map((a) => a.disputed)).toEqual([true]);
  });
  it('uses the ranges the advisories publish (backports and lower bounds)', () => {
    // joblib's fix was backported to 1.1.1 (GHSA-6hrg-qmvc-2xh8), so 1.1.1 is clean and 1.1.0 is not.
    expect(advisoriesFor('joblib', '1.1.0').map((a) => a.id)).toEqual(['CVE-2022-21797']);
    expect(advisoriesFor('joblib', '1.1.1')).toEqual([]);
    // BentoML's pickle endpoint was introduced in 1.3.4.
    expect(advisoriesFor('bentoml', '1.3.4').map((a) => a.id)).toEqual(['CVE-2025-27520']);
    expect(advisoriesFor('bentoml', '1.3.3')).toEqual([]);
    expect(advisoriesFor('keras', '3.10.0').map((a) => a.aliases)).toEqual([['GHSA-c9rc-mg46-23w3']]);
  });
  it('ignores versions PEP 440 cannot parse', () => {
    expect(advisoriesFor('torch', 'not-a-version')).toEqual([]);
  });
  it('has well-formed rows: ids, ranges, dates, fixed versions outside the range', () => {
    for (const a of ADVISORIES) {
      expect(a.id).toMatch(/^CVE-\d{4}-\d{4,}$/);
      expect(a.published).toMatch(/^\d{4}-\d{2}$/);
      if (a.fixed) for (const p of a.packages) expect(advisoriesFor(p, a.fixed).some((x) => x.id === a.id)).toBe(false);
    }
  });
});
