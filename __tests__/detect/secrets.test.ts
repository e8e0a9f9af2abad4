import { describe, expect, it } from '@jest/globals';
import { DETECTORS, findSecrets, isPlainIdentifier, shannonEntropy } from '../../src/detect/secrets.js';
import { fake, randomString, ALNUM } from '../helpers/secrets.js';

const detectorsIn = (text: string) => findSecrets(text).map((m) => m.detector);

describe('findSecrets: provider formats', () => {
  const cases: Array<[string, string, string]> = [
    ['huggingface-access-token', fake.huggingface(), `login(token="${fake.huggingface()}")`],
    ['huggingface-organization-api-token', fake.huggingfaceOrg(), `use_auth_token='${fake.huggingfaceOrg()}'`],
    ['openai-api-key', fake.openai(), `OPENAI_API_KEY=${fake.openai()}`],
    ['anthropic-api-key', fake.anthropic(), `client = Anthropic(api_key="${fake.anthropic()}")`],
    ['groq-api-key', fake.groq(), `GROQ_API_KEY: ${fake.groq()}`],
    ['replicate-api-token', fake.replicate(), `export REPLICATE_API_TOKEN=${fake.replicate()}`],
    ['mistral-api-key', fake.mistral(), `MISTRAL_API_KEY = "${fake.mistral()}"`],
    ['wandb-api-key', fake.wandb(), `wandb.login(key="${fake.wandb()}")`],
    ['aws-access-token', fake.awsKeyId(), `aws_access_key_id = ${fake.awsKeyId()}`],
    ['aws-secret-access-key', fake.awsSecret(), `aws_secret_access_key = ${fake.awsSecret()}`],
    ['gcp-api-key', fake.gcpApiKey(), `GOOGLE_API_KEY="${fake.gcpApiKey()}"`],
    ['databricks-api-token', fake.databricks(), `host: x\ntoken: ${fake.databricks()}`],
    ['github-pat', fake.github(), `git clone https://${fake.github()}@github.com/o/r`],
    ['gitlab-pat', fake.gitlab(), `GITLAB_TOKEN=${fake.gitlab()}`],
    ['slack-token', fake.slackBot(), `SLACK_BOT_TOKEN=${fake.slackBot()}`],
    ['npm-access-token', fake.npm(), `//registry.npmjs.org/:_authToken=${fake.npm()}`],
    ['pypi-upload-token', fake.pypi(), `password = ${fake.pypi()}`],
  ];
  it.each(cases)('%s is found with its exact value and position', (detector, value, text) => {
    const found = findSecrets(text);
    expect(found.map((m) => m.detector)).toEqual([detector]);
    expect(found[0].value).toBe(value);
    expect(text.slice(found[0].index, found[0].index + found[0].length)).toBe(value);
  });

  it('gives live-format keys critical severity and keyword-anchored formats high', () => {
    expect(findSecrets(`x = "${fake.huggingface()}"`)[0].severity).toBe('critical');
    expect(findSecrets(`MISTRAL_API_KEY = "${fake.mistral()}"`)[0].severity).toBe('high');
  });

  it('finds PEM private keys, also with escaped newlines inside JSON', () => {
    expect(detectorsIn(fake.privateKey())).toEqual(['private-key']);
    expect(detectorsIn(fake.privateKey(3, 'OPENSSH '))).toEqual(['private-key']);
    const json = JSON.stringify({ private_key: fake.privateKey(2, '') });
    expect(detectorsIn(json)).toEqual(['private-key']);
  });

  it('reports a GCP service-account file with its private key as critical, without one as medium', () => {
    const withKey = JSON.stringify({ type: 'service_account', project_id: 'p', private_key: fake.privateKey(4, ''), client_email: 'a@p.iam.gserviceaccount.com' }, null, 2);
    const found = findSecrets(withKey);
    expect(found.map((m) => [m.detector, m.severity])).toEqual([['gcp-service-account', 'critical']]);
    expect(found[0].value.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    const without = findSecrets(JSON.stringify({ type: 'service_account', project_id: 'p' }, null, 2));
    expect(without.map((m) => [m.detector, m.severity])).toEqual([['gcp-service-account', 'medium']]);
  });

  it('finds a password in a URL and a high-entropy value assigned to a credential name', () => {
    const pw = fake.password();
    expect(findSecrets(`MLFLOW_TRACKING_URI=postgresql://mlflow:${pw}@db.internal:5432/mlflow`).map((m) => [m.detector, m.value]))
      .toEqual([['url-credentials', pw]]);
    const key = randomString(ALNUM, 32, 9);
    expect(findSecrets(`internal_api_key: "${key}"`).map((m) => [m.detector, m.value])).toEqual([['generic-api-key', key]]);
  });
});

describe('findSecrets: what is not a secret', () => {
  const negatives: Array<[string, string]> = [
    ['AWS documented example key id', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
    ['AWS documented example secret', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['a GitHub Actions secret reference', 'HF_TOKEN: ${{ secrets.HF_TOKEN }}'],
    ['os.environ reference', 'api_key = os.environ["OPENAI_API_KEY"]'],
    ['os.getenv reference', 'token = os.getenv("HF_TOKEN2")'],
    ['process.env reference', 'const apiKey = process.env.OPENAI_KEY2;'],
    ['shell variable reference', 'API_KEY=$OPENAI_API_KEY_2'],
    ['placeholder token', 'hf_token = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'],
    ['placeholder words', 'api_key: "your-api-key-here-1234"'],
    ['angle-bracket placeholder', 'password = <PASSWORD1234567>'],
    ['a tokenizer name', 'tokenizer_name: "meta-llama/Llama-2-7b-hf"'],
    ['max tokens', 'max_tokens = 4096'],
    ['a model id as a token value', 'token = "bert-base-uncased-v2"'],
    ['a PEM header without a key body', '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----'],
    ['a low-entropy value', 'secret_key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaa1"'],
    ['a password placeholder in a URL', 'postgresql://user:password@localhost/db'],
    ['a URL variable in a URL', 'postgresql://user:${DB_PASSWORD}@localhost/db'],
    ['a token prefix inside another word', 'desktop-rhf_SponsoredProductsRemoteRHFSearchEXPSubsK2ClickPagination'],
    ['prose about keys', 'Set the API key in your environment; never commit a token or a password.'],
    ['Python class names in a tuple', 'from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey, Ed25519PublicKey)'],
    ['an isinstance check', 'if isinstance(private_key, (Ed25519PrivateKey, X25519PrivateKey)):'],
    ['an unquoted argument after a comma', 'sign(secret_key, aB3xK9mQ2pLzW7vN4tR8yU1c)'],
    ['a name assigned to a credential variable', 'api_key = OPENAI_API_KEY_2\nprivate_key = load_private_key_v2'],
    ['RFC 6749 sample access token', 'access_token=2YotnFZFEjr1zCsicMWpAA&token_type=example'],
    ['RFC 6749 sample refresh token', '"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"'],
    ['RFC 6749 sample tokens in the implicit grant', 'access_token: 8xLOxBtZp8'],
    ['RFC 6749 sample authorization code', 'auth_token = "SplxlOBeZQQYbYS6WxSbIA"'],
    ['RFC 6749 sample client secret', 'client_secret=7Fjfp0ZBr1KtDRbnfVdmIw'],
  ];
  it.each(negatives)('%s', (_name, text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('still finds a quoted value after a comma and a random value assigned with =', () => {
    const key = randomString(ALNUM, 32, 11);
    expect(findSecrets(`set_secret('api_key', '${key}')`).map((m) => [m.detector, m.value])).toEqual([['generic-api-key', key]]);
    expect(findSecrets(`api_key = ${key}`).map((m) => [m.detector, m.value])).toEqual([['generic-api-key', key]]);
  });

  it('tells names in code from random values', () => {
    for (const name of ['Ed25519PrivateKey', 'X25519PublicKey', 'RSAPrivateKey', 'HTTPServerKey2', 'OPENAI_API_KEY_2', 'load_private_key_v2', 'SecretAccessKey']) {
      expect(isPlainIdentifier(name)).toBe(true);
    }
    for (const value of ['2YotnFZFEjr1zCsicMWpAA', 'tGzv3JOkF0XG5Qx2TlKWIA', 'K7MDENG2', 'a8f3k2l9q0', 'aB3xK9mQ2pLzW7vN4tR8yU1c', 'ghp-like.value', 'Bu0rrK-lerk6y0']) {
      expect(isPlainIdentifier(value)).toBe(false);
    }
    // Random 32-character alphanumeric tokens are (almost) never taken for names.
    let names = 0;
    for (let i = 0; i < 2000; i++) if (isPlainIdentifier(`k${randomString(ALNUM, 31, 1000 + i)}`)) names++;
    expect(names).toBeLessThanOrEqual(2);
  });

  it('reports one finding where a provider format and the generic detector overlap', () => {
    const text = `HF_TOKEN = "${fake.huggingface(7)}"`;
    expect(detectorsIn(text)).toEqual(['huggingface-access-token']);
  });

  it('returns matches in text order across detectors', () => {
    const text = `a = "${fake.github(2)}"\nb = "${fake.huggingface(3)}"\n`;
    const found = findSecrets(text);
    expect(found.map((m) => m.detector)).toEqual(['github-pat', 'huggingface-access-token']);
    expect(found[0].index).toBeLessThan(found[1].index);
  });

  it('keeps positions right when lower-casing changes the text length', () => {
    const text = `İİİ token = "${fake.github(5)}"`;
    const [m] = findSecrets(text);
    expect(text.slice(m.index, m.index + m.length)).toBe(fake.github(5));
  });
});

describe('detector table', () => {
  it('has unique ids, lower-case keywords and a global expression for every detector', () => {
    expect(new Set(DETECTORS.map((d) => d.id)).size).toBe(DETECTORS.length);
    for (const d of DETECTORS) {
      expect(d.keywords.length).toBeGreaterThan(0);
      for (const k of d.keywords) expect(k).toBe(k.toLowerCase());
      expect(d.pattern.flags).toContain('g');
    }
  });

  it('computes Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('')).toBe(0);
  });
});
