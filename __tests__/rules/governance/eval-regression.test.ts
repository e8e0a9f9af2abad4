import rule from '../../../src/rules/governance/eval-regression.js';
import { testBaseRule } from '../../helpers/base-tester.js';
import { testRule } from '../../helpers/rule-tester.js';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const card = (f1: number) => ['---', 'license: mit', 'model-index:', '  - name: qa', '    results:', '      - task: { type: question-answering }',
  '        dataset: { name: squad, type: squad, split: validation }', '        metrics:', `          - { type: f1, value: ${f1} }`, '---', '# QA', ''].join('\n');
const model = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);
const model2 = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('[]')]);

testRule(rule, {
  valid: [
    { name: 'a metrics file alone has no base to compare with', files: { 'models/metrics.json': json({ accuracy: 0.5, loss: 2 }) } },
    { name: 'groups within the allowed gap', files: { 'models/metrics.json': json({ accuracy: 0.9, groups: { female: { accuracy: 0.88 }, male: { accuracy: 0.91 } } }) } },
    { name: 'a fairness difference within the bound', files: { 'eval/fairness.json': json({ demographic_parity_difference: 0.04 }) } },
    { name: 'a JSON file that is not a metrics file by the policy', files: { 'config/settings.json': json({ groups: { a: { x: 0 }, b: { x: 1 } } }) } },
    { name: 'the gap check turned off', options: { 'max-group-gap': null }, files: { 'metrics.yaml': 'slices:\n  a: { acc: 0.5 }\n  b: { acc: 0.9 }\n' } },
  ],
  invalid: [
    {
      name: 'groups (slices) further apart than the allowed gap, on the worst group\'s line',
      files: { 'models/metrics.json': json({ accuracy: 0.9, groups: { gender: { female: { accuracy: 0.7 }, male: { accuracy: 0.95 } } } }) },
      errors: [{ path: 'models/metrics.json', line: 6, severity: 'high', message: 'The metric accuracy differs by 0.25 between groups of gender (gender/female 0.7, gender/male 0.95), more than the allowed gap of 0.1; reduce the disparity before merging, or have the policy\'s owners accept it.' }],
    },
    {
      name: 'groups given as a list with a group field, lower-is-better error rate',
      files: { 'metrics.yaml': 'per_group:\n  - group: young\n    error_rate: 0.05\n  - group: old\n    error_rate: 0.30\n' },
      errors: [{ line: 5, message: /^The metric error_rate differs by 0\.25 between groups \(young 0\.05, old 0\.3\)/ }],
    },
    {
      name: 'a reported demographic parity difference above the bound',
      options: { 'max-group-gap': 0.05 },
      files: { 'eval/fairness.json': json({ fairness: { demographic_parity_difference: 0.12 } }) },
      errors: [{ line: 3, message: 'The fairness metric fairness.demographic_parity_difference is 0.12, more than the allowed gap of 0.05; reduce the disparity before merging, or have the policy\'s owners accept it.' }],
    },
    {
      name: 'a robustness metric below the minimum, and a threshold',
      options: { 'min-robustness': 0.6, thresholds: { accuracy: { min: 0.8 } } },
      files: { 'metrics.json': json({ accuracy: 0.75, robustness: { adversarial_accuracy: 0.41 } }) },
      errors: [
        { line: 2, message: 'The metric accuracy is 0.75, below the policy\'s minimum of 0.8 (thresholds accuracy); fix the model or have the policy\'s owners change the bound.' },
        { line: 4, message: 'The robustness metric robustness.adversarial_accuracy is 0.41, below the policy\'s minimum of 0.6; improve robustness before merging.' },
      ],
    },
    {
      name: 'a metrics file that is not valid JSON',
      files: { 'metrics.json': '{"accuracy": 0.9,,}' },
      errors: [{ severity: 'medium', message: /^The metrics file could not be read \(/ }],
    },
  ],
});

testBaseRule(rule, {
  valid: [
    { name: 'a small drop within the tolerance', base: { 'm/metrics.json': json({ accuracy: 0.9, loss: 0.3 }) }, head: { 'm/metrics.json': json({ accuracy: 0.895, loss: 0.305 }) } },
    { name: 'an improvement', base: { 'm/metrics.json': json({ accuracy: 0.8 }) }, head: { 'm/metrics.json': json({ accuracy: 0.9 }) } },
    { name: 'runtime and epoch numbers are not quality metrics', base: { 'm/all_results.json': json({ eval_accuracy: 0.8, eval_runtime: 10, epoch: 3 }) }, head: { 'm/all_results.json': json({ eval_accuracy: 0.8, eval_runtime: 30, epoch: 1 }) } },
    { name: 'a model changed together with its metrics', base: { 'm/model.safetensors': model, 'm/metrics.json': json({ accuracy: 0.8 }) }, head: { 'm/model.safetensors': model2, 'm/metrics.json': json({ accuracy: 0.81 }) } },
  ],
  invalid: [
    {
      name: 'a drop beyond the tolerance shows both values',
      base: { 'm/metrics.json': json({ accuracy: 0.91, f1: 0.88 }) },
      head: { 'm/metrics.json': json({ accuracy: 0.85, f1: 0.88 }) },
      errors: [{ path: 'm/metrics.json', line: 2, severity: 'high', message: 'The metric accuracy dropped from 0.91 (base) to 0.85 (head), by 0.06, more than the tolerance of 0.01; investigate the regression, or have the policy\'s owners accept it.' }],
    },
    {
      name: 'a loss that rises, a per-metric tolerance, and a metric that disappears',
      options: { tolerances: { 'eval.*': 0.2 } },
      base: { 'metrics.yaml': 'eval:\n  loss: 0.30\n  bleu: 30\nval_loss: 1.0\n' },
      head: { 'metrics.yaml': 'eval:\n  loss: 0.45\nval_loss: 1.5\n' },
      errors: [
        { line: 3, message: /^The metric val_loss rose from 1 \(base\) to 1\.5 \(head\), by 0\.5, more than the tolerance of 0\.01;/ },
        { severity: 'medium', message: 'The metric eval.bleu (30 at the base) is no longer reported; restore it, or say in the PR why it was dropped.' },
      ],
    },
    {
      name: 'a per-group metric that regresses',
      base: { 'metrics.json': json({ slices: { en: { acc: 0.9 }, de: { acc: 0.88 } } }) },
      head: { 'metrics.json': json({ slices: { en: { acc: 0.9 }, de: { acc: 0.84 } } }) },
      errors: [{ message: /^The metric acc \[de\] dropped from 0\.88 \(base\) to 0\.84 \(head\)/ }],
    },
    {
      name: 'Hugging Face model-index in the model card',
      base: { 'm/README.md': card(88.5) },
      head: { 'm/README.md': card(80.1) },
      errors: [{ path: 'm/README.md', line: 9, message: /^The metric squad\/validation\/f1 dropped from 88\.5 \(base\) to 80\.1 \(head\), by 8\.4/ }],
    },
    {
      name: 'a model changed while its metrics file is not',
      base: { 'm/v1/model.safetensors': model, 'm/metrics.json': json({ accuracy: 0.8 }) },
      head: { 'm/v1/model.safetensors': model2 },
      errors: [{ path: 'm/v1/model.safetensors', severity: 'medium', message: 'The model m/v1/model.safetensors changed but its metrics file m/metrics.json did not; re-run the evaluation and commit the new metrics in this PR.' }],
    },
  ],
});
