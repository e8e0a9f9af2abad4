import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FormatError, type ReadAt } from '../../src/formats/errors.js';
import { readGgufHeader } from '../../src/formats/gguf.js';
import { npyHeaderEnd, parseNpyHeader } from '../../src/formats/npy.js';
import { readOnnxModel } from '../../src/formats/onnx.js';
import { openParquet, parquetRows } from '../../src/formats/parquet.js';
import { scanPickleBuffer } from '../../src/formats/pickle.js';
import { readSafetensorsHeader } from '../../src/formats/safetensors.js';
import { bufferReadAt, readZipDirectory, readZipMember } from '../../src/formats/zip.js';
import {
  buildNpy, buildPickleCall, buildPickleValue, buildTorchStateDictPickle, buildTorchZip, buildZip,
} from '../helpers/builders.js';
import { buildGguf, buildOnnx, buildSafetensors, onnxGraph, onnxTensor } from '../helpers/model-builders.js';
import { writeParquet } from '../helpers/parquet-writer.js';

/**
 * Property tests for every binary parser: mutated valid files (byte flips, absurd 8-byte lengths, inserted and
 * deleted runs, truncation) and plain random bytes. A parser may accept the input or throw FormatError;
 * any other exception, or a run that does not end, is a bug. A fixed short budget and seed in CI;
 * FUZZ_RUNS=20000 FUZZ_SEED=<n> runs longer by hand.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const HANG_MS = 10_000;

type Edit = { op: 'set' | 'insert' | 'delete' | 'huge' | 'zero' | 'truncate'; at: number; byte: number; len: number };

const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('set', 'insert', 'delete', 'huge', 'zero', 'truncate'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 64 }),
}) as fc.Arbitrary<Edit>;

function apply(seed: Buffer, edits: readonly Edit[]): Buffer {
  let buf = Buffer.from(seed);
  for (const e of edits) {
    if (buf.length === 0) break;
    const at = e.at % buf.length;
    if (e.op === 'set') buf[at] = e.byte;
    else if (e.op === 'insert') buf = Buffer.concat([buf.subarray(0, at), Buffer.alloc(e.len, e.byte), buf.subarray(at)]);
    else if (e.op === 'delete') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + e.len)]);
    else if (e.op === 'huge') buf.fill(e.byte & 1 ? 0xff : 0x7f, at, Math.min(buf.length, at + 8));
    else if (e.op === 'zero') buf.fill(0, at, Math.min(buf.length, at + e.len));
    else buf = buf.subarray(0, at);
  }
  return buf;
}

/** Mutations of the given valid files, plus random bytes behind a valid magic and wholly random bytes. */
function inputs(seeds: Buffer[]): fc.Arbitrary<Buffer> {
  const magic = seeds[0].subarray(0, 8);
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([s, e]) => apply(s, e)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.concat([magic, Buffer.from(b)])) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  );
}

/** Counts the reads a parser makes, so that a parser looping on reads is caught as a hang. */
function countingReadAt(buf: Buffer): ReadAt & { bytes: number } {
  const inner = bufferReadAt(buf);
  const read = (async (offset: number, length: number) => {
    const out = await inner(offset, length);
    read.bytes += out.length;
    if (read.bytes > 64 * 1024 * 1024) throw new Error(`read more than 64 MiB from a ${buf.length}-byte input`);
    return out;
  }) as ReadAt & { bytes: number };
  read.bytes = 0;
  return read;
}

async function fuzz(seeds: Buffer[], parse: (buf: Buffer) => unknown): Promise<void> {
  await fc.assert(
    fc.asyncProperty(inputs(seeds), async (buf) => {
      try {
        await parse(buf);
      } catch (error) {
        if (!(error instanceof FormatError)) throw new Error(`not a FormatError on ${buf.length} bytes (${buf.subarray(0, 64).toString('hex')}…): ${(error as Error)?.stack ?? error}`);
      }
    }),
    { numRuns: RUNS, seed: SEED, timeout: HANG_MS, endOnFailure: true, includeErrorInReport: true },
  );
}

const pickles = [
  buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 2 }),
  buildPickleCall({ module: 'builtins', name: 'eval', args: ['1'], protocol: 4 }),
  buildPickleCall({ module: 'os', name: 'system', args: ['id'], protocol: 0, opcode: 'INST' }),
  buildPickleValue({ a: [1, 'x', null, true], b: { c: 2.5 } } as never, 5),
  buildTorchStateDictPickle([{ name: 'w', shape: [2, 3] }]),
];

describe('fuzz: binary parsers take any bytes without crashing or hanging', () => {
  it('pickle', async () => {
    await fuzz(pickles, (buf) => scanPickleBuffer(buf));
  });

  it('zip (directory and members)', async () => {
    const seeds = [buildTorchZip(), buildZip([{ name: 'a.txt', data: 'hello', method: 8 }, { name: 'b/c.pkl', data: pickles[0] }]),
      buildZip([{ name: 'x', data: 'y', dataDescriptor: true }], { zip64: true })];
    await fuzz(seeds, async (buf) => {
      const read = countingReadAt(buf);
      const dir = await readZipDirectory(read, buf.length);
      for (const entry of dir.entries.slice(0, 16)) await readZipMember(read, buf.length, entry, 1024 * 1024);
    });
  });

  it('safetensors', async () => {
    const seeds = [buildSafetensors({ __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, 16),
      buildSafetensors({ a: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] }, b: { dtype: 'I8', shape: [3], data_offsets: [2, 5] } }, 5)];
    await fuzz(seeds, (buf) => readSafetensorsHeader(countingReadAt(buf), buf.length));
  });

  it('GGUF', async () => {
    const seeds = [buildGguf([['general.architecture', 'llama'], ['tokenizer.chat_template', '{{ messages }}'], ['n', 7], ['ok', true]]),
      buildGguf([['tokenizer.ggml.tokens', ['a', 'b', 'c']], ['ids', { u32Array: [1, 2, 3] }]], { version: 2 }),
      buildGguf([['general.name', 'x']], { version: 1 })];
    await fuzz(seeds, (buf) => readGgufHeader(countingReadAt(buf), buf.length));
  });

  it('npy', async () => {
    const seeds = [buildNpy({ descr: '<f4', shape: [2, 3] } as never), buildNpy({ descr: [['a', '<i4'], ['b', '|O']], shape: [1] } as never)];
    await fuzz(seeds, (buf) => {
      const end = npyHeaderEnd(buf);
      return parseNpyHeader(buf.subarray(0, Math.max(0, Math.min(end, buf.length))));
    });
  });

  it('ONNX', async () => {
    const seeds = [buildOnnx(onnxGraph([{ op: 'Relu' }, { op: 'Loop', subgraph: onnxGraph([{ op: 'Add' }]) }], [onnxTensor('w', { location: 'w.bin' })])),
      buildOnnx(onnxGraph([{ op: 'Custom', domain: 'com.evil' }]), { opsets: [['', 17], ['com.evil', 1]], functionDomain: 'x.y' })];
    await fuzz(seeds, (buf) => readOnnxModel(countingReadAt(buf), buf.length));
  });

  it('Parquet wrapper (footer and rows)', async () => {
    const seeds = [writeParquet({ id: [1, 2, 3], text: ['a', 'bb', 'ccc'] }), writeParquet({ x: [1.5, 2.5], s: ['p', 'q'] }, { rowGroupSize: 1 })];
    await fuzz(seeds, async (buf) => {
      const pf = await openParquet(countingReadAt(buf), buf.length);
      let n = 0;
      for await (const _row of parquetRows(pf, pf.rowGroups.map((g) => g.index))) if (++n > 10_000) break;
    });
  });

  it('the harness itself catches a parser that throws something other than FormatError', async () => {
    await expect(fuzz([Buffer.from('seed')], () => { throw new TypeError('boom'); })).rejects.toThrow(/not a FormatError.*boom/);
  });
});
