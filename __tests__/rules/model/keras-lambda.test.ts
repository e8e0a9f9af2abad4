import rule from '../../../src/rules/model/keras-lambda.js';
import { buildZip } from '../../helpers/builders.js';
import { buildKerasH5 } from '../../helpers/model-builders.js';
import { testRule } from '../../helpers/rule-tester.js';

const FIX = 'load it only with keras.saving.load_model(..., safe_mode=True) on Keras 3.9 or later, or rebuild the model in code and load weights only';
const dense = { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', units: 4, activation: 'relu' }, registered_name: null };
const lambda3 = { module: 'keras.layers', class_name: 'Lambda', config: { name: 'evil', function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } } }, registered_name: null };
const seq = (...layers: unknown[]) => ({ module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers }, registered_name: null });
const keras = (config: unknown) => buildZip([
  { name: 'metadata.json', data: JSON.stringify({ keras_version: '3.8.0' }) },
  { name: 'config.json', data: typeof config === 'string' ? config : JSON.stringify(config), method: 8 },
  { name: 'model.weights.h5', data: Buffer.from('894844460d0a1a0a', 'hex') },
]);
const legacy = (layers: unknown[]) => ({ class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: '2.15.0', backend: 'tensorflow' });

testRule(rule, {
  valid: [
    { name: 'a .keras model of standard layers', files: { 'm.keras': keras(seq(dense, { ...dense, class_name: 'Dropout', config: { rate: 0.1 } })) } },
    { name: 'a legacy .h5 of standard layers', files: { 'm.h5': buildKerasH5(legacy([{ class_name: 'Dense', config: { units: 2 } }])) } },
    { name: 'an HDF5 data file that is not a Keras model', files: { 'data.h5': Buffer.concat([Buffer.from('894844460d0a1a0a', 'hex'), Buffer.alloc(4096, 3)]) } },
  ],
  invalid: [
    {
      name: 'a Lambda layer in a .keras config (high: safe_mode refuses it by default)',
      files: { 'm.keras': keras(seq(dense, lambda3)) },
      errors: [{ member: 'config.json', severity: 'high', message: `Loading this model runs code: its config holds Lambda layer "evil" (Python bytecode, run when loaded with safe_mode=False) at config.layers[1]; ${FIX}.` }],
    },
    {
      name: 'a Lambda layer in a legacy .h5 (critical: no safe_mode)',
      files: { 'm.h5': buildKerasH5(legacy([{ class_name: 'Lambda', config: { name: 'l', function: ['4wEAAAAA', null, null], function_type: 'lambda' } }])) },
      errors: [{ severity: 'critical', message: /^Loading this model runs code: its config holds Lambda layer "l" \(Python bytecode, run by legacy HDF5 loading, which has no safe_mode\) at config\.layers\[0\]/ }],
    },
    {
      name: 'a module reference outside Keras (CVE-2025-1550)',
      files: { 'm.keras': keras(seq({ module: 'subprocess', class_name: 'Popen', config: { args: ['id'] }, registered_name: 'Popen' })) },
      errors: [
        { severity: 'critical', message: /its config holds a reference to module "subprocess" \(Popen\), imported at load time even in safe mode before Keras 3\.9 \(CVE-2025-1550\) at config\.layers\[0\]/ },
      ],
    },
    {
      name: 'a Keras helper that turns safe mode off',
      files: { 'm.keras': keras(seq({ module: 'keras.config', class_name: 'enable_unsafe_deserialization', config: {}, registered_name: null }, lambda3)) },
      errors: [
        { severity: 'critical', message: /a reference to keras\.config\.enable_unsafe_deserialization, a known safe_mode bypass/ },
        { severity: 'high', message: /Lambda layer "evil"/ },
      ],
    },
    {
      name: 'a custom object needs the project\'s code',
      files: { 'm.keras': keras(seq({ module: 'keras.layers', class_name: 'MyLayer', config: {}, registered_name: 'my_package>MyLayer' })) },
      errors: [{ severity: 'medium', message: /its config holds the custom object "my_package>MyLayer", which needs the project's own code to load at config\.layers\[0\]/ }],
    },
    {
      name: 'a .keras whose config.json is not JSON',
      files: { 'm.keras': keras('{"module": "keras", ') },
      errors: [{ severity: 'high', message: /^Keras archive whose config\.json cannot be read \(/ }],
    },
  ],
});
