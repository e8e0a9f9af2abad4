import { describe, expect, it } from '@jest/globals';
import rule from '../../../src/rules/model/remote-code.js';
import { runWithChanges } from '../../helpers/pipeline.js';
import { testRule } from '../../helpers/rule-tester.js';

const config = (autoMap: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ architectures: ['XForCausalLM'], model_type: 'x', auto_map: autoMap, ...extra }, null, 2) + '\n';
const MODELING = 'import torch\nclass XForCausalLM(torch.nn.Module):\n    pass\n';

testRule(rule, {
  valid: [
    { name: 'a config without auto_map', files: { 'models/bert/config.json': JSON.stringify({ model_type: 'bert', hidden_size: 768 }) } },
    { name: 'auto_map in a JSON file transformers does not read', files: { 'notes/mapping.json': config({ AutoModel: 'm.X' }) } },
    { name: 'a modeling file with no config beside it', files: { 'models/x/modeling_x.py': MODELING } },
    { name: 'a string that only mentions auto_map', files: { 'models/x/config.json': JSON.stringify({ model_type: 'x', note: 'no auto_map here' }) } },
  ],
  invalid: [
    {
      name: 'auto_map to a module in the folder (existing mapping: one level lower)',
      files: {
        'models/x/config.json': config({ AutoConfig: 'configuration_x.XConfig', AutoModelForCausalLM: 'modeling_x.XForCausalLM' }),
        'models/x/configuration_x.py': 'class XConfig: pass\n',
        'models/x/modeling_x.py': MODELING,
      },
      errors: [
        { path: 'models/x/config.json', line: 7, column: 19, severity: 'medium', message: 'auto_map.AutoConfig loads configuration_x.XConfig from configuration_x.py in this folder, custom code that runs whenever the model is loaded with trust_remote_code=True (loading the model with trust_remote_code=True runs it): review it as code, or use an architecture built into transformers so no remote code is needed.' },
        { path: 'models/x/config.json', line: 8, column: 29, severity: 'medium', message: /^auto_map\.AutoModelForCausalLM loads modeling_x\.XForCausalLM from modeling_x\.py in this folder/ },
      ],
    },
    {
      name: 'auto_map to code in another Hub repository',
      files: { 'models/x/config.json': config({ AutoConfig: 'other-org/x-code--configuration_x.XConfig', AutoModel: 'other-org/x-code--configuration_x.XModel' }) },
      errors: [{ line: 7, severity: 'high', message: 'auto_map.AutoConfig, auto_map.AutoModel loads other-org/x-code--configuration_x.XConfig, code from another Hub repository (other-org/x-code) that runs with trust_remote_code=True at whatever revision that repository has when the model is loaded: copy the code into this folder and map it locally, or use an architecture built into transformers.' }],
    },
    {
      name: 'auto_map to a module missing from the folder',
      files: { 'models/x/config.json': config({ AutoModel: 'modeling_x.XModel' }) },
      errors: [{ severity: 'high', message: /^auto_map\.AutoModel loads modeling_x\.XModel from modeling_x\.py, which is not in this folder/ }],
    },
    {
      name: 'a tokenizer config mapping [slow, fast] classes, one of them null',
      files: {
        'tok/tokenizer_config.json': JSON.stringify({ auto_map: { AutoTokenizer: ['tokenization_x.XTokenizer', null] } }, null, 2),
        'tok/tokenization_x.py': 'class XTokenizer: pass\n',
      },
      errors: [{ path: 'tok/tokenizer_config.json', line: 4, column: 7, severity: 'medium', message: /^auto_map\.AutoTokenizer loads tokenization_x\.XTokenizer from tokenization_x\.py in this folder/ }],
    },
    {
      name: 'a custom pipeline in config.json',
      files: {
        'm/config.json': JSON.stringify({ custom_pipelines: { 'pair-classification': { impl: 'pair_pipe.PairPipeline', pt: ['AutoModel'] } } }),
        'm/pair_pipe.py': 'class PairPipeline: pass\n',
      },
      errors: [{ line: 1, severity: 'medium', message: /^custom_pipelines\.pair-classification\.impl loads pair_pipe\.PairPipeline from pair_pipe\.py/ }],
    },
    {
      name: 'a preprocessor config that is not valid JSON',
      files: { 'm/preprocessor_config.json': '{"auto_map": {"AutoImageProcessor": "p.P",}' },
      errors: [{ severity: 'medium', message: /^preprocessor_config\.json mentions auto_map or custom_pipelines but could not be parsed/ }],
    },
  ],
});

describe('model/remote-code in a pull request', () => {
  const files = {
    'models/x/config.json': config({ AutoModel: 'modeling_x.XModel' }),
    'models/x/modeling_x.py': MODELING,
  };

  it('rates a mapping the change adds at the configured severity', async () => {
    const found = await runWithChanges(rule, files, { 'models/x/config.json': 'added', 'models/x/modeling_x.py': 'added' });
    expect(found.map((f) => [f.location.path, f.severity, f.location.line])).toEqual([
      ['models/x/config.json', 'high', 7], ['models/x/modeling_x.py', 'high', 1],
    ]);
    expect(found[0].message).toMatch(/\(this change adds the mapping\)/);
    expect(found[1].message).toBe('This change adds modeling_x.py, custom model code that config.json maps (auto_map.AutoModel) and that runs whenever the model is loaded with trust_remote_code=True: review it line by line as code that runs on every machine that loads the model.');
  });

  it('reports a changed module file even when its config is unchanged', async () => {
    const found = await runWithChanges(rule, files, { 'models/x/modeling_x.py': 'modified' });
    expect(found.map((f) => [f.location.path, f.severity])).toEqual([
      ['models/x/config.json', 'medium'], ['models/x/modeling_x.py', 'high'],
    ]);
    expect(found[1].message).toMatch(/^This change changes modeling_x\.py/);
  });

  it('leaves a changed Python file alone when no config maps it', async () => {
    const found = await runWithChanges(rule, { ...files, 'models/x/utils.py': 'x = 1\n' }, { 'models/x/utils.py': 'modified' });
    expect(found.map((f) => f.location.path)).toEqual(['models/x/config.json']);
  });
});
