import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { silentLogger } from '../../../src/engine/logger.js';
import rule from '../../../src/rules/data/checksum.js';
import { scan } from '../../../src/scan.js';
import { countingReads } from '../../helpers/count-reads.js';
import { testRule, writeTree } from '../../helpers/rule-tester.js';
import { tempDir } from '../../helpers/temp.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const csv = 'id,label\n1,a\n2,b\n';
const lfs = (content: string) => `version https://git-lfs.github.com/spec/v1\noid sha256:${sha(content)}\nsize ${content.length}\n`;

testRule(rule, {
  valid: [
    { name: 'SHA256SUMS that matches', files: { 'data/train.csv': csv, 'data/SHA256SUMS': `${sha(csv)}  train.csv\n` } },
    { name: 'binary-mode and BSD-style lines', files: { 'data/a.csv': csv, 'data/b.csv': 'x\n', 'data/SHA256SUMS': `${sha(csv)} *a.csv\nSHA256 (b.csv) = ${sha('x\n')}\n` } },
    { name: 'a bare hash in FILE.sha256', files: { 'data/train.csv': csv, 'data/train.csv.sha256': `${sha(csv)}\n` } },
    { name: 'a DVC file whose md5 matches', files: { 'data/train.csv': csv, 'data/train.csv.dvc': `outs:\n- md5: ${md5(csv)}\n  size: ${csv.length}\n  path: train.csv\n` } },
    { name: 'a DVC output that is not checked out', files: { 'data/big.parquet.dvc': `outs:\n- md5: ${md5('x')}\n  path: big.parquet\n` } },
    { name: 'an LFS pointer matching the manifest, not reported when report-lfs is off', options: { 'report-lfs': false }, files: { 'data/train.csv': lfs(csv), 'data/SHA256SUMS': `${sha(csv)}  train.csv\n` } },
  ],
  invalid: [
    {
      name: 'a changed dataset that no longer matches SHA256SUMS',
      files: { 'data/train.csv': `${csv}3,poison\n`, 'data/SHA256SUMS': `# release 1\n${sha(csv)}  train.csv\n` },
      errors: [{ path: 'data/SHA256SUMS', line: 2, severity: 'high', message: `data/train.csv does not match this manifest: its SHA-256 is ${sha(`${csv}3,poison\n`).slice(0, 12)}… but the manifest records ${sha(csv).slice(0, 12)}…. Update the manifest in this PR if the change is intended, or restore the file.` }],
    },
    {
      name: 'a DVC md5 mismatch points at the md5 line',
      files: { 'data/train.csv': 'changed\n', 'data/train.csv.dvc': `outs:\n- md5: ${md5(csv)}\n  size: ${csv.length}\n  path: train.csv\n` },
      errors: [{ path: 'data/train.csv.dvc', line: 2, message: /^data\/train\.csv does not match this manifest: its MD5 is/ }],
    },
    {
      name: 'an LFS pointer whose oid differs from the manifest',
      files: { 'data/train.csv': lfs('other'), 'data/SHA256SUMS': `${sha(csv)}  train.csv\n` },
      errors: [{ severity: 'high', message: /^data\/train\.csv is a Git LFS pointer whose oid [0-9a-f]{12}… differs from the manifest's [0-9a-f]{12}…; the content was not in the checkout and was not scanned/ }],
    },
    {
      name: 'an LFS pointer that matches is still reported as not scanned',
      files: { 'data/train.csv': lfs(csv), 'data/SHA256SUMS': `${sha(csv)}  train.csv\n` },
      errors: [{ severity: 'low', message: /^data\/train\.csv is a Git LFS pointer \(oid [0-9a-f]{12}…, 17 bytes\) that matches the manifest; its content was not in the checkout and was not scanned/ }],
    },
    {
      name: 'checksums listed in the dataset card',
      files: { 'data/README.md': `---\nlicense: mit\nchecksums:\n  train.csv: sha256:${sha(csv)}\n  dev.csv: ${md5('dev')}\n---\n`, 'data/train.csv': csv, 'data/dev.csv': 'changed' },
      errors: [{ path: 'data/README.md', message: /^data\/dev\.csv does not match this manifest: its MD5 is [0-9a-f]{12}… but the manifest records [0-9a-f]{12}…/ }],
    },
    {
      name: 'a manifest entry for a missing file, and one that escapes the root',
      files: { 'SHA256SUMS': `${sha(csv)}  gone.csv\n${sha(csv)}  ../../etc/passwd\n` },
      errors: [
        { path: 'SHA256SUMS', severity: 'medium', message: 'The checksum manifest has entries that could not be read (line 2 names a path outside the repository); those files were not verified. Fix the manifest.' },
        { path: 'SHA256SUMS', line: 1, severity: 'low', message: /^gone\.csv is listed in this manifest but is not in the checkout/ },
      ],
    },
  ],
});

describe('data/checksum in a scan: the audit\'s digest of a dataset is verified, not read again', () => {
  const rows = `id,text\n${Array.from({ length: 120_000 }, (_, i) => `${i},"row ${i}"`).join('\n')}\n`;

  async function scanCounting(manifest: string) {
    const root = tempDir('ai-gate-checksum-');
    writeTree(root, { 'data/big.csv': rows, 'data/SHA256SUMS': manifest });
    const { result: report, bytesRead } = await countingReads((p) => p.endsWith('big.csv'),
      () => scan({ root: '.', cwd: root, logger: silentLogger, policyExplicit: false, today: '2026-01-01' }));
    return { findings: report.findings.filter((f) => f.ruleId === 'data/checksum').map((f) => f.message), bytesRead };
  }

  it('matches and mismatches come from the one read of the file', async () => {
    const size = Buffer.byteLength(rows);
    expect(size).toBeGreaterThan(1024 * 1024);
    const good = await scanCounting(`${sha(rows)}  big.csv\n`);
    expect(good.findings).toEqual([]);
    const bad = await scanCounting(`${sha('other')}  big.csv\n`);
    expect(bad.findings).toEqual([expect.stringMatching(new RegExp(`^data/big\\.csv does not match this manifest: its SHA-256 is ${sha(rows).slice(0, 12)}`))]);
    // Discovery's look at its head, then the engine's one pass: not a second read for the checksum.
    for (const r of [good, bad]) expect(r.bytesRead).toBeLessThan(size + 256 * 1024);
  });
});
