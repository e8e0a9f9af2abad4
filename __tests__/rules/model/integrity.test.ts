import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rule from '../../../src/rules/model/integrity.js';
import { generateKey, keyBundle, sha256, statementFor } from '../../helpers/model-signing.js';
import { testRule } from '../../helpers/rule-tester.js';

const here = dirname(fileURLToPath(import.meta.url));
// Recorded by sigstore/model-transparency (scripts/tests/v1.0.0-sigstore/model.sig); see __tests__/detect/signing.test.ts.
const recorded = readFileSync(join(here, '../../detect/fixtures/model-transparency-v1.0.0-sigstore.model.sig'), 'utf8');

const key = generateKey();
const other = generateKey();
const weights = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);
const config = '{"hidden": 8}\n';
const signed = { 'models/m/model.safetensors': weights, 'models/m/config.json': config };
const bundle = keyBundle(statementFor({ 'model.safetensors': weights, 'config.json': config }), key.privateKey);
const keys = { 'public-keys': [key.publicPem] };

testRule(rule, {
  valid: [
    { name: 'a key-signed model directory that verifies', options: keys, files: { ...signed, 'models/m/model.sig': bundle } },
    { name: 'the public key given as a repository path', options: { 'public-keys': ['keys/release.pub'] }, files: { ...signed, 'models/m/model.sig': bundle, 'keys/release.pub': key.publicPem } },
    { name: 'nothing required and nothing signed', files: { 'models/x.safetensors': weights } },
    { name: 'a required signature that covers the model', options: { ...keys, 'require-signature': ['models/**'] }, files: { ...signed, 'models/m/model.sig': bundle } },
    { name: 'a required checksum listed in SHA256SUMS', options: { 'require-checksum': ['**/*.safetensors'] }, files: { 'models/x.safetensors': weights, 'models/SHA256SUMS': `${sha256(weights)}  x.safetensors\n` } },
    { name: 'a required checksum in FILE.sha256', options: { 'require-checksum': ['**/*.safetensors'] }, files: { 'models/x.safetensors': weights, 'models/x.safetensors.sha256': `${sha256(weights)}\n` } },
  ],
  invalid: [
    {
      name: 'a model changed after signing',
      options: keys,
      files: { ...signed, 'models/m/model.safetensors': Buffer.concat([weights, Buffer.from('  ')]), 'models/m/model.sig': bundle },
      errors: [{ path: 'models/m/model.safetensors', severity: 'high', message: /^models\/m\/model\.safetensors does not match its signed digest in models\/m\/model\.sig: [0-9a-f]{12}… instead of [0-9a-f]{12}…; re-sign the model/ }],
    },
    {
      name: 'an unsigned pickle dropped into a signed directory, and a missing signed file',
      options: keys,
      files: { 'models/m/model.safetensors': weights, 'models/m/extra.pkl': Buffer.from([0x80, 0x04, 0x4e, 0x2e]), 'models/m/model.sig': bundle },
      errors: [
        { path: 'models/m/extra.pkl', severity: 'high', message: 'models/m/extra.pkl sits in the signed model directory but models/m/model.sig does not list it; re-sign the model directory with it, or remove it.' },
        { path: 'models/m/model.sig', message: 'models/m/config.json is signed in models/m/model.sig but is not in the checkout; restore it, or re-sign the model directory.' },
      ],
    },
    {
      name: 'a bundle signed by a key the policy does not trust',
      options: { 'public-keys': [other.publicPem] },
      files: { ...signed, 'models/m/model.sig': bundle },
      errors: [{ path: 'models/m/model.sig', message: "The model signature models/m/model.sig does not verify: its signature does not verify with any of the policy's 1 public key(s). Re-sign the model, or fix the policy's trust settings." }],
    },
    {
      name: 'a key-based bundle with no key in the policy',
      files: { ...signed, 'models/m/model.sig': bundle },
      errors: [{ message: /does not verify: it is signed with a key, and the policy names no public key to verify it with\./ }],
    },
    {
      name: 'the recorded keyless bundle without a trusted root in the policy (its digests match)',
      files: { 'm/signme-1': 'signme-1', 'm/signme-2': 'signme-2', 'm/model.sig': recorded },
      errors: [{ path: 'm/model.sig', message: 'The model signature m/model.sig does not verify: it is a keyless (Sigstore) signature, and the policy supplies no trusted root to verify it against. Re-sign the model, or fix the policy\'s trust settings.' }],
    },
    {
      name: 'the recorded keyless bundle against a trusted root that does not hold its CA, with a changed file',
      options: { 'trusted-root': 'trust/root.json', identities: [{ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/*' }] },
      files: { 'm/signme-1': 'signme-1', 'm/signme-2': 'tampered', 'm/model.sig': recorded, 'trust/root.json': JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }) },
      errors: [
        { path: 'm/model.sig', message: /^The model signature m\/model\.sig does not verify: its signature does not verify against the trusted root \(/ },
        { path: 'm/signme-2', message: /^m\/signme-2 does not match its signed digest in m\/model\.sig: / },
      ],
    },
    {
      name: 'a trusted root the policy names that is not there',
      options: { 'trusted-root': 'trust/root.json' },
      files: { 'm/signme-1': 'signme-1', 'm/signme-2': 'signme-2', 'm/model.sig': recorded },
      errors: [
        { path: '.github/ai-gate.yml', message: "The policy's trusted root trust/root.json could not be read; keyless model signatures cannot be verified. Commit the Sigstore trusted_root.json there." },
        { path: 'm/model.sig', message: /no trusted root/ },
      ],
    },
    {
      name: 'a model.sig that is not a bundle',
      files: { 'models/a.safetensors': weights, 'models/model.sig': '-----BEGIN PGP SIGNATURE-----\n' },
      errors: [{ path: 'models/model.sig', message: /^models\/model\.sig is not a usable model-signing bundle: not JSON/ }],
    },
    {
      name: 'a model the policy requires to be signed, with no bundle',
      options: { 'require-signature': ['models/**'] },
      files: { 'models/a.safetensors': weights },
      errors: [{ path: 'models/a.safetensors', message: 'The policy requires models/a.safetensors to be signed, but no model-signing bundle (model.sig, *.sigstore, *.sigstore.json) in its folder or a parent lists it; sign the model directory (model_signing sign) and commit the bundle.' }],
    },
    {
      name: 'a model the policy requires in a checksum manifest, and one that does not match it',
      options: { 'require-checksum': ['**/*.safetensors'] },
      files: { 'models/a.safetensors': weights, 'models/b.safetensors': weights, 'models/SHA256SUMS': `${sha256('other')}  b.safetensors\n` },
      errors: [
        { path: 'models/a.safetensors', message: 'The policy requires models/a.safetensors to be listed in a checksum manifest, but no SHA256SUMS, a.safetensors.sha256 or a.safetensors.dvc beside it lists it; add one (sha256sum a.safetensors > a.safetensors.sha256).' },
        { path: 'models/b.safetensors', message: /^models\/b\.safetensors does not match models\/SHA256SUMS: its SHA-256 is/ },
      ],
    },
  ],
});
