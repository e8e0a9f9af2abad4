import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { PickleScanner, scanPickleBuffer, scanPickleStream, type PickleScan } from '../../src/formats/pickle.js';
import { makeClassifier, DEFAULT_ALLOW } from '../../src/formats/pickle-globals.js';
import { buildPickleCall, buildPickleValue, buildTorchStateDictPickle, buildTorchLegacy } from '../helpers/builders.js';
import { P, asm, callP4, p4 } from '../helpers/pickle-asm.js';

const names = (r: PickleScan): string[] => r.globals.map((g) => `${g.module}.${g.name}${g.resolved ? '' : '?'}`);

function scanSplit(buf: Buffer, cuts: number[]): PickleScan {
  const s = new PickleScanner();
  let last = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) { s.push(buf.subarray(last, c)); last = c; }
  s.push(buf.subarray(last));
  return s.end();
}

describe('PickleScanner: imports', () => {
  it.each([0, 1, 2, 3] as const)('finds GLOBAL in protocol %i', (protocol) => {
    const r = scanPickleBuffer(buildPickleCall({ protocol, module: 'os', name: 'system', args: ['id'] }));
    expect(names(r)).toEqual(['os.system']);
    expect(r.globals[0].opcode).toBe('GLOBAL');
    expect(r.pickles).toBe(1);
    expect(r.broken).toBeUndefined();
  });

  it.each([4, 5] as const)('finds STACK_GLOBAL inside a FRAME in protocol %i', (protocol) => {
    const r = scanPickleBuffer(buildPickleCall({ protocol, module: 'subprocess', name: 'Popen', args: ['id'] }));
    expect(names(r)).toEqual(['subprocess.Popen']);
    expect(r.globals[0]).toMatchObject({ opcode: 'STACK_GLOBAL', resolved: true, offset: 30 }); // PROTO 2 + FRAME 9 + 'subprocess' 12 + 'Popen' 7
    expect(r.protocol).toBe(protocol);
  });

  it('finds INST', () => {
    const r = scanPickleBuffer(buildPickleCall({ protocol: 0, module: '__builtin__', name: 'exec', args: ['1'], opcode: 'INST' }));
    expect(r.globals.map((g) => [g.module, g.name, g.opcode])).toEqual([['__builtin__', 'exec', 'INST']]);
  });

  it('resolves STACK_GLOBAL operands through the memo (MEMOIZE, BINPUT/BINGET, text PUT/GET)', () => {
    const viaMemoize = p4(P.str('os'), P.memoize, P.str('x'), P.memoize, P.pop, P.pop, P.binget(0), P.str('system'), P.stackGlobal, P.emptyTuple, P.reduce);
    expect(names(scanPickleBuffer(viaMemoize))).toEqual(['os.system']);
    const viaPut = asm(P.proto(2), P.binstring('posix'), P.binput(7), P.pop, P.binstring('system'), P.binput(9), P.pop,
      P.binget(7), P.binget(9), P.stackGlobal, P.emptyTuple, P.reduce, P.stop);
    expect(names(scanPickleBuffer(viaPut))).toEqual(['posix.system']);
    const text = asm(P.unicode0('nt'), P.put0(3), P.pop, P.get0(3), P.unicode0('system'), P.stackGlobal, P.none, P.tuple1, P.reduce, P.stop);
    expect(names(scanPickleBuffer(text))).toEqual(['nt.system']);
  });

  it('numbers MEMOIZE entries as the loader does after explicit PUTs', () => {
    // PUT 5 then MEMOIZE stores at len(memo) = 1, not at 6.
    const buf = p4(P.str('decoy'), P.binput(5), P.pop, P.str('os'), P.memoize, P.pop, P.binget(1), P.str('system'), P.stackGlobal, P.pop, P.none);
    expect(names(scanPickleBuffer(buf))).toEqual(['os.system']);
  });

  it('marks names that are not constant strings as unresolved, with the reason', () => {
    const intModule = p4(P.int1(42), P.str('system'), P.stackGlobal, P.pop, P.none);
    expect(scanPickleBuffer(intModule).globals[0]).toMatchObject({ resolved: false, why: 'the module operand is the integer 42, not a string' });
    const missing = p4(P.binget(3), P.str('system'), P.stackGlobal, P.pop, P.none);
    expect(scanPickleBuffer(missing).globals[0]).toMatchObject({ resolved: false, why: 'the module operand reads missing memo key 3' });
    const computed = p4(P.global('builtins', 'str'), P.str('o'), P.tuple1, P.reduce, P.str('system'), P.stackGlobal, P.pop, P.none);
    const g = scanPickleBuffer(computed).globals.find((x) => !x.resolved);
    expect(g?.why).toBe('the module operand is computed at load time by builtins.str');
    const ext = asm(P.proto(2), P.ext1(7), P.stop);
    expect(scanPickleBuffer(ext).globals[0]).toMatchObject({ opcode: 'EXT', resolved: false });
  });

  it('records BUILD applied to an imported object (attribute overwrite) and calls of computed callables', () => {
    const overwrite = p4(P.str('torch._utils'), P.str('x'), P.stackGlobal, P.emptyDict, P.str('x'), P.str('builtins'), P.setitem, P.build, P.pop, P.none);
    expect(scanPickleBuffer(overwrite).mutations.map((m) => m.target)).toEqual(['torch._utils.x']);
    const chain = p4(P.global('builtins', 'getattr'), P.global('os', 'path'), P.str('join'), P.tuple2, P.reduce, P.str('a'), P.tuple1, P.reduce);
    expect(scanPickleBuffer(chain).calls).toEqual([expect.objectContaining({ via: 'builtins.getattr' })]);
  });

  it('scans a pickle passed as bytes to pickle.loads (nested), protocol 4 and protocol 0 via _codecs.encode', () => {
    const inner = buildPickleCall({ protocol: 2, module: 'os', name: 'system', args: ['id'] });
    const outer = p4(P.str('pickle'), P.str('loads'), P.stackGlobal, P.bytes(inner), P.tuple1, P.reduce);
    const r = scanPickleBuffer(outer);
    expect(names(r)).toEqual(['pickle.loads', 'os.system']);
    expect(r.globals[1].depth).toBe(1);
    const outer0 = asm(P.global('pickle', 'loads'), P.mark, P.global('_codecs', 'encode'), P.mark, P.unicode0(inner.toString('latin1').replace(/\\/g, '\\u005c').replace(/\n/g, '\\u000a')), P.unicode0('latin1'), P.tuple, P.reduce, P.tuple, P.reduce, P.stop);
    expect(names(scanPickleBuffer(outer0))).toContain('os.system');
  });
});

describe('PickleScanner: streams', () => {
  it('reads back-to-back pickles and says which one held the import', () => {
    const buf = Buffer.concat([buildPickleValue({ a: 1 }, 2), buildPickleValue([1, 2], 4), buildPickleCall({ protocol: 3, module: 'os', name: 'system', args: ['id'] })]);
    const r = scanPickleBuffer(buf);
    expect(r.pickles).toBe(3);
    expect(r.globals[0]).toMatchObject({ module: 'os', name: 'system', pickle: 2 });
  });

  it('stops after maxPickles (a legacy torch file: raw storage bytes follow five pickles)', () => {
    const r = scanPickleBuffer(buildTorchLegacy(), { maxPickles: 5 });
    expect(r.pickles).toBe(5);
    expect(r.broken).toBeUndefined();
  });

  it('keeps findings made before a truncated tail, and reports the break', () => {
    const full = buildPickleCall({ protocol: 4, module: 'os', name: 'system', args: ['a long enough argument'] });
    const r = scanPickleBuffer(full.subarray(0, full.length - 12));
    expect(names(r)).toEqual(['os.system']);
    expect(r.broken?.message).toMatch(/ends/);
  });

  it('keeps findings made before garbage, and reports where the garbage starts', () => {
    const payload = buildPickleCall({ protocol: 2, module: 'os', name: 'system', args: ['id'] });
    const r = scanPickleBuffer(Buffer.concat([payload, Buffer.from([0xff, 0x00, 0x13, 0x37])]));
    expect(names(r)).toEqual(['os.system']);
    expect(r.trailing?.offset).toBe(payload.length);
    const mid = scanPickleBuffer(Buffer.concat([buildPickleCall({ protocol: 2, module: 'os', name: 'system', args: [] }).subarray(0, -1), Buffer.from([0xff])]));
    expect(names(mid)).toEqual(['os.system']);
    expect(mid.broken?.message).toMatch(/0xff.*is not a pickle opcode/);
  });

  it('is not fooled by FRAME lengths: an opcode may straddle the declared frame end, as the C loader allows', () => {
    const body = asm(P.str('os'), P.str('system'), P.stackGlobal, P.emptyTuple, P.reduce, P.stop);
    const lying = asm(P.proto(4), P.frame(3), body);
    expect(names(scanPickleBuffer(lying))).toEqual(['os.system']);
    const splitFrames = asm(P.proto(4), P.frame(2), P.str('os').subarray(0, 2), P.frame(99), P.str('os').subarray(2));
    expect(scanPickleBuffer(splitFrames).broken).toBeDefined();
  });

  it('rejects a GLOBAL whose name is not UTF-8 (the loader stops there)', () => {
    const r = scanPickleBuffer(Buffer.concat([Buffer.from('cmod\n'), Buffer.from([0xff, 0xfe, 0x0a])]));
    expect(r.globals).toEqual([]);
    expect(r.broken?.message).toMatch(/not UTF-8/);
  });

  it('reads protocol 5 out-of-band buffer opcodes and large BINBYTES8/BYTEARRAY8 arguments', () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const buf = p4(P.nextBuffer, P.readonlyBuffer, P.pop, P.bytes8(big), P.pop, P.bytearray8(big), P.pop, P.global('os', 'system'));
    const r = scanSplit(buf, [5, 1000, 2_000_000, 4_000_000, 6_000_000]);
    expect(names(r)).toEqual(['os.system']);
    expect(r.broken).toBeUndefined();
  });

  it('gives the same result however the stream is cut into chunks', () => {
    const sample = Buffer.concat([
      buildTorchStateDictPickle([{ name: 'w', shape: [2, 3] }, { name: 'b', shape: [3] }]),
      p4(P.str('os'), P.memoize, P.pop, P.binget(0), P.str('system'), P.stackGlobal, P.emptyTuple, P.reduce),
      asm(P.unicode0('posix'), P.unicode0('system'), P.stackGlobal, P.pop, P.none, P.stop),
    ]);
    const whole = scanPickleBuffer(sample);
    expect(names(whole)).toEqual(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'os.system', 'posix.system']);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: sample.length }), { maxLength: 12 }), (cuts) => {
      const r = scanSplit(sample, cuts);
      expect(names(r)).toEqual(names(whole));
      expect(r.pickles).toBe(whole.pickles);
    }), { numRuns: 200 });
  });

  it('never throws on random bytes and reports a break or a clean end', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
      async function* one() { yield Buffer.from(bytes); }
      const r = await scanPickleStream(one());
      expect(r.bytes).toBeLessThanOrEqual(bytes.length);
    }), { numRuns: 300 });
  });

  it('bounds the memo: a STACK_GLOBAL that reads an entry past the bound is unresolved and marked bounded', () => {
    const n = 500_001;
    const one = Buffer.from([0x8c, 0x02, 0x6f, 0x73, 0x94, 0x30]); // 'os' MEMOIZE POP
    const r = scanPickleBuffer(asm(P.proto(4), Buffer.concat(Array.from({ length: n }, () => one)), P.longBinget(n - 1), P.str('system'), P.stackGlobal, P.stop));
    expect(r.globals).toEqual([expect.objectContaining({ resolved: false, bounded: true, why: 'the module operand is a memo entry the scan did not keep (more than 500000 memoized values)' })]);
    expect(r.bounded).toBe(false);
    const early = scanPickleBuffer(asm(P.proto(4), Buffer.concat(Array.from({ length: n }, () => one)), P.longBinget(5), P.str('system'), P.stackGlobal, P.stop));
    expect(names(early)).toEqual(['os.system']);
  });

  it('keeps memory bounded for a long flat list (runs of plain values are counted, not stored)', () => {
    const n = 300_000;
    const items = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) { items[2 * i] = 0x4b; items[2 * i + 1] = i & 0xff; }
    const r = scanPickleBuffer(asm(P.proto(2), P.emptyList, P.mark, items, P.appends, P.stop));
    expect(r.opcodes).toBe(n + 5);
    expect(r.broken).toBeUndefined();
  });
});

describe('classifier', () => {
  const c = makeClassifier(DEFAULT_ALLOW);
  it.each([
    ['os', 'system', 'runs commands'], ['posix', 'system', 'runs commands'], ['builtins', 'eval', 'evaluates code'],
    ['__builtin__', 'getattr', 'evaluates code'], ['cPickle', 'loads', 'loads another pickle or model'],
    ['urllib2', 'urlopen', 'opens network connections'], ['urllib', 'urlopen', 'opens network connections'],
    ['pathlib', 'os.system', 'runs commands'], ['torch', 'os.system', 'runs commands'], ['os.path', 'join', 'runs commands'],
    ['idlelib.pyshell', 'ModifiedInterpreter.runcode', 'evaluates code'], ['importlib', 'import_module', 'imports modules'],
    ['pkgutil', 'resolve_name', 'imports modules'], ['sys', 'modules', 'controls the interpreter'],
  ])('denies %s.%s (%s)', (module, name, category) => {
    expect(c.classify(module, name)).toMatchObject({ level: 'deny', category });
  });

  it.each([
    ['torch._utils', '_rebuild_tensor_v2'], ['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['numpy.core.multiarray', '_reconstruct'],
    ['numpy', 'dtype'], ['sklearn.linear_model._logistic', 'LogisticRegression'], ['copy_reg', '_reconstructor'], ['__builtin__', 'set'],
  ])('allows %s.%s', (module, name) => {
    expect(c.classify(module, name).level).toBe('allow');
  });

  it('calls everything else unknown, and policy entries extend both lists', () => {
    expect(c.classify('mypkg.models', 'Net').level).toBe('unknown');
    expect(c.classify('torch._utils', '_rebuild_tensor_v2.os').level).toBe('unknown');
    const custom = makeClassifier([...DEFAULT_ALLOW, 'mypkg.*'], ['numpy.ndarray']);
    expect(custom.classify('mypkg.models', 'Net').level).toBe('allow');
    expect(custom.classify('numpy', 'ndarray').level).toBe('deny');
  });
});
