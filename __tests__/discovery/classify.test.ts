import { describe, expect, it } from '@jest/globals';
import { gzipSync, deflateSync } from 'node:zlib';
import { classify, isText } from '../../src/discovery/classify.js';
import { looksLikePickle, probePickle } from '../../src/formats/magic.js';
import type { FileFormat, FileKind } from '../../src/discovery/types.js';
import {
  buildNpy, buildNpz, buildPickleCall, buildPickleValue, buildTorchLegacy, buildTorchStateDictPickle, buildTorchZip, buildZip,
  type PickleProtocol,
} from '../helpers/builders.js';

const t = (s: string): Buffer => Buffer.from(s, 'utf8');
const PROTOCOLS: PickleProtocol[] = [0, 1, 2, 3, 4, 5];

function safetensors(header: string, payload = 0): Buffer {
  const h = Buffer.from(header);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(payload)]);
}

const pickle4 = buildPickleCall({ protocol: 4, module: 'os', name: 'system', args: ['id'] });
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

const cases: Array<[string, string, Buffer, FileKind, FileFormat]> = [
  // Bytes decide.
  ['pickle named .txt', 'notes.txt', pickle4, 'model', 'pickle'],
  // One stray NUL or Latin-1 bytes must not hide a text file from the text rules (secrets, PII, code checks).
  ['Python with a NUL byte', 'src/train.py', Buffer.concat([Buffer.from('token = "x"\n'), Buffer.from([0])]), 'text', 'python'],
  ['Latin-1 Python', 'train.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\n'), Buffer.alloc(200, 0xe9)]), 'text', 'python'],
  ['CSV with a NUL byte', 'data/x.csv', Buffer.from('email\nada@example.com\n\0'), 'dataset', 'csv'],
  ['a workflow with control bytes', '.github/workflows/ci.yml', Buffer.from('on: push\n\0\0\0'), 'workflow', 'yaml'],
  ['protocol-0 pickle named .md', 'README.md', buildPickleCall({ protocol: 0, module: 'os', name: 'system', args: ['id'] }), 'model', 'pickle'],
  ['pickle named .csv', 'data/train.csv', buildPickleValue({ a: [1, 2] }, 2), 'model', 'pickle'],
  ['pickle named .safetensors', 'model.safetensors', pickle4, 'model', 'pickle'],
  ['PNG named .pt', 'model.pt', png, 'binary', 'unknown'],
  ['zip named .csv', 'data/train.csv', buildZip([{ name: 'a.txt', data: 'hello' }]), 'binary', 'zip'],
  ['zip with a pickle member named .txt', 'x.zip', buildZip([{ name: 'data.txt', data: pickle4 }]), 'model', 'pytorch-zip'],
  ['zip with a deflated pickle member', 'x.zip', buildZip([{ name: 'data.bin', data: pickle4, method: 8 }]), 'model', 'pytorch-zip'],
  ['torch zip named .bin', 'pytorch_model.bin', buildTorchZip(), 'model', 'pytorch-zip'],
  ['torch zip named .pt', 'm.pt', buildTorchZip({ prefix: 'm' }), 'model', 'pytorch-zip'],
  ['torch zip, zip64', 'm.pt', buildTorchZip({ zip64: true }), 'model', 'pytorch-zip'],
  ['zip whose only hint is */version', 'm.ckpt', buildZip([{ name: 'm/version', data: '3' }]), 'model', 'pytorch-zip'],
  ['keras v3', 'model.keras', buildZip([{ name: 'metadata.json', data: '{}' }, { name: 'config.json', data: '{}' }]), 'model', 'keras'],
  ['npz', 'arrays.npz', buildNpz({ a: buildNpy({ descr: '<f4', shape: [2] }) }), 'model', 'npz'],
  ['npz named .zip', 'arrays.zip', buildNpz({ a: buildNpy({ descr: '<f4', shape: [2] }) }), 'model', 'npz'],
  ['plain zip', 'bundle.zip', buildZip([{ name: 'a.txt', data: 'x' }]), 'binary', 'zip'],
  ['empty zip', 'empty.zip', buildZip([]), 'binary', 'zip'],
  ['zip named .pt without pickles', 'model.pt', buildZip([{ name: 'weights.raw', data: Buffer.alloc(16) }]), 'model', 'zip'],
  ['torch legacy', 'old.pt', buildTorchLegacy(), 'model', 'torch-legacy'],
  ['torch legacy named .txt', 'old.txt', buildTorchLegacy(), 'model', 'torch-legacy'],
  ['npy', 'a.npy', buildNpy({ descr: '<f4', shape: [3] }), 'model', 'npy'],
  ['npy named .dat', 'a.dat', buildNpy({ descr: '|O', shape: [1] }), 'model', 'npy'],
  ['safetensors', 'model.safetensors', safetensors('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4), 'model', 'safetensors'],
  ['safetensors named .bin', 'model.bin', safetensors('{"__metadata__":{}}'), 'model', 'safetensors'],
  ['broken safetensors keeps its name', 'model.safetensors', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2]), 'model', 'safetensors'],
  ['gguf', 'llama.gguf', Buffer.concat([t('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)]), 'model', 'gguf'],
  ['gguf named .bin', 'x.bin', Buffer.concat([t('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)]), 'model', 'gguf'],
  ['hdf5', 'model.h5', Buffer.concat([Buffer.from('894844460d0a1a0a', 'hex'), Buffer.alloc(32)]), 'model', 'hdf5'],
  ['hdf5 after a 512-byte user block', 'weights.hdf5', Buffer.concat([Buffer.alloc(512), Buffer.from('894844460d0a1a0a', 'hex'), Buffer.alloc(8)]), 'model', 'hdf5'],
  ['tflite', 'm.tflite', Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), t('TFL3'), Buffer.alloc(16)]), 'model', 'tflite'],
  ['onnx by name', 'm.onnx', Buffer.from([0x08, 0x07, 0x12, 0x07, 0x70, 0x79, 0x74, 0x6f, 0x72, 0x63, 0x68, 0x00]), 'model', 'onnx'],
  ['joblib (zlib)', 'clf.joblib', deflateSync(pickle4), 'model', 'joblib'],
  ['joblib (gzip)', 'clf.pkl.gz', gzipSync(pickle4), 'model', 'joblib'],
  ['joblib (plain pickle)', 'clf.joblib', pickle4, 'model', 'joblib'],
  ['joblib (lz4)', 'clf.joblib.lz4', Buffer.concat([Buffer.from('04224d18', 'hex'), Buffer.alloc(8)]), 'model', 'joblib'],
  ['gzip', 'logs.gz', gzipSync(t('hello')), 'binary', 'gzip'],
  ['gzipped csv is a dataset', 'train.csv.gz', gzipSync(t('a,b\n1,2\n')), 'dataset', 'gzip'],
  ['gzipped model', 'model.pt.gz', gzipSync(pickle4), 'model', 'gzip'],
  ['bzip2', 'x.bz2', Buffer.concat([t('BZh91AY&SY'), Buffer.alloc(8)]), 'binary', 'bzip2'],
  ['xz', 'x.xz', Buffer.concat([Buffer.from('fd377a585a00', 'hex'), Buffer.alloc(8)]), 'binary', 'xz'],
  ['zstd', 'x.zst', Buffer.concat([Buffer.from('28b52ffd', 'hex'), Buffer.alloc(8)]), 'binary', 'zstd'],
  ['7z', 'payload.7z', Buffer.concat([Buffer.from('377abcaf271c', 'hex'), Buffer.alloc(26)]), 'binary', '7z'],
  ['tar', 'x.tar', Buffer.concat([Buffer.alloc(257), t('ustar\u000000'), Buffer.alloc(300)]), 'binary', 'tar'],
  ['parquet', 'data/x.parquet', Buffer.concat([t('PAR1'), Buffer.alloc(16), t('PAR1')]), 'dataset', 'parquet'],
  ['parquet named .bin', 'x.bin', Buffer.concat([t('PAR1'), Buffer.alloc(16), t('PAR1')]), 'dataset', 'parquet'],
  ['arrow', 'x.arrow', Buffer.concat([t('ARROW1'), Buffer.alloc(10)]), 'dataset', 'arrow'],
  ['arrow stream by name', 'x.arrow', Buffer.concat([Buffer.from('ffffffff', 'hex'), Buffer.alloc(10)]), 'dataset', 'arrow'],
  // Names decide.
  ['pickle by name even when the bytes are odd', 'model.pkl', Buffer.from([0x01, 0x02, 0x00, 0x03]), 'model', 'pickle'],
  ['binary .pt', 'model.pt', Buffer.from([0x01, 0x02, 0x00, 0x03]), 'model', 'unknown'],
  ['binary .bin', 'weights.bin', Buffer.from([0x01, 0x02, 0x00, 0x03]), 'model', 'unknown'],
  ['text .bin is text', 'notes.bin', t('just some notes\n'), 'text', 'text'],
  ['Git LFS pointer named .pt', 'model.pt', t('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'), 'model', 'lfs-pointer'],
  ['Git LFS pointer named .csv', 'data/train.csv', t('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'), 'text', 'lfs-pointer'],
  ['empty .pt', 'model.pt', Buffer.alloc(0), 'model', 'unknown'],
  ['.mlmodel', 'x.mlmodel', Buffer.from([0x08, 0x04, 0x00, 0x12]), 'model', 'unknown'],
  ['csv', 'data/train.csv', t('name,email\nAda,ada@example.com\n'), 'dataset', 'csv'],
  ['tsv', 'x.tsv', t('a\tb\n1\t2\n'), 'dataset', 'tsv'],
  ['jsonl', 'x.jsonl', t('{"a":1}\n{"a":2}\n'), 'dataset', 'jsonl'],
  ['json under data/', 'data/sub/records.json', t('[{"a":1}]'), 'dataset', 'json'],
  ['json elsewhere is config', 'conf/settings.json', t('{"a":1}'), 'config', 'json'],
  ['workflow', '.github/workflows/ci.yml', t('on: push\njobs: {}\n'), 'workflow', 'yaml'],
  ['workflow .yaml', '.github/workflows/release.yaml', t('on: push\n'), 'workflow', 'yaml'],
  ['composite action', 'actions/setup/action.yml', t('name: x\nruns:\n  using: "composite"\n  steps: []\n'), 'workflow', 'yaml'],
  ['node action.yml is config', 'action.yml', t('name: x\nruns:\n  using: node24\n  main: dist/index.js\n'), 'config', 'yaml'],
  ['Dockerfile', 'Dockerfile', t('FROM python:3.12\nRUN pip install torch\n'), 'dockerfile', 'dockerfile'],
  ['x.Dockerfile', 'docker/serve.Dockerfile', t('FROM x\n'), 'dockerfile', 'dockerfile'],
  ['Dockerfile.dev', 'Dockerfile.dev', t('FROM x\n'), 'dockerfile', 'dockerfile'],
  ['Containerfile', 'Containerfile', t('FROM x\n'), 'dockerfile', 'dockerfile'],
  ['k8s manifest', 'deploy/serve.yaml', t('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n'), 'k8s', 'yaml'],
  ['k8s list', 'deploy/all.yml', t('- apiVersion: v1\n  kind: Pod\n'), 'k8s', 'yaml'],
  ['yaml without kind is config', 'config/train.yaml', t('apiVersion: 2\nlr: 0.1\n'), 'config', 'yaml'],
  ['requirements.txt', 'requirements.txt', t('torch==2.3.0\n'), 'dependency', 'text'],
  ['requirements-dev.txt', 'sub/requirements-dev.txt', t('pytest\n'), 'dependency', 'text'],
  ['requirements/ folder', 'requirements/base.txt', t('numpy\n'), 'dependency', 'text'],
  ['pyproject', 'pyproject.toml', t('[project]\nname = "x"\n'), 'dependency', 'toml'],
  ['setup.py', 'setup.py', t('from setuptools import setup\nsetup()\n'), 'dependency', 'python'],
  ['setup.cfg', 'setup.cfg', t('[metadata]\nname = x\n'), 'dependency', 'text'],
  ['Pipfile', 'Pipfile', t('[packages]\n'), 'dependency', 'toml'],
  ['Pipfile.lock', 'Pipfile.lock', t('{}'), 'dependency', 'json'],
  ['poetry.lock', 'poetry.lock', t('[[package]]\n'), 'dependency', 'toml'],
  ['uv.lock', 'uv.lock', t('version = 1\n'), 'dependency', 'toml'],
  ['environment.yml', 'environment.yml', t('dependencies:\n  - numpy\n'), 'dependency', 'yaml'],
  ['conda.yaml', 'conda.yaml', t('dependencies: []\n'), 'dependency', 'yaml'],
  ['package.json', 'web/package.json', t('{"name":"x"}'), 'dependency', 'json'],
  ['package-lock.json', 'package-lock.json', t('{"name":"x"}'), 'dependency', 'json'],
  ['notebook', 'nb/explore.ipynb', t('{"cells": [], "nbformat": 4}'), 'notebook', 'ipynb'],
  ['toml config', 'ruff.toml', t('line-length = 100\n'), 'config', 'toml'],
  ['ini config', 'tox.ini', t('[tox]\n'), 'config', 'text'],
  ['README', 'README.md', t('# Title\n\nSome (text) with [links](x) and c\nlines.\n'), 'text', 'markdown'],
  ['python', 'train.py', t('import os\nfrom x import y\n\ndef main():\n    pass\n'), 'text', 'python'],
  ['shell', 'run.sh', t('#!/bin/sh\nset -e\n'), 'text', 'shell'],
  ['utf-16 text', 'notes.txt', Buffer.from('\ufeffhello', 'utf16le'), 'text', 'text'],
  ['latin-1 heavy binary', 'blob.dat', Buffer.from(Array.from({ length: 64 }, (_, i) => 0x80 + (i % 64))), 'binary', 'unknown'],
  ['random binary', 'blob.dat', Buffer.from([1, 2, 3, 0, 4, 5]), 'binary', 'unknown'],
];

describe('classify', () => {
  it.each(cases)('%s (%s)', (_label, path, head, kind, format) => {
    expect(classify(path, head.subarray(0, 8192), head.length)).toEqual({ kind, format });
  });

  it.each(PROTOCOLS)('finds pickles of protocol %i by their bytes whatever the name', (protocol) => {
    for (const opcode of ['GLOBAL', 'STACK_GLOBAL', 'INST'] as const) {
      const p = buildPickleCall({ protocol, module: 'os', name: 'system', args: ['ls -la', 1], opcode });
      expect(classify('docs/notes.txt', p, p.length)).toEqual({ kind: 'model', format: 'pickle' });
    }
    const v = buildPickleValue({ a: [1, 'two', true, null], b: {} }, protocol);
    expect(classify('x.txt', v, v.length)).toEqual({ kind: 'model', format: 'pickle' });
  });

  it('finds a torch state-dict pickle and a pickle followed by junk', () => {
    const sd = buildTorchStateDictPickle([{ name: 'w', shape: [2, 2] }]);
    expect(classify('x.bin', sd, sd.length).format).toBe('pickle');
    const junk = buildPickleCall({ protocol: 0, module: 'os', name: 'system', args: ['id'], trailing: t('\x00\x01garbage') });
    expect(classify('x.txt', junk, junk.length).format).toBe('pickle');
  });

  it('only looks at the head it is given', () => {
    const big = Buffer.concat([t('col_a,col_b\n'), Buffer.alloc(20000, 0x61)]);
    expect(classify('big.csv', big.subarray(0, 8192), big.length)).toEqual({ kind: 'dataset', format: 'csv' });
  });
});

describe('looksLikePickle', () => {
  const texts: Array<[string, string]> = [
    ['README', '# ai-pipeline-gate\n\nGate pull requests.\n'],
    ['CSV', 'name,age\nAda,36\n'],
    ['CSV starting with N', 'N,value\n1,2\n'],
    ['JSON', '{"a": [1, 2, 3]}\n'],
    ['JSON list', '[1, 2]\n'],
    ['Python', 'import os\nimport sys\n\nprint(os.getcwd())\n'],
    ['Python class', 'class Model:\n    pass\n'],
    ['Python def', 'def f():\n    return 1\n'],
    ['shell cd', 'cd\nls\n'],
    ['sorted word list of c-words', 'cab\ncabal\ncabin\ncable\ncache\ncackle\ncactus\ncadet\ncafe\ncage\ncake\ncalf\ncall\ncalm\ncamel\ncamp\n'],
    ['parenthesised prose', '(see below) and more\n'],
    ['YAML', 'apiVersion: v1\nkind: Pod\n'],
    ['a single letter', 'N'],
    ['INI', '[section]\nkey = value\n'],
    ['empty', ''],
  ];
  it.each(texts)('%s is not a pickle', (_label, s) => {
    expect(looksLikePickle(t(s))).toBe(false);
  });

  it('rejects PROTO with an impossible next opcode or protocol', () => {
    expect(looksLikePickle(Buffer.from([0x80, 0x02, 0x00]))).toBe(false);
    expect(looksLikePickle(Buffer.from([0x80, 0x09, 0x7d, 0x2e]))).toBe(false);
    expect(looksLikePickle(Buffer.from([0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(true);
  });

  it('accepts a protocol-0 GLOBAL even when damage follows (the payload runs before the damage)', () => {
    expect(looksLikePickle(t("cbuiltins\nexec\n(X>\nf = open('x')"))).toBe(true);
    expect(looksLikePickle(t('cos\nsystem\np0\n\x00\x00'))).toBe(true);
    expect(looksLikePickle(t('cmod\n\xf8\n'))).toBe(false);
  });

  it('probes a pickle to STOP', () => {
    const p = probePickle(buildPickleValue([1, 2, 3], 0));
    expect(p).toMatchObject({ ok: true, stopped: true });
    expect(probePickle(t('a')).ok).toBe(false); // APPEND on an empty stack
    expect(probePickle(t(')1')).ok).toBe(false); // POP_MARK without a mark
  });
});

describe('isText', () => {
  it('accepts UTF-8 and a cut-off multi-byte character at the end', () => {
    expect(isText(t('héllo wörld ✓'))).toBe(true);
    expect(isText(t('abc✓').subarray(0, 5))).toBe(true);
  });
  it('rejects NUL bytes and control-heavy data', () => {
    expect(isText(Buffer.from('ab\u0000cd'))).toBe(false);
    expect(isText(Buffer.from([1, 2, 3, 4, 5, 6, 7]))).toBe(false);
  });
});
