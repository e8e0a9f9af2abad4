import rule from '../../../src/rules/secret/generic-credential.js';
import { redact } from '../../../src/engine/redact.js';
import { testRule } from '../../helpers/rule-tester.js';
import { ALNUM, fake, randomString } from '../../helpers/secrets.js';

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable.';
const pw = fake.password(51);
const apiKey = randomString(ALNUM, 32, 52);

/**
 * Large files are searched in 4 MiB windows that overlap by 20,000 bytes. A `password = "…"` whose keyword
 * lies before the next window's start and whose value lies after it must be searched again whole: at every
 * offset around that boundary.
 */
const WINDOW = 4 * 1024 * 1024 - 20_000;
const boundaryCases = [-40, -14, -6, -1, 0, 3].map((shift) => {
  const assignment = `password = "${pw}"`;
  const start = WINDOW + shift - 'password = "'.length + 1;
  const filler = 'x'.repeat(start - 1);
  return { shift, text: `${filler}\n${assignment}\n${'y'.repeat(700_000)}\n` };
});

testRule(rule, {
  valid: [
    { name: 'references and placeholders', files: { 'config.yaml': 'api_key: ${API_KEY}\npassword: changeme\ntoken: "<your token>"\nsecret: "{{ vault_secret }}"\n' } },
    { name: 'ordinary ML config values', files: { 'train.yaml': 'tokenizer: meta-llama/Llama-2-7b-hf\nmax_tokens: 4096\nkey_column: review_id\nsecret_santa: false\n' } },
    { name: 'a URL with a user but no password', files: { 'README.md': 'Clone from https://git@example.com/org/repo.git\n' } },
    { name: 'a provider key is reported by its own family, not here', files: { 'a.py': `HF_TOKEN = "${fake.huggingface(53)}"\n` } },
    { name: 'a random value under a name that is not a credential', files: { 'run.yaml': `checkpoint_sha: "${apiKey}"\nrun_id: ${randomString(ALNUM, 24, 54)}\n` } },
  ],
  invalid: [
    ...boundaryCases.map(({ shift, text }) => ({
      name: `a password whose keyword and value straddle a window edge (value ${shift} bytes from it)`,
      files: { 'notes.txt': text },
      errors: [{ line: 2, column: 13, message: /\[redacted hmac:/ }],
    })),
    {
      name: 'a database password in an MLflow tracking URI',
      files: { '.env': `MLFLOW_TRACKING_URI=postgresql://mlflow:${pw}@db.internal:5432/mlflow\n` },
      errors: [{ line: 1, severity: 'high', message: `Password in a URL ${redact(pw)} (url-credentials): ${ACTION}` }],
    },
    {
      name: 'a random value assigned to api_key',
      files: { 'service/config.py': `INTERNAL_API_KEY = "${apiKey}"\n` },
      errors: [{ line: 1, column: 21, message: `Credential assigned in code or config ${redact(apiKey)} (generic-api-key): ${ACTION}` }],
    },
  ],
});
