import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/engine/logger.js';
import { TOOL_VERSION } from '../../src/meta.js';
import { hashStream } from '../../src/report/audit.js';
import { scan } from '../../src/scan.js';
import { writeTree } from '../helpers/rule-tester.js';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const model = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);
const csv = 'id,label\n1,a\n2,b\n';

async function scanTree(files: Record<string, string | Buffer>, policy?: string) {
  const root = mkdtempSync(join(tmpdir(), 'ai-gate-audit-'));
  try {
    writeTree(root, files);
    if (policy) writeFileSync(join(root, 'policy.yml'), policy);
    return await scan({ root: '.', cwd: root, logger: silentLogger, policyFile: policy ? 'policy.yml' : undefined, policyExplicit: Boolean(policy), today: '2026-01-01' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the audit trail in the report', () => {
  it('records the policy digest, the rule set, every model and dataset digest, and the verdict', async () => {
    const policy = 'extends: recommended\nfail-on: high\n';
    const report = await scanTree({ 'models/m.safetensors': model, 'data/train.csv': csv, 'src/x.py': 'print(1)\n' }, policy);
    const audit = report.audit!;
    expect(audit.policy).toEqual({ source: 'policy.yml', sha256: sha(policy), resolvedSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(audit.ruleSet).toEqual({ toolVersion: TOOL_VERSION, rulesEnabled: report.policy.rulesEnabled, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(audit.artifacts).toEqual([
      { path: 'data/train.csv', kind: 'dataset', format: 'csv', size: csv.length, sha256: sha(csv) },
      { path: 'models/m.safetensors', kind: 'model', format: 'safetensors', size: model.length, sha256: sha(model) },
    ]);
    expect(audit.verdict).toEqual({ passed: report.verdict.passed, failOn: 'high', blocking: report.verdict.counts.blocking });
  });

  it('gives a different rule-set digest when a rule setting changes, the same one otherwise', async () => {
    const a = await scanTree({ 'x.txt': 'x' }, 'extends: recommended\n');
    const b = await scanTree({ 'y.txt': 'y' }, 'extends: recommended\n');
    const c = await scanTree({ 'x.txt': 'x' }, 'extends: recommended\nrules:\n  data/pii: off\n');
    expect(a.audit!.ruleSet.sha256).toBe(b.audit!.ruleSet.sha256);
    expect(a.audit!.policy.resolvedSha256).toBe(b.audit!.policy.resolvedSha256);
    expect(c.audit!.ruleSet.sha256).not.toBe(a.audit!.ruleSet.sha256);
  });

  it('hashes in chunks, up to a limit, and says when it was cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gate-hash-'));
    try {
      const big = Buffer.alloc(9 * 1024 * 1024 + 7, 0x61);
      writeFileSync(join(dir, 'big.bin'), big);
      expect(await hashStream(join(dir, 'big.bin'), Infinity)).toEqual({ sha256: sha(big), bytes: big.length, truncated: false });
      expect(await hashStream(join(dir, 'big.bin'), 1000)).toEqual({ sha256: sha(big.subarray(0, 1000)), bytes: 1000, truncated: true });
      expect(await hashStream(join(dir, 'absent.bin'), 10)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
