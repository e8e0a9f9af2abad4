import rule from '../../../src/rules/model/serialization-format.js';
import {
  buildNpy, buildNpz, buildPickleCall, buildPickleValue, buildTorchLegacy, buildTorchZip, buildZip,
} from '../../helpers/builders.js';
import { testRule } from '../../helpers/rule-tester.js';

const ADVICE = 'prefer safetensors for weights (or ONNX/skops for whole models), or load it only with torch.load(weights_only=True)';
const safetensors = (() => {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(4)]);
})();

testRule(rule, {
  valid: [
    { name: 'safetensors weights', files: { 'model.safetensors': safetensors } },
    { name: 'a numeric .npy array', files: { 'emb.npy': buildNpy({ descr: '<f4', shape: [2, 2] }) } },
    { name: 'a numeric .npz archive', files: { 'arrays.npz': buildNpz({ a: buildNpy({ descr: '<i8', shape: [3] }) }) } },
    { name: 'a zip of text files named .zip', files: { 'docs.zip': buildZip([{ name: 'README.md', data: '# hi\n' }]) } },
    { name: 'a raw pickle when the policy allows pickle', files: { 'm.pkl': buildPickleValue({ a: 1 }, 4) }, options: { allow: ['pickle'] } },
    { name: 'a torch checkpoint when the policy allows pytorch-zip', files: { 'm.pt': buildTorchZip() }, options: { allow: ['pytorch-zip'] } },
    { name: 'a text file that mentions pickle', files: { 'notes.md': 'We used pickle.dumps(model) for this.\n' } },
  ],
  invalid: [
    {
      name: 'a raw pickle, protocol 4',
      files: { 'models/clf.pkl': buildPickleValue({ coef: [1, 2] }, 4) },
      errors: [{ path: 'models/clf.pkl', severity: 'medium', message: `Raw pickle (protocol 4); unpickling runs whatever the file says: ${ADVICE}.` }],
    },
    {
      name: 'a pickle named .txt is found by its bytes',
      files: { 'notes.txt': buildPickleCall({ protocol: 2, module: 'os', name: 'system', args: ['id'] }) },
      errors: [{ path: 'notes.txt', message: /^Raw pickle \(protocol 2\)/ }],
    },
    {
      name: 'a protocol 0 (text) pickle',
      files: { 'old.pickle': buildPickleValue({ a: 'b' }, 0) },
      errors: [{ message: /^Raw pickle \(protocol 0 or 1\)/ }],
    },
    {
      name: 'a PyTorch zip checkpoint names its pickled member',
      files: { 'ckpt/model.pt': buildTorchZip({ prefix: 'model' }) },
      errors: [{ path: 'ckpt/model.pt', member: 'model/data.pkl', message: `PyTorch zip checkpoint with pickled member model/data.pkl; torch.load unpickles it: ${ADVICE}.` }],
    },
    {
      name: 'a pickle hidden in a zip named .bin',
      files: { 'adapter.bin': buildZip([{ name: 'weights/extra.pkl', data: buildPickleValue([1], 2), method: 8 }]) },
      errors: [{ member: 'weights/extra.pkl', message: `Zip archive with pickled member weights/extra.pkl; whatever loads that member unpickles it: ${ADVICE}.` }],
    },
    {
      name: 'a pickle member named data.txt is found by its bytes',
      files: { 'bundle.zip': buildZip([{ name: 'README.md', data: '# weights\n' }, { name: 'data.txt', data: buildPickleCall({ protocol: 2, module: 'builtins', name: 'eval', args: ['1'] }), method: 8 }]) },
      errors: [{ member: 'data.txt', message: /^Zip archive with pickled member data\.txt;/ }],
    },
    {
      name: 'a legacy torch checkpoint',
      files: { 'legacy.pth': buildTorchLegacy() },
      errors: [{ message: `Legacy PyTorch checkpoint (stacked pickles, pre-1.6 layout); torch.load unpickles it: ${ADVICE}.` }],
    },
    {
      name: 'a joblib dump',
      files: { 'pipeline.joblib': buildPickleValue({ steps: ['scaler', 'svc'] }, 4) },
      errors: [{ message: `joblib dump (a pickle, possibly compressed); joblib.load unpickles it: ${ADVICE}.` }],
    },
    {
      name: 'an object-dtype .npy',
      files: { 'objs.npy': buildNpy({ descr: '|O', shape: [2] }) },
      errors: [{ message: 'NumPy array of Python objects (dtype |O); np.load(allow_pickle=True) unpickles it: store a numeric dtype instead.' }],
    },
    {
      name: 'an .npz with one object member among numeric ones',
      files: { 'mixed.npz': buildNpz({ ok: buildNpy({ descr: '<f8', shape: [1] }), bad: buildNpy({ descr: '|O', shape: [1] }) }, { method: 8 }) },
      errors: [{ member: 'bad.npy', message: /^NumPy archive member bad\.npy holds Python objects \(dtype \|O\)/ }],
    },
    {
      name: 'the severity follows the policy',
      files: { 'm.pkl': buildPickleValue(1, 3) },
      severity: 'high',
      errors: [{ severity: 'high', message: /^Raw pickle \(protocol 3\)/ }],
    },
  ],
});
