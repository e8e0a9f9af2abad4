import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, prepareSecretSearch, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

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
    docs: {
      examples: {
        bad: [
          {
            title: 'A deploy or signing key committed next to the code',
            lang: 'text',
            code: [
              'deploy/id_ed25519          # an OpenSSH private key file (BEGIN … PRIVATE KEY block)',
              'signing/model-signing.pem  # the key that signs released models',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The key is mounted at run time and only its path is in the repository',
            lang: 'python',
            file: 'src/sign.py',
            code: [
              'import os',
              '',
              'key_path = os.environ["MODEL_SIGNING_KEY_PATH"]   # a secret file mounted by CI',
              'with open(key_path, "rb") as f:',
              '    signing_key = f.read()',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'OpenSSF model signing', url: 'https://github.com/sigstore/model-transparency' },
        { title: 'GitHub Docs: about secret scanning', url: 'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning' },
        { title: 'GitHub Docs: removing sensitive data from a repository', url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository' },
        { title: 'gitleaks (the rule samples our tests compare with)', url: 'https://github.com/gitleaks/gitleaks' },
      ],
    },
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('private-key'),
    defaultOptions: { exclude: [] },
  },
  prepare: (ctx) => prepareSecretSearch(ctx),
  checkFile: (ctx) => reportFamily(ctx, 'private-key', 'critical'),
});
