import rule from '../../../src/rules/secret/cloud-credential.js';
import { redact } from '../../../src/engine/redact.js';
import { testRule } from '../../helpers/rule-tester.js';
import { fake } from '../../helpers/secrets.js';

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable.';
const keyId = fake.awsKeyId(21);
const secret = fake.awsSecret(22);
const serviceAccount = JSON.stringify({
  type: 'service_account', project_id: 'ml-prod', private_key_id: 'abc',
  private_key: fake.privateKey(23, ''), client_email: 'trainer@ml-prod.iam.gserviceaccount.com',
}, null, 2) + '\n';

testRule(rule, {
  valid: [
    { name: "AWS's documented example keys", files: { 'serve.py': 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\nAWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n' } },
    { name: 'keys taken from the environment in a k8s manifest', files: { 'deploy/serve.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\nspec:\n  containers:\n    - name: s\n      image: x\n      env:\n        - name: AWS_SECRET_ACCESS_KEY\n          valueFrom:\n            secretKeyRef: { name: aws, key: secret }\n' } },
    { name: 'a placeholder key id', files: { 'README.md': 'key = AKIAXXXXXXXXXXXXXXXX\n' } },
    { name: 'an AI provider key (another family)', files: { 'a.py': `t = "${fake.huggingface(2)}"\n` } },
    { name: 'the key-id detector excluded by the policy', files: { 'a.py': `key_id = "${keyId}"\n` }, options: { exclude: ['aws-access-token'] } },
  ],
  invalid: [
    {
      name: 'an AWS key id and its secret in a credentials file',
      files: { 'aws/credentials': `[default]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${secret}\n` },
      errors: [
        { line: 2, column: 21, severity: 'critical', message: `AWS access key id ${redact(keyId)} (aws-access-token): ${ACTION}` },
        { line: 3, column: 25, severity: 'critical', message: `AWS secret access key ${redact(secret)} (aws-secret-access-key): ${ACTION}` },
      ],
    },
    {
      name: 'a GCP service-account key file is reported at its private key',
      files: { 'keys/sa.json': serviceAccount },
      errors: [{ line: 5, severity: 'critical', message: /^Google Cloud service-account key ----…\[redacted hmac:[0-9a-f]{8}\] \(gcp-service-account\): revoke/ }],
    },
    {
      name: 'a service-account descriptor without a private key is medium',
      files: { 'sa.json': '{\n  "type": "service_account",\n  "project_id": "ml-prod"\n}\n' },
      errors: [{ line: 2, severity: 'medium', message: 'Google Cloud service-account descriptor (gcp-service-account) without a private_key; check that no key file of this account is committed, and keep key files out of the repository.' }],
    },
    {
      name: 'a Google API key and a Databricks token in a Dockerfile',
      files: { Dockerfile: `FROM python:3.12\nENV GOOGLE_API_KEY=${fake.gcpApiKey(24)}\nENV DATABRICKS_TOKEN=${fake.databricks(25)}\n` },
      errors: [
        { line: 2, message: /^Google API key AIza…\[redacted hmac:[0-9a-f]{8}\] \(gcp-api-key\)/ },
        { line: 3, message: /^Databricks API token dapi…\[redacted hmac:[0-9a-f]{8}\] \(databricks-api-token\)/ },
      ],
    },
  ],
});
