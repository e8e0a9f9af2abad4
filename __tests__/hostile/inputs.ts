import { gzipSync } from 'node:zlib';
import { writeParquet } from '../helpers/parquet-writer.js';
import {
  buildNpy, buildPickleCall, buildPickleValue, buildTorchZip, buildZip, buildZipBomb, pickleEnvelope,
} from '../helpers/builders.js';
import { buildGguf, buildOnnx, buildSafetensors, onnxGraph, pbLen } from '../helpers/model-builders.js';

/**
 * Hostile inputs, each built in code: what an attacker (or a broken tool) can put in a pull request to crash,
 * hang or exhaust the gate. `expect` is what the scan must say about the file: a finding of one of these rules
 * (a clear verdict or a clear error), or `any` when any outcome but a crash is fine (e.g. invalid UTF-8 text).
 */
export interface HostileInput {
  name: string;
  path: string;
  content: () => Buffer | string;
  expect: readonly string[] | 'any';
}

const le64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b; };
const le32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };

const deepJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObj = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 9 }, (_, i) => {
    const prev = String.fromCharCode(97 + i), name = String.fromCharCode(98 + i);
    return `${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`;
  }),
  'on: push',
  'jobs: *j',
].join('\n');

// A pickle with a LONG_BINGET memo loop and a frame that claims 2^60 bytes.
const absurdFrame = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), le64(1n << 60n), Buffer.from('N.')]);
// BINUNICODE8 claiming 2^62 bytes of string.
const absurdString = Buffer.concat([Buffer.from([0x80, 0x04, 0x8d]), le64(1n << 62n), Buffer.from('abc')]);
// 200,000 nested MARK/EMPTY_LIST: a deep stack.
const deepPickle = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(200_000, 0x5d), Buffer.from('.')]);
const manyMarks = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(500_000, 0x28), Buffer.from('.')]);

export const HOSTILE: HostileInput[] = [
  // zip
  { name: 'zip bomb (1 GB of zeros deflated)', path: 'models/bomb.zip', content: () => buildZipBomb(1024 * 1024 * 1024 / 8), expect: 'any' },
  { name: 'zip member named ../../etc/passwd', path: 'models/slip.zip', content: () => buildZip([{ name: '../../etc/passwd', data: 'root:x:0:0' }]), expect: 'any' },
  { name: 'zip member with an absolute path', path: 'models/abs.zip', content: () => buildZip([{ name: '/etc/cron.d/x', data: '* * * * * id' }]), expect: 'any' },
  { name: 'torch zip whose data.pkl calls os.system', path: 'models/torch.pt', content: () => buildTorchZip({ dataPkl: buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }) }), expect: ['model/unsafe-pickle'] },
  { name: 'zip claiming 4 billion entries', path: 'models/many.zip', content: () => buildZip([{ name: 'a', data: 'x' }], { entryCount: 0xffff }), expect: 'any' },
  { name: 'zip64 end record with absurd offsets', path: 'models/z64.zip', content: () => buildZip([{ name: 'a.pkl', data: buildPickleValue({ a: 1 }, 2) }], { zip64: true }), expect: 'any' },
  { name: 'truncated zip (half the bytes)', path: 'models/half.zip', content: () => { const z = buildTorchZip(); return z.subarray(0, z.length >> 1); }, expect: 'any' },
  { name: 'zip with only an end record', path: 'models/empty.zip', content: () => Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]), expect: 'any' },
  { name: 'zip member that lies about its size', path: 'models/liar.zip', content: () => buildZip([{ name: 'data.pkl', data: buildPickleValue(1, 2), uncompressedSize: 0x7fffffff, method: 8 }]), expect: 'any' },
  { name: 'npz with a nested zip bomb', path: 'models/arr.npz', content: () => buildZip([{ name: 'x.npy', data: Buffer.alloc(64 * 1024 * 1024), method: 8 }]), expect: 'any' },
  // pickle
  { name: 'pickle calling os.system', path: 'models/evil.pkl', content: () => buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 4 }), expect: ['model/unsafe-pickle'] },
  { name: 'pickle truncated mid-opcode', path: 'models/trunc.pkl', content: () => buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }).subarray(0, 12), expect: 'any' },
  { name: 'pickle frame claiming 2^60 bytes', path: 'models/frame.pkl', content: () => absurdFrame, expect: 'any' },
  { name: 'pickle string claiming 2^62 bytes', path: 'models/bigstr.pkl', content: () => absurdString, expect: 'any' },
  { name: 'pickle with 200,000 nested lists', path: 'models/deep.pkl', content: () => deepPickle, expect: 'any' },
  { name: 'pickle with 500,000 MARKs', path: 'models/marks.pkl', content: () => manyMarks, expect: 'any' },
  { name: 'pickle of only a PROTO opcode', path: 'models/proto.pkl', content: () => Buffer.from([0x80, 0x05]), expect: 'any' },
  { name: 'pickle hidden in a .txt name', path: 'notes/readme.txt', content: () => buildPickleCall({ module: 'subprocess', name: 'Popen', args: ['sh'], protocol: 2 }), expect: ['model/unsafe-pickle'] },
  { name: 'joblib gzip of a malicious pickle', path: 'models/clf.joblib', content: () => gzipSync(buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 3 })), expect: 'any' },
  { name: 'pickle GLOBAL with a 1 MB module name', path: 'models/longname.pkl', content: () => pickleEnvelope(Buffer.from(`c${'a'.repeat(1 << 20)}\nb\n`, 'latin1'), 2), expect: 'any' },
  // safetensors
  { name: 'safetensors header length 2^63', path: 'models/huge.safetensors', content: () => buildSafetensors({}, 0, { lengthOverride: 1n << 63n }), expect: ['model/safetensors-header'] },
  { name: 'safetensors header that is not JSON', path: 'models/notjson.safetensors', content: () => buildSafetensors({}, 16, { rawHeader: '{"a": [1, 2' }), expect: ['model/safetensors-header'] },
  { name: 'safetensors offsets past the end', path: 'models/offsets.safetensors', content: () => buildSafetensors({ w: { dtype: 'F32', shape: [1 << 30, 1 << 30], data_offsets: [0, 2 ** 52] } }, 8), expect: ['model/safetensors-header'] },
  { name: 'safetensors header nested 100,000 deep', path: 'models/deep.safetensors', content: () => buildSafetensors({}, 0, { rawHeader: deepJson(100_000) }), expect: ['model/safetensors-header'] },
  { name: 'safetensors of 7 bytes', path: 'models/tiny.safetensors', content: () => Buffer.from([1, 0, 0, 0, 0, 0, 0]), expect: 'any' },
  // GGUF
  { name: 'GGUF claiming 2^60 metadata entries', path: 'models/kv.gguf', content: () => buildGguf([['general.name', 'x']], { kvCountOverride: 1n << 60n }), expect: 'any' },
  { name: 'GGUF truncated inside a string', path: 'models/trunc.gguf', content: () => buildGguf([['tokenizer.chat_template', 'x'.repeat(100)]], { truncate: 50 }), expect: 'any' },
  { name: 'GGUF string length 2^62', path: 'models/str.gguf', content: () => Buffer.concat([Buffer.from('GGUF'), le32(3), le64(0n), le64(1n), le64(1n << 62n), Buffer.from('key')]), expect: 'any' },
  { name: 'GGUF array of 2^40 nested arrays', path: 'models/arr.gguf', content: () => Buffer.concat([Buffer.from('GGUF'), le32(3), le64(0n), le64(1n), le64(1n), Buffer.from('k'), le32(9), le32(9), le64(1n << 40n)]), expect: 'any' },
  // npy, ONNX, HDF5, parquet
  { name: 'npy header length 65535 of garbage', path: 'models/bad.npy', content: () => Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([0xff, 0xff]), Buffer.alloc(100, 0x7b)]), expect: 'any' },
  { name: 'npy of object dtype (a pickle inside)', path: 'models/obj.npy', content: () => buildNpy({ descr: '|O', shape: [1], data: buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }) } as never), expect: 'any' },
  { name: 'ONNX graph nested 10,000 deep', path: 'models/deep.onnx', content: () => { let g = onnxGraph([{ op: 'Relu' }]); for (let i = 0; i < 10_000; i++) g = onnxGraph([{ op: 'Loop', subgraph: g }]); return buildOnnx(g); }, expect: 'any' },
  { name: 'ONNX field with a length of 2^62', path: 'models/len.onnx', content: () => Buffer.concat([Buffer.from([0x08, 0x09, 0x3a]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]), pbLen(1, 'x')]), expect: 'any' },
  { name: 'HDF5 signature then nothing', path: 'models/bad.h5', content: () => Buffer.from('894844460d0a1a0a', 'hex'), expect: 'any' },
  { name: 'Parquet magic with a footer length past the start', path: 'data/bad.parquet', content: () => Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(16), le32(0x7fffffff), Buffer.from('PAR1')]), expect: 'any' },
  { name: 'Parquet whose column chunk names a column the schema lacks (crashed the process via hyparquet)', path: 'data/mangled.parquet', content: () => {
    const pq = writeParquet({ id: [1, 2, 3], text: ['a', 'bb', 'ccc'] });
    const at = pq.lastIndexOf(Buffer.from('text'));
    pq[at] = 0xff;
    return pq;
  }, expect: 'any' },
  // text formats
  { name: 'billion-laughs YAML workflow', path: '.github/workflows/laughs.yml', content: () => billionLaughs, expect: 'any' },
  { name: 'JSON nested 1,000,000 deep', path: 'configs/deep.json', content: () => deepJson(1_000_000), expect: 'any' },
  { name: 'JSON objects nested 200,000 deep', path: 'configs/deep-obj.json', content: () => deepObj(200_000), expect: 'any' },
  { name: 'YAML flow sequences nested 100,000 deep', path: 'configs/deep.yaml', content: () => `a: ${deepJson(100_000)}\n`, expect: 'any' },
  { name: 'invalid UTF-8 in a CSV', path: 'data/bad-utf8.csv', content: () => Buffer.concat([Buffer.from('name,email\n'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x0a]), Buffer.from('bob,bob@example.com\n')]), expect: 'any' },
  { name: 'invalid UTF-8 in a Python file', path: 'src/bad.py', content: () => Buffer.from([0x69, 0x6d, 0x70, 0x6f, 0x72, 0x74, 0x20, 0xed, 0xa0, 0x80, 0x0a]), expect: 'any' },
  { name: 'UTF-16 notebook', path: 'nb/utf16.ipynb', content: () => Buffer.from('\ufeff{"cells": []}', 'utf16le'), expect: 'any' },
  { name: 'notebook with 100,000 cells', path: 'nb/many.ipynb', content: () => JSON.stringify({ cells: Array.from({ length: 100_000 }, () => ({ cell_type: 'code', source: 'x', outputs: [] })), nbformat: 4, nbformat_minor: 5, metadata: {} }), expect: 'any' },
  { name: 'CSV with a million empty columns', path: 'data/wide.csv', content: () => `${','.repeat(1_000_000)}\n`, expect: 'any' },
  { name: 'JSONL with one 20 MB line', path: 'data/long.jsonl', content: () => `{"text": "${'a'.repeat(20 * 1024 * 1024)}"}\n`, expect: 'any' },
  // Every few characters a phone number, in a column named for them: hundreds of thousands of matches in one cell.
  { name: 'JSONL with a 3 MB cell of phone numbers', path: 'data/phones.jsonl', content: () => `{"phone": "${'555 0107 ; '.repeat(300_000)}"}\n`, expect: ['data/pii'] },
  { name: 'Dockerfile with 100,000 line continuations', path: 'docker/Dockerfile', content: () => `FROM python:3.12\nRUN echo \\\n${'a \\\n'.repeat(100_000)}b\n`, expect: 'any' },
  { name: 'requirements.txt that includes itself', path: 'requirements.txt', content: () => '-r requirements.txt\ntorch==1.0\n', expect: 'any' },
  { name: 'gzip-compressed CSV bomb', path: 'data/bomb.csv.gz', content: () => gzipSync(Buffer.alloc(256 * 1024 * 1024, 0x0a)), expect: 'any' },
  // names
  { name: 'file name with :: (workflow command)', path: 'models/::error::pwned.pkl', content: () => buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }), expect: ['model/unsafe-pickle'] },
  { name: 'file name with a newline', path: 'models/new\nline.pkl', content: () => buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }), expect: ['model/unsafe-pickle'] },
  { name: 'file name with HTML', path: 'models/<img src=x onerror=alert(1)>.pkl', content: () => buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }), expect: ['model/unsafe-pickle'] },
];
