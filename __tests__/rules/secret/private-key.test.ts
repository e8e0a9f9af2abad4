import rule from '../../../src/rules/secret/private-key.js';
import { redact } from '../../../src/engine/redact.js';
import { testRule } from '../../helpers/rule-tester.js';
import { fake } from '../../helpers/secrets.js';

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable.';
const key = fake.privateKey(41);
const sshKey = fake.privateKey(42, 'OPENSSH ');
/** A text file of more than one read chunk (4 MiB) with a key straddling the first chunk boundary. */
const filler = 'x,y,z\n'.repeat(Math.ceil((4 * 1024 * 1024 - 200) / 6));
const big = filler + key + '\n' + 'a,b,c\n'.repeat(1000);

testRule(rule, {
  valid: [
    { name: 'a PEM header with no key body in docs', files: { 'docs/tls.md': 'Paste your key:\n\n```\n-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n```\n' } },
    { name: 'a public key or certificate', files: { 'cert.pem': `-----BEGIN CERTIFICATE-----\n${fake.pemBody(43)}\n-----END CERTIFICATE-----\n` } },
  ],
  invalid: [
    {
      name: 'an RSA key committed as a file',
      files: { 'deploy/id_rsa.pem': key + '\n' },
      errors: [{ line: 1, column: 1, severity: 'critical', message: `Private key ${redact(key)} (private-key): ${ACTION}` }],
    },
    {
      name: 'an OpenSSH key pasted into a Python string',
      files: { 'scripts/upload.py': `KEY = """\n${sshKey}\n"""\n` },
      errors: [{ line: 2, message: `Private key ${redact(sshKey)} (private-key): ${ACTION}` }],
    },
    {
      name: 'a key past the first 4 MiB of a large text file, across a read-chunk boundary',
      files: { 'data/big.csv': big },
      errors: [{ line: filler.split('\n').length, message: `Private key ${redact(key)} (private-key): ${ACTION}` }],
    },
  ],
});
