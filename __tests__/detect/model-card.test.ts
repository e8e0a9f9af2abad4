import { describe, expect, it } from '@jest/globals';
import { baseModels, hasField, isFineTuned, licenses, lineOf, parseModelCard } from '../../src/detect/model-card.js';

describe('parseModelCard', () => {
  const text = '---\nlicense: [mit, apache-2.0]\nbase_model: meta-llama/Llama-3.1-8B\ntags: [text-generation]\n---\n# Model\n\n## Intended uses & limitations\nQA.\n\n## Evaluation results\n';
  const card = parseModelCard(text, 'README.md');

  it('reads front matter with key lines, and headings', () => {
    expect(licenses(card)).toEqual(['mit', 'apache-2.0']);
    expect(baseModels(card)).toEqual(['meta-llama/Llama-3.1-8B']);
    expect(lineOf(card, 'base_model')).toBe(3);
    expect(card.headings).toEqual(['model', 'intended uses & limitations', 'evaluation results']);
  });

  it('answers prose fields from headings and structured ones only from front matter', () => {
    expect(hasField(card, 'intended-use')).toBe(true);
    expect(hasField(card, 'metrics')).toBe(true);
    expect(hasField(card, 'datasets')).toBe(false);
    expect(hasField(parseModelCard('---\nlicense: ""\n---\n', 'x.md'), 'license')).toBe(false);
  });

  it('knows a fine-tuned model by its tags, relation, library or an adapter config beside it', () => {
    expect(isFineTuned(parseModelCard('---\ntags: [LoRA]\n---\n', 'a.md'), [])).toBe(true);
    expect(isFineTuned(parseModelCard('---\nbase_model_relation: finetune\n---\n', 'a.md'), [])).toBe(true);
    expect(isFineTuned(parseModelCard('---\nbase_model_relation: quantized\n---\n', 'a.md'), [])).toBe(false);
    expect(isFineTuned(parseModelCard('---\nlibrary_name: peft\n---\n', 'a.md'), [])).toBe(true);
    expect(isFineTuned(parseModelCard('# plain\n', 'a.md'), ['adapter_config.json'])).toBe(true);
    expect(isFineTuned(parseModelCard('# plain\n', 'a.md'), ['config.json'])).toBe(false);
  });

  it('turns bad YAML into an error, never a throw', () => {
    const bad = parseModelCard('---\nlicense: [mit\n---\n', 'x.md');
    expect(bad.error).toMatch(/x\.md/);
    expect(bad.fields).toEqual({});
  });
});
