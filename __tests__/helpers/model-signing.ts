import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * OpenSSF model-signing bundles built in the test: an in-toto statement over files, in a DSSE envelope signed
 * with a key generated here (ECDSA P-256, SHA-256, as `model_signing sign key` does), in a Sigstore bundle v0.3
 * with `publicKey` verification material. Layout from sigstore/model-transparency's v1.0 format.
 */
export function generateKey(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

export function statementFor(files: Record<string, string | Buffer>, opts: { ignorePaths?: string[]; name?: string } = {}): object {
  const resources = Object.entries(files).sort(([a], [b]) => a.localeCompare(b))
    .map(([name, content]) => ({ algorithm: 'sha256', digest: sha256(content), name }));
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: opts.name ?? 'model', digest: { sha256: root.digest('hex') } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ...(opts.ignorePaths ? { ignore_paths: opts.ignorePaths } : {}) },
      resources,
    },
  };
}

/** DSSE pre-authentication encoding (DSSE v1 spec). */
function pae(type: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]);
}

export function keyBundle(statement: object, privateKey: KeyObject, opts: { tamperPayload?: (s: string) => string } = {}): string {
  const type = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = sign('sha256', pae(type, payload), privateKey);
  const sent = opts.tamperPayload ? Buffer.from(opts.tamperPayload(payload.toString())) : payload;
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'test-key' }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
    dsseEnvelope: { payload: sent.toString('base64'), payloadType: type, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
  });
}
