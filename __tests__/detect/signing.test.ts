import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
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
 * contents are their own names, logged in Rekor on 2025-05-03. It is verified against Sigstore's real
 * public-good trusted root (sigstore/root-signing targets/trusted_root.json, commit cdc6d42e; see
 * fixtures/README.md), and against copies of that root with parts removed.
 */
const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(join(here, 'fixtures', name), 'utf8');
const recorded = fixture('model-transparency-v1.0.0-sigstore.model.sig');
const publicGood = JSON.parse(fixture('sigstore-public-good.trusted_root.json')) as Record<string, any>;
const emptyRoot = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
// The signer, as its Fulcio certificate names it (the subject is checked against the certificate below).
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';
const SUBJECT = 'stefanb@us.ibm.com';
const SIGNER = `${SUBJECT} (issuer ${ISSUER})`;

/** The public-good root with some of its parts changed. */
function rootWith(change: (root: Record<string, any>) => void): Record<string, any> {
  const root = structuredClone(publicGood);
  change(root);
  return root;
}

/** The recorded bundle with its JSON changed. */
function recordedWith(change: (bundle: Record<string, any>) => void): string {
  const bundle = JSON.parse(recorded) as Record<string, any>;
  change(bundle);
  return JSON.stringify(bundle);
}

const keyless = (identities: Array<{ issuer: string; subject: string }>, trustedRoot: unknown = publicGood) => ({ trustedRoot, publicKeys: [], identities });

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

  it('does not accept a keyless bundle without a trusted root, nor against a root that is empty or not a trusted root', () => {
    const parsed = parseModelSignature(recorded);
    expect(verifySignature(parsed, { publicKeys: [], identities: [] })).toMatchObject({ ok: false, reason: /no trusted root/ });
    expect(verifySignature(parsed, keyless([{ issuer: ISSUER, subject: SUBJECT }], emptyRoot))).toMatchObject({ ok: false, reason: /^its signature does not verify against the trusted root/ });
    expect(verifySignature(parsed, keyless([{ issuer: ISSUER, subject: SUBJECT }], { tlogs: 'nope' }))).toMatchObject({ ok: false });
  });
});

describe('verifySignature: the recorded keyless bundle against the public-good trusted root', () => {
  const parsed = parseModelSignature(recorded);

  it('names the signer the certificate names', () => {
    const cert = JSON.parse(recorded).verificationMaterial.certificate.rawBytes as string;
    expect(new X509Certificate(Buffer.from(cert, 'base64')).subjectAltName).toBe(`email:${SUBJECT}`);
  });

  it('verifies, and accepts the signer named exactly', () => {
    expect(verifySignature(parsed, keyless([{ issuer: ISSUER, subject: SUBJECT }]))).toEqual({ ok: true, issuer: ISSUER, subject: SUBJECT });
  });

  it('accepts the signer through `*` patterns, and when any one of several identities matches', () => {
    for (const id of [
      { issuer: ISSUER, subject: '*@us.ibm.com' },
      { issuer: 'https://sigstore.verify.ibm.com/*', subject: 'stefanb@*' },
      { issuer: '*ibm.com/oauth2', subject: '*' + SUBJECT },
    ]) expect(verifySignature(parsed, keyless([id]))).toEqual({ ok: true, issuer: ISSUER, subject: SUBJECT });
    const two = keyless([{ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/*' }, { issuer: ISSUER, subject: SUBJECT }]);
    expect(verifySignature(parsed, two)).toMatchObject({ ok: true });
  });

  it('refuses a keyless signature when the policy names no signer: anyone can get a certificate', () => {
    expect(verifySignature(parsed, keyless([]))).toEqual({
      ok: false,
      reason: `it was signed by ${SIGNER}, but the policy names no signer identities, and anyone can get a Sigstore certificate for their own account; list the expected issuer and subject in model/integrity identities`,
    });
  });

  it('refuses a wrong subject or a wrong issuer, naming who signed', () => {
    expect(verifySignature(parsed, keyless([{ issuer: ISSUER, subject: 'someone-else@us.ibm.com' }]))).toEqual({ ok: false, reason: `it was signed by ${SIGNER}, who is not among the policy's 1 signer identity` });
    expect(verifySignature(parsed, keyless([{ issuer: 'https://accounts.google.com', subject: SUBJECT }, { issuer: 'https://github.com/login/oauth', subject: SUBJECT }])))
      .toEqual({ ok: false, reason: `it was signed by ${SIGNER}, who is not among the policy's 2 signer identities` });
  });

  it('does not let a pattern match more than it anchors, nor a bare `*` match anyone', () => {
    for (const id of [
      { issuer: ISSUER, subject: '*@ibm.com' },
      { issuer: ISSUER, subject: 'stefanb' },
      { issuer: 'https://sigstore.verify.ibm.com', subject: SUBJECT },
      { issuer: ISSUER, subject: '*' },
      { issuer: '**', subject: SUBJECT },
      { issuer: ISSUER, subject: 'stefanb@us.ibm.co.' },
    ]) expect(verifySignature(parsed, keyless([id]))).toMatchObject({ ok: false, reason: /who is not among the policy's 1 signer identity$/ });
  });

  it('rejects a statement changed after signing', () => {
    const changed = parseModelSignature(recordedWith((b) => {
      const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
      statement.subject[0].name = 'another-model';
      b.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    }));
    expect(changed.statement.resources.map((r) => r.digest)).toEqual(parsed.statement.resources.map((r) => r.digest));
    expect(verifySignature(changed, keyless([{ issuer: ISSUER, subject: SUBJECT }]))).toEqual({ ok: false, reason: 'its signature does not verify against the trusted root (DSSE payload hash mismatch)' });
  });

  it('rejects a changed signature', () => {
    const changed = parseModelSignature(recordedWith((b) => {
      const sig = Buffer.from(b.dsseEnvelope.signatures[0].sig, 'base64');
      sig[sig.length - 1] ^= 1;
      b.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    }));
    expect(verifySignature(changed, keyless([{ issuer: ISSUER, subject: SUBJECT }]))).toMatchObject({ ok: false, reason: /^its signature does not verify against the trusted root \(/ });
  });

  it('rejects it against a root without its Fulcio CA, its Rekor key or its CT log key, or whose CA was not valid then', () => {
    const id = [{ issuer: ISSUER, subject: SUBJECT }];
    // Each fails for its own reason (the message @sigstore/verify gives), not for some other defect of the copy.
    const broken: Array<[string, Record<string, any>, string]> = [
      ['no Fulcio CA', rootWith((r) => { r.certificateAuthorities = r.certificateAuthorities.slice(0, 1); }), 'Failed to verify certificate chain'],
      ['CA expired before 2025', rootWith((r) => { r.certificateAuthorities[1].validFor.end = '2024-12-31T00:00:00.000Z'; }), 'Failed to verify certificate chain'],
      ['no Rekor key', rootWith((r) => { r.tlogs = []; }), 'inclusion promise could not be verified'],
      ['another Rekor key', rootWith((r) => { r.tlogs[0].publicKey.rawBytes = r.ctlogs[1].publicKey.rawBytes; }), 'inclusion promise could not be verified'],
      ['no CT log of 2022', rootWith((r) => { r.ctlogs = r.ctlogs.slice(0, 1); }), 'SCT verification failed'],
    ];
    for (const [what, root, why] of broken) {
      expect({ what, result: verifySignature(parsed, keyless(id, root)) }).toEqual({ what, result: { ok: false, reason: `its signature does not verify against the trusted root (${why})` } });
    }
  });
});

describe('checkDigests', () => {
  it('accepts the recorded bundle over the files it signed', async () => {
    const dir = tree({ 'signme-1': fixture('signme-1'), 'signme-2': fixture('signme-2'), 'model.sig': recorded });
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

  it('takes whole-file SHA-256s the scan already computed instead of reading the files again, unless cut at the read limit', async () => {
    const { privateKey } = generateKey();
    const statement = parseModelSignature(keyBundle(statementFor({ 'a.bin': 'aaaa', 'b.bin': 'bbbb' }), privateKey)).statement;
    const dir = tree({ 'a.bin': 'aaaa', 'b.bin': 'bbbb', 'model.sig': '{}' });
    try {
      const asked: string[] = [];
      // What the scan says a.bin holds wins over the bytes on disk; b.bin's digest was cut, so b.bin is read.
      const known = async (path: string) => {
        asked.push(path);
        return path === 'a.bin' ? { sha256: 'f'.repeat(64), size: 4, truncated: false } : { sha256: '0'.repeat(64), size: 4, truncated: true };
      };
      const problems = await checkDigests(dir, statement, { signatureName: 'model.sig', maxBytes: 1e9, known });
      expect(asked.sort()).toEqual(['a.bin', 'b.bin']);
      expect(problems.map((p) => `${p.kind} ${p.path} ${p.kind === 'mismatch' ? p.actual : ''}`)).toEqual([`mismatch a.bin ${'f'.repeat(64)}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
