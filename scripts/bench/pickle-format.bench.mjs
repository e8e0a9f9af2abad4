// Model files, per issue 4: a generated 2 GB PyTorch-style zip checkpoint (data.pkl of 20,000 tensors plus
// large stored tensor members) and a 200 MB raw pickle of ~20 million small opcodes, each scanned by the
// bundled CLI (model/unsafe-pickle reads every opcode of every pickle, model/serialization-format names the
// format). Baselines over the same bytes in the same run: sha256sum (the baseline), openssl dgst
// -sha256 (the hashing limit) and cat (the reading limit).
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { printTable, timeCli, timeCommand } from './harness.mjs';

const sstr = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([0x8c, b.length]), b]); };
const binint = (n) => { const b = Buffer.alloc(5); b[0] = 0x4a; b.writeInt32LE(n, 1); return b; };
const G = (m, n) => Buffer.from(`c${m}\n${n}\n`);

/** A protocol-2 state dict as torch.save writes it: OrderedDict of _rebuild_tensor_v2(persistent storage, ...). */
function stateDictPickle(tensors) {
  const parts = [Buffer.from([0x80, 0x02]), G('collections', 'OrderedDict'), Buffer.from(')R(')];
  for (let i = 0; i < tensors; i++) {
    parts.push(sstr(`layers.${i}.weight`), G('torch._utils', '_rebuild_tensor_v2'), Buffer.from('(('), sstr('storage'),
      G('torch', 'FloatStorage'), sstr(String(i % 4)), sstr('cpu'), binint(1024), Buffer.from('tQ'), binint(0),
      Buffer.from('('), binint(32), binint(32), Buffer.from('t('), binint(32), binint(1), Buffer.from([0x74, 0x89]),
      G('collections', 'OrderedDict'), Buffer.from(')RtR'));
  }
  parts.push(Buffer.from('u.'));
  return Buffer.concat(parts);
}

/** Writes a stored zip (zip64 where needed): archive/data.pkl, four tensor members of `tensorBytes` in all, version. */
function writeTorchZip(path, tensorBytes) {
  const fd = openSync(path, 'w');
  const central = [];
  let offset = 0;
  const put = (buf) => { writeSync(fd, buf); offset += buf.length; };
  // writeData returns the member's CRC-32, computed while writing (zlib.crc32, Node 20.15+).
  const member = (name, size, writeData) => {
    const nameBuf = Buffer.from(name);
    const zip64 = Buffer.alloc(20);
    zip64.writeUInt16LE(1, 0); zip64.writeUInt16LE(16, 2); zip64.writeBigUInt64LE(BigInt(size), 4); zip64.writeBigUInt64LE(BigInt(size), 12);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(45, 4);
    local.writeUInt32LE(0xffffffff, 18); local.writeUInt32LE(0xffffffff, 22); local.writeUInt16LE(nameBuf.length, 26); local.writeUInt16LE(20, 28);
    const at = offset;
    put(local); put(nameBuf); put(zip64);
    const crc = writeData();
    const cz = Buffer.alloc(28);
    cz.writeUInt16LE(1, 0); cz.writeUInt16LE(24, 2); cz.writeBigUInt64LE(BigInt(size), 4); cz.writeBigUInt64LE(BigInt(size), 12); cz.writeBigUInt64LE(BigInt(at), 20);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(45, 4); c.writeUInt16LE(45, 6); c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(0xffffffff, 20); c.writeUInt32LE(0xffffffff, 24); c.writeUInt16LE(nameBuf.length, 28); c.writeUInt16LE(cz.length, 30);
    c.writeUInt32LE(0xffffffff, 42);
    central.push(Buffer.concat([c, nameBuf, cz]));
  };
  const pkl = stateDictPickle(20_000);
  member('archive/data.pkl', pkl.length, () => { put(pkl); return crc32(pkl); });
  const chunk = Buffer.alloc(8 * 1024 * 1024, 0x3f);
  for (let k = 0; k < 4; k++) {
    const size = tensorBytes / 4;
    member(`archive/data/${k}`, size, () => {
      let crc = 0;
      for (let left = size; left > 0; left -= chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, left));
        put(part);
        crc = crc32(part, crc);
      }
      return crc;
    });
  }
  member('archive/version', 2, () => { put(Buffer.from('3\n')); return crc32(Buffer.from('3\n')); });
  const cdStart = offset;
  for (const c of central) put(c);
  const cdSize = offset - cdStart;
  const eocd64At = offset;
  const r = Buffer.alloc(56);
  r.writeUInt32LE(0x06064b50, 0); r.writeBigUInt64LE(44n, 4); r.writeUInt16LE(45, 12); r.writeUInt16LE(45, 14);
  r.writeBigUInt64LE(BigInt(central.length), 24); r.writeBigUInt64LE(BigInt(central.length), 32);
  r.writeBigUInt64LE(BigInt(cdSize), 40); r.writeBigUInt64LE(BigInt(cdStart), 48);
  put(r);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0); loc.writeBigUInt64LE(BigInt(eocd64At), 8); loc.writeUInt32LE(1, 16);
  put(loc);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(0xffff, 8); end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12); end.writeUInt32LE(0xffffffff, 16);
  put(end);
  closeSync(fd);
  return { bytes: offset, pickleBytes: pkl.length };
}

/**
 * A raw protocol-4 pickle of about `targetBytes`: a list filled in batches of 1,000 (MARK ... APPENDS, as
 * CPython's pickler batches) with short strings, 4-byte ints, floats and MEMOIZE, about 10 bytes per
 * opcode; an os.system import at the very end, so a scan must read every opcode to find it.
 */
function writeBigPickle(path, targetBytes) {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let ops = 0;
  const put = (b) => { writeSync(fd, b); bytes += b.length; };
  put(Buffer.from([0x80, 0x04, 0x5d, 0x94])); // PROTO 4, EMPTY_LIST, MEMOIZE
  ops += 3;
  const batchParts = [Buffer.from('(')];
  let batchOps = 1;
  const float = Buffer.from([0x47, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]); // BINFLOAT 1.0
  for (let i = 0; i < 1000; i++) {
    switch (i % 4) {
      case 0: batchParts.push(sstr(`token_${String(i).padStart(6, '0')}`)); batchOps++; break;
      case 1: batchParts.push(binint(i * 7919)); batchOps++; break;
      case 2: batchParts.push(sstr(`label_${String(i).padStart(6, '0')}`), ...(i % 8 === 2 ? [Buffer.from([0x94])] : [])); batchOps += i % 8 === 2 ? 2 : 1; break;
      default: batchParts.push(float); batchOps++; break;
    }
  }
  batchParts.push(Buffer.from('e'));
  batchOps++;
  const batch = Buffer.concat(batchParts);
  const block = Buffer.concat(Array.from({ length: 64 }, () => batch));
  while (bytes + block.length < targetBytes) { put(block); ops += 64 * batchOps; }
  put(Buffer.concat([Buffer.from('0'), sstr('os'), sstr('system'), Buffer.from([0x93]), sstr('id'), Buffer.from([0x85]), Buffer.from('R.')]));
  ops += 8;
  closeSync(fd);
  return { bytes, ops };
}

function baselines(file, bytes) {
  return [
    ['sha256sum (the issue\'s baseline)', timeCommand('sha256sum', [file]).seconds, bytes],
    ['openssl dgst -sha256 (hashing limit)', timeCommand('openssl', ['dgst', '-sha256', file]).seconds, bytes],
    ['cat > /dev/null (reading limit)', timeCommand('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file]).seconds, bytes],
  ];
}

const summary = (report, id) => (report?.findings ?? []).filter((f) => f.ruleId === id).map((f) => f.severity).join(',') || 'none';

export default async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-model-'));
  try {
    const zipDir = join(dir, 'zip');
    rmSync(zipDir, { recursive: true, force: true });
    await import('node:fs').then((fs) => fs.mkdirSync(zipDir));
    const zipFile = join(zipDir, 'model.pt');
    const zip = writeTorchZip(zipFile, 2 * 1024 * 1024 * 1024);
    const ours = timeCli(['scan', zipDir]);
    printTable(`2 GB PyTorch zip checkpoint, data.pkl of ${(zip.pickleBytes / 1e6).toFixed(1)} MB / 20,000 tensors (unsafe-pickle: ${summary(ours.report, 'model/unsafe-pickle')}; serialization-format: ${summary(ours.report, 'model/serialization-format')}; exit ${ours.code})`, [
      ['ai-gate scan (directory + every pickle opcode)', ours.seconds, zip.bytes, ours.rss],
      ...baselines(zipFile, zip.bytes),
    ]);
    rmSync(zipFile);

    const pklDir = join(dir, 'pkl');
    await import('node:fs').then((fs) => fs.mkdirSync(pklDir));
    const pklFile = join(pklDir, 'big.pkl');
    const pkl = writeBigPickle(pklFile, 200 * 1024 * 1024);
    const scan = timeCli(['scan', pklDir]);
    printTable(`200 MB raw pickle, ${(pkl.ops / 1e6).toFixed(1)} million opcodes, os.system at the end (unsafe-pickle: ${summary(scan.report, 'model/unsafe-pickle')}; exit ${scan.code})`, [
      ['ai-gate scan (every opcode, stack and memo)', scan.seconds, pkl.bytes, scan.rss],
      ...baselines(pklFile, pkl.bytes),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
