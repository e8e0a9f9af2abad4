import { describe, expect, it } from '@jest/globals';
import { metricKey, metricLine, parseMetrics } from '../../src/detect/metrics.js';
import { FormatError } from '../../src/formats/errors.js';

const keys = (text: string, path = 'metrics.json') => parseMetrics(text, path).metrics.map((m) => `${metricKey(m)}=${m.value}${m.robustness ? ' (robust)' : ''}`);

describe('parseMetrics', () => {
  it('reads flat and nested numbers by key path, and { value } objects', () => {
    expect(keys('{"accuracy": 0.9, "eval": {"f1": 0.8, "bleu": {"value": 31.5}}, "name": "x", "ok": true}')).toEqual(['accuracy=0.9', 'eval.f1=0.8', 'eval.bleu=31.5']);
  });

  it('reads groups by key and nested attributes, and as a list with a group field', () => {
    expect(keys('groups:\n  gender:\n    female: { acc: 0.7 }\n    male: { acc: 0.9 }\n', 'metrics.yaml')).toEqual(['acc [gender/female]=0.7', 'acc [gender/male]=0.9']);
    expect(keys('{"eval": {"slices": [{"slice": "en", "acc": 0.9}, {"slice": "de", "acc": 0.8}]}}')).toEqual(['eval.acc [en]=0.9', 'eval.acc [de]=0.8']);
  });

  it('marks metrics under a robustness section', () => {
    expect(keys('{"robustness": {"fgsm_acc": 0.4}, "acc": 0.9}')).toEqual(['robustness.fgsm_acc=0.4 (robust)', 'acc=0.9']);
  });

  it('reads the Hugging Face model-index from a card\'s front matter, with lines', () => {
    const card = '---\nlicense: mit\nmodel-index:\n- name: m\n  results:\n  - dataset: {name: imdb, split: test}\n    metrics:\n    - {type: accuracy, value: 0.93}\n---\n# M\n';
    const file = parseMetrics(card, 'README.md');
    expect(file.metrics.map(metricKey)).toEqual(['imdb/test/accuracy']);
    expect(metricLine(file, file.metrics[0])).toBe(8);
    expect(parseMetrics('# no front matter\n', 'README.md').metrics).toEqual([]);
  });

  it('throws FormatError on bad input and bounds what it reads', () => {
    expect(() => parseMetrics('{"a": ', 'm.json')).toThrow(FormatError);
    const many = `{${Array.from({ length: 10_001 }, (_, i) => `"m${i}": ${i}`).join(',')}}`;
    expect(() => parseMetrics(many, 'm.json')).toThrow(/more than 10000 metrics/);
  });
});
