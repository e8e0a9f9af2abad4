import rule from '../../../src/rules/governance/model-card.js';
import { testRule } from '../../helpers/rule-tester.js';

/** A minimal safetensors file (8-byte header length, empty JSON header), so discovery classifies it as a model. */
function safetensors(): Buffer {
  const header = Buffer.from('{}');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header]);
}
const model = safetensors();
const full = [
  '---', 'license: apache-2.0', 'datasets:', '  - squad', 'metrics:', '  - accuracy', '---', '# My model', '', '## Intended use', 'QA.', '',
].join('\n');
const fineTuned = (base: string) => [
  '---', 'license: mit', 'base_model: ' + base, 'datasets: [squad]', 'intended_use: QA', 'model-index:', '  - name: x', '---', '',
].join('\n');

testRule(rule, {
  valid: [
    { name: 'a README.md card with every required field', base: {}, files: { 'models/qa/model.safetensors': model, 'models/qa/README.md': full } },
    { name: 'a MODEL_CARD.md in a parent folder', base: {}, files: { 'models/qa/v1/model.safetensors': model, 'models/MODEL_CARD.md': full } },
    { name: 'a fine-tuned model whose base is from an allowed source', base: {}, options: { 'base-model-sources': ['meta-llama/*'] }, files: { 'm/model.safetensors': model, 'm/README.md': fineTuned('meta-llama/Llama-3.1-8B') } },
    { name: 'only the fields the policy requires', base: {}, options: { required: ['license'] }, files: { 'm/model.safetensors': model, 'm/README.md': '---\nlicense: MIT\n---\n' } },
    { name: 'any license when the allowlist is empty', base: {}, options: { licenses: [] }, files: { 'm/model.safetensors': model, 'm/README.md': full.replace('apache-2.0', 'llama3') } },
    { name: 'a scan without a change checks no model by default (check: changed)', files: { 'models/m.safetensors': model } },
    { name: 'an unchanged model in a change is not checked', base: { 'models/m.safetensors': model }, files: { 'models/m.safetensors': model, 'src/x.py': 'x\n' } },
    { name: 'no model files, no card needed', base: {}, files: { 'README.md': '# project\n' } },
  ],
  invalid: [
    {
      name: 'check: all audits every model of a whole-tree scan',
      options: { check: 'all' },
      files: { 'models/m.safetensors': model },
      errors: [{ path: 'models/m.safetensors', message: /^The model models\/m\.safetensors has no model card/ }],
    },
    {
      name: 'a model with no card at all (a README without front matter is not a card)',
      base: {},
      files: { 'models/m.safetensors': model, 'README.md': '# Project\n' },
      errors: [{ path: 'models/m.safetensors', severity: 'medium', message: /^The model models\/m\.safetensors has no model card/ }],
    },
    {
      name: 'a card missing datasets and intended use',
      base: {},
      files: { 'm/model.safetensors': model, 'm/README.md': '---\nlicense: apache-2.0\nmetrics: [f1]\n---\n' },
      errors: [{ path: 'm/README.md', line: 1, message: 'The model card for the model m/model.safetensors does not state the training datasets, the intended use; add `datasets:`, an `intended_use:` key or an "Intended use" section.' }],
    },
    {
      name: 'a fine-tuned (LoRA-tagged) model without base_model',
      base: {},
      files: { 'm/adapter.safetensors': model, 'm/README.md': full.replace('---\n# My', 'tags: [lora]\n---\n# My') },
      errors: [{ message: /does not state the base model it was fine-tuned from \(base_model\); add `base_model:`\.$/ }],
    },
    {
      name: 'a license outside the allowlist, on its line',
      base: {},
      files: { 'm/model.safetensors': model, 'm/README.md': full.replace('apache-2.0', 'other\nlicense_name: llama3') },
      errors: [{ path: 'm/README.md', line: 2, message: /^The model card's license "other" \(llama3\) is not in the policy's allowed licenses \(Apache-2\.0, MIT,/ }],
    },
    {
      name: 'a base model from a source the policy does not allow',
      base: {},
      options: { 'base-model-sources': ['meta-llama/*', 'mistralai/*'] },
      files: { 'm/model.safetensors': model, 'm/README.md': fineTuned('someone/llama-uncensored') },
      errors: [{ path: 'm/README.md', line: 3, severity: 'high', message: 'The base model "someone/llama-uncensored" is not from an allowed source (meta-llama/*, mistralai/*); fine-tune from an allowed model or have the policy\'s owners add its source.' }],
    },
    {
      name: 'front matter that is not valid YAML',
      base: {},
      files: { 'm/model.safetensors': model, 'm/MODEL_CARD.md': '---\nlicense: [mit\n---\n' },
      errors: [{ path: 'm/MODEL_CARD.md', message: /^The model card for the model m\/model\.safetensors has front matter that is not valid YAML/ }],
    },
  ],
});
