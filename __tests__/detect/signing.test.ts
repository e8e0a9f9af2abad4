import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDigests, parseModelSignature, verifySignature } from '../../src/detect/signing.js';
import { FormatError } from '../../src/formats/errors.js';
import { generateKey, keyBundle, statementFor } from '../helpers/model-signing.js';

/**
 * A keyless bundle recorded by sigstore/model-transparency (scripts/tests/v1.0.0-sigstore/model.sig,
 * Apache-2.0): signed through Sigstore's public-good instance by an IBM identity over two files whose
 * contents are their own names. Its certificate chains to the public-good Fulcio root, which this
 * repository does not ship, so its signature is checked against constructed trusted roots only.
 */
const here = dirname(fileURLToPath(import.meta.url));
const recorded = readFileSync(join(here, 'fixtures/model-transparency-v1.0.0-sigstore.model.sig'), 'utf8');
const emptyRoot = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-sign-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

describe('parseModelSignature', () => {
  it('reads the recorded keyless v1.0 bundle: statement, resources, keyless material', () => {
    const parsed = parseModelSignature(recorded);
    expect(parsed.keyless).toBe(true);
    expect(parsed.statement.predicateType).toBe('https://model_signing/signature/v1.0');
    expect(parsed.statement.resources.map((r) => r.path)).toEqual(['signme-1', 'signme-2']);
  });

  it('refuses what is not a model-signing bundle, with FormatError', () => {
    expect(() => parseModelSignature('not json')).toThrow(FormatError);
    expect(() => parseModelSignature('{"mediaType":"x"}')).toThrow(/not a valid Sigstore bundle/);
    const { privateKey } = generateKey();
    const other = { _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} };
    expect(() => parseModelSignature(keyBundle(other, privateKey))).toThrow(/not OpenSSF model signing/);
    const escaping = statementFor({ '../etc/passwd': 'x' });
    expect(() => parseModelSignature(keyBundle(escaping, privateKey))).toThrow(/leaves the model directory/);
  });

  it('refuses a statement whose subject digest does not match its files', () => {
    const { privateKey } = generateKey();
    const s = statementFor({ a: 'x' }) as { subject: Array<{ digest: { sha256: string } }> };
    s.subject[0].digest.sha256 = '0'.repeat(64);
    expect(() => parseModelSignature(keyBundle(s, privateKey))).toThrow(/subject digest does not match/);
  });
});

describe('verifySignature', () => {
  it('verifies a key-based bundle with the right public key and rejects others', () => {
    const key = generateKey();
    const parsed = parseModelSignature(keyBundle(statementFor({ 'w.bin': 'weights' }), key.privateKey));
    expect(verifySignature(parsed, { publicKeys: [key.publicPem], identities: [] })).toEqual({ ok: true });
    expect(verifySignature(parsed, { publicKeys: [generateKey().publicPem, key.publicPem], identities: [] })).toEqual({ ok: true });
    expect(verifySignature(parsed, { publicKeys: [generateKey().publicPem], identities: [] })).toEqual({ ok: false, reason: "its signature does not verify with any of the policy's 1 public key(s)" });
    expect(verifySignature(parsed, { publicKeys: [], identities: [] })).toMatchObject({ ok: false, reason: /names no public key/ });
  });

  it('rejects a payload changed after signing', () => {
    const key = generateKey();
    const parsed = parseModelSignature(keyBundle(statementFor({ 'w.bin': 'weights' }), key.privateKey, { tamperPayload: (s) => s.replace('"files"', '"files" ') }));
    expect(verifySignature(parsed, { publicKeys: [key.publicPem], identities: [] }).ok).toBe(false);
  });

  it('does not accept a keyless bundle without a trusted root, nor against a root that does not hold its CA and logs', () => {
    const parsed = parseModelSignature(recorded);
    expect(verifySignature(parsed, { publicKeys: [], identities: [] })).toMatchObject({ ok: false, reason: /no trusted root/ });
    const result = verifySignature(parsed, { trustedRoot: emptyRoot, publicKeys: [], identities: [{ issuer: 'https://sigstore.verify.ibm.com/oauth2', subject: 'stefanb@us.ibm.com' }] });
    expect(result).toMatchObject({ ok: false, reason: /^its signature does not verify against the trusted root/ });
    expect(verifySignature(parsed, { trustedRoot: { tlogs: 'nope' }, publicKeys: [], identities: [] })).toMatchObject({ ok: false });
  });
});

describe('checkDigests', () => {
  it('accepts the recorded bundle over the files it signed', async () => {
    const dir = tree({ 'signme-1': 'signme-1', 'signme-2': 'signme-2', 'model.sig': recorded });
    try {
      expect(await checkDigests(dir, parseModelSignature(recorded).statement, { signatureName: 'model.sig', maxBytes: 1e9 })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports changed, missing, unsigned and too-large files', async () => {
    const { privateKey } = generateKey();
    const statement = parseModelSignature(keyBundle(statementFor({ 'a.bin': 'aaaa', 'sub/b.bin': 'bbbb', 'c.bin': 'cccc', 'big.bin': 'x'.repeat(100) }), privateKey)).statement;
    const dir = tree({ 'a.bin': 'aaaa', 'sub/b.bin': 'BBBB', 'big.bin': 'x'.repeat(100), 'extra.pkl': 'p', 'model.sig': '{}' });
    try {
      const problems = await checkDigests(dir, statement, { signatureName: 'model.sig', maxBytes: 50 });
      expect(problems.map((p) => `${p.kind} ${p.path}`).sort()).toEqual(['mismatch sub/b.bin', 'missing c.bin', 'too-large big.bin', 'unsigned extra.pkl']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
