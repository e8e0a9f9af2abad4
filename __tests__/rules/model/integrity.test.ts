import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rule from '../../../src/rules/model/integrity.js';
import { generateKey, keyBundle, sha256, statementFor } from '../../helpers/model-signing.js';
import { testRule } from '../../helpers/rule-tester.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(join(here, '../../detect/fixtures', name));
// Recorded by sigstore/model-transparency (scripts/tests/v1.0.0-sigstore/model.sig), the two files it signs, and
// Sigstore's public-good trusted root (sigstore/root-signing targets/trusted_root.json); see
// __tests__/detect/fixtures/README.md.
const recorded = fixture('model-transparency-v1.0.0-sigstore.model.sig').toString('utf8');
const publicGood = fixture('sigstore-public-good.trusted_root.json');
const signme = { 'm/signme-1': fixture('signme-1'), 'm/signme-2': fixture('signme-2'), 'm/model.sig': recorded };
const signer = { issuer: 'https://sigstore.verify.ibm.com/oauth2', subject: 'stefanb@us.ibm.com' };
const keylessTrust = { 'trusted-root': 'trust/trusted_root.json', identities: [signer] };
const oneByteChanged = Buffer.from(fixture('signme-1'));
oneByteChanged[0] ^= 0x20;

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
    { name: 'the recorded keyless bundle over its files, verified against the public-good trusted root and its signer', options: keylessTrust, files: { ...signme, 'trust/trusted_root.json': publicGood } },
    {
      name: 'the recorded keyless bundle, its signer named by patterns, required to cover the files',
      options: { ...keylessTrust, identities: [{ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/*' }, { issuer: 'https://sigstore.verify.ibm.com/*', subject: '*@us.ibm.com' }], 'require-signature': ['m/**'] },
      files: { ...signme, 'trust/trusted_root.json': publicGood },
    },
    {
      name: 'a PR adding the recorded keyless model, the trusted root read from the base commit',
      options: keylessTrust,
      base: { 'trust/trusted_root.json': publicGood },
      files: { ...signme, 'trust/trusted_root.json': publicGood },
    },
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
      name: 'the recorded keyless bundle, verified, with one byte of a signed file changed',
      options: keylessTrust,
      files: { ...signme, 'm/signme-1': oneByteChanged, 'trust/trusted_root.json': publicGood },
      errors: [{ path: 'm/signme-1', severity: 'high', message: 'm/signme-1 does not match its signed digest in m/model.sig: 707690b314a6… instead of f6310066c732…; re-sign the model if the change is intended, or restore the file.' }],
    },
    {
      name: 'the recorded keyless bundle with a trusted root but no signer identities in the policy',
      options: { 'trusted-root': 'trust/trusted_root.json' },
      files: { ...signme, 'trust/trusted_root.json': publicGood },
      errors: [{ path: 'm/model.sig', severity: 'high', message: 'The model signature m/model.sig does not verify: it was signed by stefanb@us.ibm.com (issuer https://sigstore.verify.ibm.com/oauth2), but the policy names no signer identities, and anyone can get a Sigstore certificate for their own account; list the expected issuer and subject in model/integrity identities. Re-sign the model, or fix the policy\'s trust settings.' }],
    },
    {
      name: 'the recorded keyless bundle signed by someone other than the policy\'s signers',
      options: { ...keylessTrust, identities: [{ issuer: signer.issuer, subject: 'release-bot@us.ibm.com' }, { issuer: 'https://accounts.google.com', subject: signer.subject }] },
      files: { ...signme, 'trust/trusted_root.json': publicGood },
      errors: [{ path: 'm/model.sig', message: 'The model signature m/model.sig does not verify: it was signed by stefanb@us.ibm.com (issuer https://sigstore.verify.ibm.com/oauth2), who is not among the policy\'s 2 signer identities. Re-sign the model, or fix the policy\'s trust settings.' }],
    },
    {
      name: 'a PR that brings its own trusted root: only the base commit\'s counts',
      options: keylessTrust,
      base: {},
      files: { ...signme, 'trust/trusted_root.json': publicGood },
      errors: [
        { path: '.github/ai-gate.yml', message: "The policy's trusted root trust/trusted_root.json could not be read at the base commit; keyless model signatures cannot be verified. Commit the Sigstore trusted_root.json there." },
        { path: 'm/model.sig', message: /does not verify: it is a keyless \(Sigstore\) signature, and the policy supplies no trusted root/ },
      ],
    },
    {
      name: 'the recorded keyless bundle without a trusted root in the policy (its digests match)',
      files: signme,
      errors: [{ path: 'm/model.sig', message: 'The model signature m/model.sig does not verify: it is a keyless (Sigstore) signature, and the policy supplies no trusted root to verify it against. Re-sign the model, or fix the policy\'s trust settings.' }],
    },
    {
      name: 'the recorded keyless bundle against a trusted root that does not hold its CA, with a changed file',
      options: { 'trusted-root': 'trust/root.json', identities: [{ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/*' }] },
      files: { ...signme, 'm/signme-2': 'tampered', 'trust/root.json': JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }) },
      errors: [
        { path: 'm/model.sig', message: /^The model signature m\/model\.sig does not verify: its signature does not verify against the trusted root \(/ },
        { path: 'm/signme-2', message: /^m\/signme-2 does not match its signed digest in m\/model\.sig: / },
      ],
    },
    {
      name: 'a trusted root the policy names that is not there',
      options: { 'trusted-root': 'trust/root.json' },
      files: signme,
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
