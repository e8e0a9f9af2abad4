import rule from '../../../src/rules/model/safetensors-header.js';
import { buildSafetensors } from '../../helpers/model-builders.js';
import { testRule } from '../../helpers/rule-tester.js';

const FIX = 're-export the file with the safetensors library (safetensors.torch.save_file) from a trusted source';
const w = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

testRule(rule, {
  valid: [
    { name: 'two tensors tiling the data, with string metadata', files: { 'model.safetensors': buildSafetensors({ __metadata__: { format: 'pt' }, a: w('F32', [2, 2], 0, 16), b: w('BF16', [3], 16, 22) }, 22) } },
    { name: 'a header padded with spaces, an empty tensor, 4-bit floats', files: { 'm.safetensors': buildSafetensors(null, 2, { rawHeader: '{"e":{"dtype":"F16","shape":[0],"data_offsets":[0,0]},"f":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}    ' }) } },
    { name: 'no tensors at all', files: { 'empty.safetensors': buildSafetensors({}, 0) } },
  ],
  invalid: [
    {
      name: 'an unknown dtype',
      files: { 'm.safetensors': buildSafetensors({ a: w('F31', [1], 0, 4) }, 4) },
      errors: [
        { message: `Invalid safetensors header: 4 bytes after the last tensor belong to no tensor (the data should end at the end of the file); ${FIX}.` },
        { severity: 'high', message: `Invalid safetensors header: tensor "a" has unknown dtype "F31"; ${FIX}.` },
      ],
    },
    {
      name: 'shape times dtype size differs from the offsets',
      files: { 'm.safetensors': buildSafetensors({ a: w('F32', [2, 3], 0, 16) }, 16) },
      errors: [{ message: `Invalid safetensors header: tensor "a": shape [2, 3] of F32 needs 24 bytes, but data_offsets span 16; ${FIX}.` }],
    },
    {
      name: 'overlapping tensors',
      files: { 'm.safetensors': buildSafetensors({ a: w('U8', [8], 0, 8), b: w('U8', [8], 4, 12) }, 12) },
      errors: [{ message: /^Invalid safetensors header: tensor "b" \(bytes 4-12\) overlaps "a"/ }],
    },
    {
      name: 'a gap between tensors and bytes hidden after the data',
      files: { 'm.safetensors': buildSafetensors({ a: w('U8', [4], 0, 4), b: w('U8', [4], 8, 12) }, 20) },
      errors: [
        { message: /^Invalid safetensors header: 4 bytes before tensor "b" \(from byte 4\) belong to no tensor/ },
        { message: /^Invalid safetensors header: 8 bytes after the last tensor belong to no tensor/ },
      ],
    },
    {
      name: 'offsets past the end of the file',
      files: { 'm.safetensors': buildSafetensors({ a: w('U8', [64], 0, 64) }, 8) },
      errors: [{ message: /^Invalid safetensors header: tensor "a".*|^Invalid safetensors header: the tensors need 64 bytes of data but only 8 follow the header/ }],
    },
    {
      name: 'metadata that is not string to string',
      files: { 'm.safetensors': buildSafetensors({ __metadata__: { epochs: 3, ok: 'x' } }, 0) },
      errors: [{ message: `Invalid safetensors header: __metadata__ key "epochs" holds a number, not a string; ${FIX}.` }],
    },
    {
      name: 'a header that is not JSON',
      files: { 'm.safetensors': buildSafetensors(null, 0, { rawHeader: '{"a": {"dtype": "F32",' }) },
      errors: [{ severity: 'high', message: /^Not a valid safetensors file: the header is not valid JSON/ }],
    },
    {
      name: 'a header length past the end of the file (named .safetensors, not confirmed by its bytes)',
      files: { 'm.safetensors': buildSafetensors({}, 0, { lengthOverride: 1n << 40n }) },
      errors: [{ message: /^Not a valid safetensors file: the header length 1099511627776 exceeds the format's limit of 100000000 bytes/ }],
    },
    {
      name: 'unknown keys and a non-integer shape',
      files: { 'm.safetensors': buildSafetensors({ a: { ...w('U8', [1], 0, 1), loader: 'x' }, b: { dtype: 'U8', shape: [1.5], data_offsets: [1, 2] } }, 2) },
      errors: [
        { message: /1 bytes after the last tensor belong to no tensor/ },
        { message: /tensor "a" has unknown keys "loader"/ },
        { message: /tensor "b" has a shape that is not a list of non-negative integers/ },
      ],
    },
  ],
});
