// Governance (issue 9): the audit trail's SHA-256 of every model and dataset is the one full read of each
// file. A generated 2 GiB safetensors file (a valid header, then tensor bytes) is scanned by the bundled CLI
// and compared with the same scan of a 1 KiB model (the cost of everything but the hash), and with
// `openssl dgst -sha256` (the hashing limit) and `cat` (the reading limit) over the same bytes, in this run.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, timeCli, timeCommand } from './harness.mjs';

function writeSafetensors(path, dataBytes) {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [dataBytes / 4], data_offsets: [0, dataBytes] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const fd = openSync(path, 'w');
  writeSync(fd, len); writeSync(fd, header);
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeFloatLE((i % 997) / 997, i);
  for (let left = dataBytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  closeSync(fd);
  return 8 + header.length + dataBytes;
}

export default async function bench() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-gov-'));
  try {
    const big = join(dir, 'big'), small = join(dir, 'small');
    mkdirSync(big); mkdirSync(small);
    const bytes = writeSafetensors(join(big, 'model.safetensors'), 2 * 1024 ** 3);
    writeSafetensors(join(small, 'model.safetensors'), 1024);
    const file = join(big, 'model.safetensors');
    timeCommand('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file]); // warm the page cache for every row alike
    const scanBig = timeCli(['scan', big]);
    const scanSmall = timeCli(['scan', small]);
    const digest = scanBig.report?.audit?.artifacts?.[0]?.sha256 ?? 'none';
    printTable(`audit trail: SHA-256 of a ${(bytes / 1024 ** 3).toFixed(1)} GiB model (digest ${digest.slice(0, 12)}…)`, [
      ['ai-gate scan (2 GiB model, audit hash)', scanBig.seconds, bytes, scanBig.rss],
      ['ai-gate scan (1 KiB model: fixed cost)', scanSmall.seconds, 1024, scanSmall.rss],
      ['  difference: the hash itself', scanBig.seconds - scanSmall.seconds, bytes],
      ['openssl dgst -sha256 (hashing limit)', timeCommand('openssl', ['dgst', '-sha256', file]).seconds, bytes],
      ['sha256sum', timeCommand('sha256sum', [file]).seconds, bytes],
      ['cat > /dev/null (reading limit)', timeCommand('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file]).seconds, bytes],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
