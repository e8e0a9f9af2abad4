import rule from '../../../src/rules/data/sensitive-unencrypted.js';
import { redact } from '../../../src/engine/redact.js';
import { testRule } from '../../helpers/rule-tester.js';

const csv = 'id,text\n1,hello\n2,world\n';
const withEmail = 'id,contact\n1,jane.doe@example.com\n2,john.roe@example.org\n';
const sopsYaml = 'rows: ENC[AES256_GCM,data:q2x8,iv:AAAA,tag:BBBB,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:zz]\n  version: 3.9.0\n';
const sensitiveCard = '---\nlicense: cc-by-4.0\nsensitive: true\n---\n# Patients\n';
const gitCrypt = Buffer.concat([Buffer.from('\0GITCRYPT\0', 'latin1'), Buffer.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77])]);
// An OpenPGP new-format packet, tag 1 (public-key encrypted session key), as `gpg -e` starts its output.
const gpgBinary = Buffer.from([0xc1, 0x4c, 0x03, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70]);

testRule(rule, {
  valid: [
    { name: 'SOPS-encrypted YAML under a sensitive path', options: { paths: ['data/private/**'] }, files: { 'data/private/rows.yaml': sopsYaml } },
    { name: 'age-encrypted file under a sensitive path', options: { paths: ['data/private/'] }, files: { 'data/private/train.csv.age': 'age-encryption.org/v1\n-> X25519 abc\nxyz\n' } },
    { name: 'armored age file', options: { paths: ['secure/**'] }, files: { 'secure/a.csv': '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n' } },
    { name: 'git-crypt file', options: { paths: ['secure/**'] }, files: { 'secure/train.csv': gitCrypt } },
    { name: 'armored and binary GPG', options: { paths: ['secure/**'] }, files: { 'secure/a.csv.asc': '-----BEGIN PGP MESSAGE-----\n\nhQEMA\n-----END PGP MESSAGE-----\n', 'secure/b.csv.gpg': gpgBinary } },
    { name: 'a plaintext dataset whose card does not mark it sensitive', files: { 'data/train.csv': csv, 'data/README.md': '---\nlicense: mit\nsensitive: false\n---\n' } },
    { name: 'the card and .gitattributes under a sensitive path are metadata', options: { paths: ['secure/**'] }, files: { 'secure/README.md': '# Encrypted data\n', 'secure/.gitattributes': '* filter=git-crypt diff=git-crypt\n' } },
  ],
  invalid: [
    {
      name: 'a plaintext file under a sensitive path',
      options: { paths: ['data/private/**'] },
      files: { 'data/private/train.csv': csv },
      errors: [{ path: 'data/private/train.csv', severity: 'high', message: 'data/private/train.csv is stored in plaintext but it is under a sensitive path of the policy; encrypt it (SOPS, age, git-crypt or GPG) before committing, and remove the plaintext from the branch.' }],
    },
    {
      name: 'a dataset its card marks sensitive',
      files: { 'data/patients.csv': csv, 'data/README.md': sensitiveCard },
      errors: [{ path: 'data/patients.csv', message: /^data\/patients\.csv is stored in plaintext but its card data\/README\.md marks it sensitive \(sensitive: true\); encrypt it/ }],
    },
    {
      name: 'a card tag marks it sensitive',
      files: { 'd/x.jsonl': '{"a":1}\n', 'd/README.md': '---\ntags: [nlp, pii]\n---\n' },
      errors: [{ message: /marks it sensitive \(tags includes pii\)/ }],
    },
    {
      name: 'plaintext with personal data names the entities, redacted',
      options: { paths: ['data/private/**'] },
      files: { 'data/private/contacts.csv': withEmail },
      errors: [{ message: `data/private/contacts.csv is stored in plaintext but it is under a sensitive path of the policy, and it holds personal data (email ×2; first ${redact('jane.doe@example.com')}); encrypt it (SOPS, age, git-crypt or GPG) before committing, and remove the plaintext from the branch.` }],
    },
  ],
});
