import { gzipSync } from 'node:zlib';
import rule from '../../../src/rules/model/unsafe-pickle.js';
import {
  buildNpy, buildNpz, buildPickleCall, buildPickleValue, buildTorchLegacy, buildTorchZip, buildZip, pickleEnvelope, pickleGlobal,
} from '../../helpers/builders.js';
import { build7z, buildJoblibDump, buildTar, joblibGzip, joblibZlib } from '../../helpers/model-builders.js';
import { P, asm, callP4, p4 } from '../../helpers/pickle-asm.js';
import { testRule } from '../../helpers/rule-tester.js';

const DONT = 'do not load it; if it is your model, re-save the weights with safetensors';
const osSystem = (protocol: 0 | 2 | 4 = 2) => buildPickleCall({ protocol, module: 'os', name: 'system', args: ['id'] });
const evalCall = buildPickleCall({ protocol: 4, module: 'builtins', name: 'eval', args: ['1+1'] });
const custom = pickleEnvelope(Buffer.concat([pickleGlobal('mypkg.models', 'Net', 2), Buffer.from(')R')]), 2);
const objectNpy = (data?: Buffer) => buildNpy({ descr: '|O', shape: [1], data });

testRule(rule, {
  valid: [
    { name: 'a model.tar.gz without pickles', files: { 'model.tar.gz': gzipSync(buildTar({ 'code/inference.py': 'print(1)\n', 'config.json': '{}' })) } },
    { name: 'a PyTorch zip checkpoint of tensors', files: { 'model.pt': buildTorchZip({ tensors: [{ name: 'w', shape: [4, 4] }, { name: 'b', shape: [4] }] }) } },
    { name: 'a zip64 checkpoint with data descriptors', files: { 'big.pth': buildTorchZip({ zip64: true }) } },
    { name: 'a legacy torch checkpoint', files: { 'old.pth': buildTorchLegacy() } },
    { name: 'a plain-data pickle', files: { 'vocab.pkl': buildPickleValue({ tokens: ['a', 'b'], size: 2 }, 4) } },
    { name: 'an object .npy that uses only NumPy globals', files: { 'objs.npy': objectNpy() } },
    { name: 'a numeric .npz', files: { 'arrays.npz': buildNpz({ a: buildNpy({ descr: '<f4', shape: [3] }) }, { method: 8 }) } },
    { name: 'a zip of documents with an encrypted member', files: { 'docs.zip': buildZip([{ name: 'notes.txt', data: 'x'.repeat(40), flags: 0x1 }]) } },
    { name: 'a class of the project listed in allow', files: { 'clf.pkl': custom }, options: { allow: ['mypkg.models.Net'] } },
    { name: 'a module wildcard in allow', files: { 'clf.pkl': custom }, options: { allow: ['mypkg.*'] } },
    { name: 'unknown globals when unknown is off', files: { 'clf.pkl': custom }, options: { unknown: 'off' } },
    {
      name: 'a joblib dump of NumPy arrays (raw array bytes inside the pickle stream, aligned, unaligned, object dtype)',
      files: { 'model.joblib': buildJoblibDump([{ descr: '<f8', shape: [3, 4], itemsize: 8 }, { descr: '|b1', shape: [5], itemsize: 1, aligned: false }, { descr: '|O', shape: [2], itemsize: 8 }, { descr: '<U3', shape: [2, 2], itemsize: 12 }]) },
    },
    { name: 'a safetensors file is not a pickle', files: { 'm.safetensors': Buffer.concat([Buffer.from([14, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"__metadata__":{}}'.slice(0, 14))]) } },
  ],
  invalid: [
    {
      name: 'a raw pickle calling os.system, named .txt',
      files: { 'notes.txt': osSystem(2) },
      errors: [{ severity: 'critical', message: `Loading this file imports os.system (GLOBAL at byte 2), which runs commands: ${DONT}.` }],
    },
    {
      name: 'a dotted name resolved from a harmless module (pathlib + os.system)',
      files: { 'm.pkl': callP4('pathlib', 'os.system', P.str('id')) },
      errors: [{ severity: 'critical', message: `Loading this file imports pathlib.os.system, which resolves to os.system (STACK_GLOBAL at byte 33), which runs commands: ${DONT}.` }],
    },
    {
      name: 'a Python 2 alias (__builtin__.eval, protocol 0)',
      files: { 'm.pkl': buildPickleCall({ protocol: 0, module: '__builtin__', name: 'eval', args: ['1'] }) },
      errors: [{ severity: 'critical', message: /^Loading this file imports __builtin__\.eval, which resolves to builtins\.eval \(GLOBAL at byte 0\), which evaluates code/ }],
    },
    {
      name: 'a module name read through the memo from a key that does not exist',
      files: { 'm.pkl': p4(P.binget(3), P.str('system'), P.stackGlobal, P.emptyTuple, P.reduce) },
      errors: [
        { severity: 'critical', message: /^Loading this file imports a global whose name is computed at load time \(STACK_GLOBAL at byte 21: the module operand reads missing memo key 3\); scanners cannot see/ },
      ],
    },
    {
      name: 'an attribute overwrite of an imported module (the sys.modules-style trick)',
      files: { 'm.pkl': p4(P.str('torch._utils'), P.str('x'), P.stackGlobal, P.emptyDict, P.str('x'), P.str('builtins'), P.setitem, P.build, P.pop, P.none) },
      errors: [
        { severity: 'critical', message: /^Loading this file overwrites attributes of the imported object torch\._utils\.x \(BUILD\/SETITEM at byte 44\)/ },
        { severity: 'medium', message: /imports a global on neither the allowlist nor the denylist: torch\._utils\.x;/ },
      ],
    },
    {
      name: 'a payload followed by a truncated tail keeps the finding and reports the break',
      files: { 'm.pkl': evalCall.subarray(0, evalCall.length - 4) },
      errors: [
        { severity: 'critical', message: /imports builtins\.eval/ },
        { severity: 'medium', message: /^The pickle stream breaks at byte \d+ \(the stream ends/ },
      ],
    },
    {
      name: 'a payload followed by garbage',
      files: { 'm.pkl': Buffer.concat([osSystem(4), Buffer.from('\xff\xfegarbage', 'latin1')]) },
      errors: [
        { severity: 'critical', message: /imports os\.system/ },
        { severity: 'low', message: /^Bytes that are not a complete pickle follow the last one, from byte \d+/ },
      ],
    },
    {
      name: 'an unknown global is medium and names the global',
      files: { 'clf.pkl': custom },
      errors: [{ severity: 'medium', message: "Loading this file imports a global on neither the allowlist nor the denylist: mypkg.models.Net; check what it does and add trusted ones to the rule's allow option." }],
    },
    {
      name: 'the unknown option raises that severity (strict teams)',
      files: { 'clf.pkl': custom },
      options: { unknown: 'high' },
      errors: [{ severity: 'high', message: /mypkg\.models\.Net/ }],
    },
    {
      name: 'a deny entry in the policy',
      files: { 'clf.pkl': custom },
      options: { deny: ['mypkg.*'] },
      errors: [{ severity: 'critical', message: /imports mypkg\.models\.Net \(GLOBAL at byte 2\)/ }],
    },
    {
      name: 'a PyTorch zip whose data.pkl calls eval',
      files: { 'model.pt': buildTorchZip({ dataPkl: evalCall }) },
      errors: [{ member: 'archive/data.pkl', severity: 'critical', message: /imports builtins\.eval/ }],
    },
    {
      name: 'a payload in an extra member with a harmless name, deflated',
      files: { 'model.bin': buildTorchZip({ extra: [{ name: 'archive/extra/readme.md', data: osSystem(2), method: 8 }] }) },
      errors: [{ member: 'archive/extra/readme.md', severity: 'critical', message: /imports os\.system/ }],
    },
    {
      name: 'a member flagged encrypted that is not, and a CRC mismatch: read anyway, each trick reported',
      files: { 'model.pt': buildZip([{ name: 'archive/data.pkl', data: evalCall, flags: 0x1, crc32: 0x1234 }]) },
      errors: [
        { severity: 'medium', message: /^The archive is malformed .*marks it encrypted.*CRC-32 mismatch/ },
        { member: 'archive/data.pkl', severity: 'critical', message: /imports builtins\.eval/ },
      ],
    },
    {
      name: 'a legacy torch file whose object pickle runs a command',
      files: { 'legacy.pt': buildTorchLegacy(osSystem(2)) },
      errors: [{ severity: 'critical', message: /imports os\.system \(GLOBAL at byte \d+\)/ }],
    },
    {
      name: 'an object .npy whose pickle runs a command',
      files: { 'x.npy': objectNpy(osSystem(2)) },
      errors: [{ severity: 'critical', message: /imports os\.system \(GLOBAL at byte 130\)/ }],
    },
    {
      name: 'an object member of a compressed .npz',
      files: { 'x.npz': buildNpz({ ok: buildNpy({ descr: '<f4', shape: [1] }), bad: objectNpy(evalCall) }, { method: 8 }) },
      errors: [{ member: 'bad.npy', severity: 'critical', message: /imports builtins\.eval/ }],
    },
    {
      name: 'a payload after the raw array bytes of a joblib dump',
      files: { 'model.joblib': buildJoblibDump([{ descr: '<f4', shape: [100], itemsize: 4 }, { descr: '|O', shape: [1], itemsize: 8 }], Buffer.concat([Buffer.from('cposix\nsystem\n'), Buffer.from([0x8c, 2]), Buffer.from('id'), Buffer.from([0x85, 0x52])])) },
      errors: [{ severity: 'critical', message: /imports posix\.system \(GLOBAL at byte \d+\), which runs commands/ }],
    },
    {
      name: 'a zlib-compressed joblib dump',
      files: { 'pipe.joblib': joblibZlib(osSystem(4)) },
      errors: [{ severity: 'critical', message: /imports os\.system/ }],
    },
    {
      name: 'a gzip-compressed pickle',
      files: { 'model.pkl.gz': joblibGzip(evalCall), 'weights.pt.gz': gzipSync(osSystem(2)) },
      errors: [
        { path: 'model.pkl.gz', severity: 'critical', message: /imports builtins\.eval/ },
        { path: 'weights.pt.gz', severity: 'critical', message: /imports os\.system/ },
      ],
    },
    {
      name: 'a 7z archive whose member is stored as LZMA2 uncompressed chunks',
      files: { 'bundle.7z': build7z(evalCall) },
      errors: [{ severity: 'critical', message: /imports builtins\.eval/ }],
    },
    {
      name: 'a compressed 7z, xz and bzip2 model is unscannable, never clean',
      files: { 'model.7z': build7z(evalCall, { compressed: true }), 'model.pt.xz': Buffer.from('fd377a585a000004e6d6b446', 'hex'), 'm.pkl.bz2': Buffer.from('BZh91AY&SY') },
      errors: [
        { path: 'm.pkl.bz2', severity: 'high', message: /^Cannot scan this file for code that runs when it is loaded: joblib dump compressed with a method/ },
        { path: 'model.7z', severity: 'medium', message: /^Cannot scan this file .*7z archive whose members are compressed/ },
        { path: 'model.pt.xz', severity: 'high', message: /^Cannot scan this file .*xz-compressed model file/ },
      ],
    },
    {
      name: 'a tar archive holding a pickle (legacy torch tar layout)',
      files: { 'ckpt.tar': buildTar({ sys_info: buildPickleValue({ a: 1 }, 2), pickle: osSystem(2) }) },
      errors: [{ member: 'pickle', severity: 'critical', message: /imports os\.system/ }],
    },
    {
      name: 'a gzip-compressed tar (model.tar.gz, SageMaker layout) holding a pickle, under any name',
      files: {
        'model.tar.gz': gzipSync(buildTar({ 'code/inference.py': 'print(1)\n', 'model.pth': osSystem(2) })),
        'bundle.tgz': gzipSync(buildTar({ 'weights.bin': osSystem(4) })),
      },
      errors: [
        { path: 'bundle.tgz', member: 'weights.bin', severity: 'critical', message: /imports os\.system/ },
        { path: 'model.tar.gz', member: 'model.pth', severity: 'critical', message: /imports os\.system/ },
      ],
    },
    {
      name: 'a nested pickle passed to pickle.loads',
      files: { 'm.pkl': p4(P.str('pickle'), P.str('loads'), P.stackGlobal, P.bytes(osSystem(2)), P.tuple1, P.reduce) },
      errors: [
        { severity: 'critical', message: /imports pickle\.loads \(STACK_GLOBAL at byte 26\), which loads another pickle/ },
        { severity: 'critical', message: /imports os\.system \(GLOBAL in a pickle nested in the call at byte 53\)/ },
      ],
    },
    {
      name: 'an import hidden behind a getattr chain of allowed names is still a computed call',
      files: { 'm.pkl': asm(P.proto(2), P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce, P.emptyTuple, P.reduce, P.stop) },
      errors: [{ severity: 'high', message: /^Loading this file calls an object computed at load time \(first at byte \d+, the result of collections\.OrderedDict\)/ }],
    },
  ],
});
