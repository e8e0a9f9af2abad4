import rule from '../../../src/rules/model/onnx-external-data.js';
import { buildOnnx, onnxGraph, onnxTensor } from '../../helpers/model-builders.js';
import { testRule } from '../../helpers/rule-tester.js';

const ext = (location: string) => buildOnnx(onnxGraph([{ op: 'MatMul' }], [onnxTensor('w', { location })]));

testRule(rule, {
  valid: [
    { name: 'standard operators with inline weights', files: { 'models/m.onnx': buildOnnx(onnxGraph([{ op: 'Conv' }, { op: 'Relu', domain: 'ai.onnx' }], [onnxTensor('w', { raw: Buffer.alloc(4096, 1) })])) } },
    { name: 'external data beside the model and in a subfolder', files: { 'models/m.onnx': buildOnnx(onnxGraph([{ op: 'MatMul' }], [onnxTensor('a', { location: 'm.onnx.data' }), onnxTensor('b', { location: 'weights/b.bin' }), onnxTensor('c', { location: 'weights/../c.bin' })])) } },
    { name: 'ONNX Runtime contrib and ML operators', files: { 'm.onnx': buildOnnx(onnxGraph([{ op: 'FusedMatMul', domain: 'com.microsoft' }, { op: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml' }])) } },
    { name: 'a domain of a function defined in the model', files: { 'm.onnx': buildOnnx(onnxGraph([{ op: 'MyBlock', domain: 'local.fn' }]), { functionDomain: 'local.fn', functionOp: 'MyBlock' }) } },
    { name: 'a custom domain the policy allows', files: { 'm.onnx': buildOnnx(onnxGraph([{ op: 'Dequant', domain: 'com.example.quant' }])) }, options: { allowDomains: ['com.example.quant'] } },
  ],
  invalid: [
    {
      name: 'an absolute external data location',
      files: { 'models/m.onnx': ext('/etc/passwd') },
      errors: [{ severity: 'high', message: 'Tensor "w" takes its data from "/etc/passwd", which is an absolute path; loading the model reads that file: store external data beside the model with a relative location.' }],
    },
    {
      name: 'a location that climbs out with ..',
      files: { 'models/m.onnx': ext('../../.ssh/id_rsa') },
      errors: [{ message: /^Tensor "w" takes its data from "\.\.\/\.\.\/\.ssh\/id_rsa", which climbs out of the model's folder with "\.\."/ }],
    },
    {
      name: 'a Windows path, a backslash climb and a URL',
      files: { 'a.onnx': ext('C:\\Users\\x\\secret.bin'), 'b.onnx': ext('..\\..\\secret'), 'c.onnx': ext('file:///etc/shadow') },
      errors: [
        { path: 'a.onnx', message: /which is an absolute Windows path/ },
        { path: 'b.onnx', message: /which climbs out of the model's folder/ },
        { path: 'c.onnx', message: /which is a URL/ },
      ],
    },
    {
      name: 'external data in a subgraph of an If node',
      files: { 'm.onnx': buildOnnx(onnxGraph([{ op: 'If', subgraph: onnxGraph([{ op: 'Identity' }], [onnxTensor('hidden', { location: '/root/.aws/credentials' })]) }])) },
      errors: [{ message: /^Tensor "hidden" takes its data from "\/root\/\.aws\/credentials", which is an absolute path/ }],
    },
    {
      name: 'a custom operator domain',
      files: { 'm.onnx': buildOnnx(onnxGraph([{ op: 'Conv' }, { op: 'EvilOp', domain: 'com.example.custom' }, { op: 'OtherOp', domain: 'com.example.custom' }])) },
      errors: [{ severity: 'medium', message: 'The model uses operators from the custom domain "com.example.custom" (EvilOp, OtherOp); running it loads a custom operator library, which is native code: review that library, or list the domain in allowDomains.' }],
    },
    {
      name: 'a truncated model',
      files: { 'm.onnx': ext('x.bin').subarray(0, 30) },
      errors: [{ severity: 'medium', message: /^Not a readable ONNX model \(/ }],
    },
  ],
});
