import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

export default defineRule<FamilyOptions>({
  meta: {
    id: 'secret/private-key',
    description: 'A PEM private key (RSA, EC, OpenSSH, PKCS#8 or PGP) is committed.',
    help: [
      'A private key signs or decrypts as its owner: an SSH deploy key opens the servers or repositories it is',
      'authorised on, a TLS key lets anyone impersonate the model endpoint, a signing key lets them sign model',
      'artifacts your pipeline trusts. Keys are found in any text file, also inside JSON strings with escaped',
      'newlines and in notebook outputs. A stub (`-----BEGIN PRIVATE KEY-----` with no key body) is not reported.',
      '',
      detectorsHelp('private-key'),
      '',
      '**Remediation**: treat the key as compromised: revoke it (remove the deploy key, reissue the certificate,',
      'rotate the signing key), remove it from the branch and its history, and load keys at run time from a secret',
      'store or the CI\'s secrets. Test keys generated for a test can be created by the test itself instead of',
      'being committed.',
    ].join('\n'),
    defaultSeverity: 'critical',
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('private-key'),
    defaultOptions: { exclude: [] },
  },
  checkFile: (ctx) => reportFamily(ctx, 'private-key', 'critical'),
});
