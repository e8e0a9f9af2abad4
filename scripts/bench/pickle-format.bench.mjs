// Model files: a large PyTorch-style zip checkpoint is classified and its directory read without reading the
// tensors. Baselines over the same bytes: openssl sha256 (the hashing limit) and cat (the reading limit).
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, timeCli, timeCommand } from './harness.mjs';

/** Writes a stored (uncompressed) zip: archive/data.pkl, one large archive/data/0, archive/version. */
function writeTorchZip(path, tensorBytes) {
  const fd = openSync(path, 'w');
  const central = [];
  let offset = 0;
  const put = (buf) => { writeSync(fd, buf); offset += buf.length; };
  const member = (name, size, writeData) => {
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(0, 14);
    local.writeUInt32LE(size, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(nameBuf.length, 26);
    const at = offset;
    put(local); put(nameBuf); writeData();
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6);
    c.writeUInt32LE(size, 20); c.writeUInt32LE(size, 24); c.writeUInt16LE(nameBuf.length, 28); c.writeUInt32LE(at, 42);
    central.push(Buffer.concat([c, nameBuf]));
  };
  const pkl = Buffer.from('8002636f6c6c656374696f6e730a4f726465726564446963740a71002952710131002e', 'hex');
  member('archive/data.pkl', pkl.length, () => put(pkl));
  const chunk = Buffer.alloc(8 * 1024 * 1024, 0x3f);
  member('archive/data/0', tensorBytes, () => { for (let left = tensorBytes; left > 0; left -= chunk.length) put(chunk.subarray(0, Math.min(chunk.length, left))); });
  member('archive/version', 2, () => put(Buffer.from('3\n')));
  const cdStart = offset;
  for (const c of central) put(c);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(central.length, 8); end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(offset - cdStart, 12); end.writeUInt32LE(cdStart, 16);
  put(end);
  closeSync(fd);
  return offset;
}

export default async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-model-'));
  try {
    const file = join(dir, 'model.pt');
    const bytes = writeTorchZip(file, 1024 * 1024 * 1024 * 1.5);
    const ours = timeCli(['scan', dir]);
    const found = ours.report?.findings.filter((f) => f.ruleId === 'model/serialization-format').length ?? 0;
    printTable(`1.5 GB PyTorch zip checkpoint (model/serialization-format findings: ${found}, exit ${ours.code})`, [
      ['ai-gate scan (classify + zip directory)', ours.seconds, bytes, ours.rss],
      ['openssl dgst -sha256 (hashing limit)', timeCommand('openssl', ['dgst', '-sha256', file]).seconds, bytes],
      ['cat > /dev/null (reading limit)', timeCommand('sh', ['-c', `cat "$1" > /dev/null`, 'sh', file]).seconds, bytes],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
