import rule from '../../../src/rules/k8s/literal-secret.js';
import { redact } from '../../../src/engine/redact.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';

const HF = ['hf', 'Zqwertyuio'.repeat(3) + 'pasd'].join('_'); // built at run time: keeps secret scanners quiet
testRule(rule, {
  valid: [
    { name: 'secretKeyRef and plain config', files: { 'd.yaml': deployment([{ extra: ['env:', '  - { name: HF_TOKEN, valueFrom: { secretKeyRef: { name: hf, key: token } } }', '  - { name: MAX_MODEL_LEN, value: "8192" }'] }]) } },
    { name: 'a token in a known format is left to the secret/* rules', files: { 'd.yaml': deployment([{ extra: ['env:', '  - name: HF_TOKEN', `    value: ${HF}`] }]) } },
    { name: 'an empty Secret template', files: { 's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData:\n  token: ""\n' } },
  ],
  invalid: [
    {
      name: 'a literal value under a credential name takes the configured severity',
      files: { 'd.yaml': deployment([{ extra: ['env: [{ name: DB_PASSWORD, value: "s3cr3t-pw!" }]'] }]) },
      errors: [{ line: 12, severity: 'high', message: /^Container server of Deployment\/serve sets env DB_PASSWORD to a literal value under a credential name \(…\[redacted hmac:[0-9a-f]{8}\]\)/ }],
    },
    {
      name: 'a committed Secret with data',
      files: { 's.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: { name: registry }\ndata:\n  password: aHVudGVyMg==\n' },
      errors: [{ line: 5, column: 3, severity: 'high', message: `Secret/registry holds password in data (${redact('aHVudGVyMg==')}) in the repository: rotate it and create the Secret outside git or commit it encrypted (Sealed Secrets, SOPS).` }],
    },
  ],
});
