import rule from '../../../src/rules/model/lfs-pointer.js';
import { testRule } from '../../helpers/rule-tester.js';

const OID = '4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393';
const pointer = (size = 548_118_077) => `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize ${size}\n`;
const message = (size: string) => `This model file is a Git LFS pointer (oid sha256:${OID.slice(0, 12)}…, ${size} bytes): the model's bytes are not in the checkout, so the gate could not check them. Check out LFS objects (actions/checkout with \`lfs: true\`) so the gate sees the model, or add a policy exception with the reason.`;

testRule(rule, {
  valid: [
    { name: 'an LFS pointer to a dataset, not a model', files: { 'data/train.csv': pointer() } },
    { name: 'an LFS pointer to an image', files: { 'docs/figure.png': pointer() } },
    { name: 'real model bytes', files: { 'model.bin': Buffer.from([0x80, 0x04, 0x95, 0x00, 0x2e]) } },
    { name: 'a README that quotes a pointer after other text', files: { 'model.md': `# Weights\n\n${pointer()}` } },
    { name: 'a text file named like a model that is not a pointer', files: { 'model.pt': 'this checkpoint is on the hub\n' } },
    { name: 'an extension the policy does not list', files: { 'weights.bin': pointer() }, options: { extensions: ['.safetensors'] } },
  ],
  invalid: [
    {
      name: 'a PyTorch checkpoint left as a pointer (model/text)',
      files: { 'checkpoints/model.pt': pointer() },
      errors: [{ path: 'checkpoints/model.pt', line: 1, severity: 'high', message: message('548,118,077') }],
    },
    {
      name: 'safetensors, ONNX and GGUF weights as pointers',
      files: { 'a/model.safetensors': pointer(12), 'b/model.onnx': pointer(34), 'c/model.Q4_K_M.gguf': pointer(56) },
      errors: [
        { path: 'a/model.safetensors', message: message('12') },
        { path: 'b/model.onnx', message: message('34') },
        { path: 'c/model.Q4_K_M.gguf', message: message('56') },
      ],
    },
    {
      name: 'a .bin pointer (classified as text) and a .pkl pointer (classified as a pickle)',
      files: { 'pytorch_model.bin': pointer(7), 'clf.pkl': pointer(8) },
      errors: [{ path: 'clf.pkl', message: message('8') }, { path: 'pytorch_model.bin', message: message('7') }],
    },
    {
      name: 'a pointer without a valid oid is still a pointer',
      files: { 'model.safetensors': 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n' },
      errors: [{ message: /^This model file is a Git LFS pointer without a valid oid and size: the model's bytes are not in the checkout/ }],
    },
    {
      name: 'an extension the policy adds',
      files: { 'weights.params': pointer(9) },
      options: { extensions: ['.params'] },
      errors: [{ message: message('9') }],
    },
  ],
});
