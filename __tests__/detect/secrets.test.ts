import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DETECTORS, NECESSARY, findSecrets, isPlainIdentifier, mayHoldSecret, mayHoldSecretBytes, necessaryHolds, shannonEntropy } from '../../src/detect/secrets.js';
import { fake, randomString, ALNUM, B64, BASE32, HEX } from '../helpers/secrets.js';

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

describe('the cold-text test (mayHoldSecret)', () => {
  const r = (alphabet: string, n: number, seed: number) => randomString(alphabet, n, seed);
  const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const DIGITS = '0123456789';
  const uuid = (s: number) => `${r(HEX, 8, s)}-${r(HEX, 4, s + 1)}-${r(HEX, 4, s + 2)}-${r(HEX, 4, s + 3)}-${r(HEX, 12, s + 4)}`;
  /** One text per detector that the detector finds. */
  const samples: Record<string, string> = {
    'huggingface-access-token': `login(token="${fake.huggingface(11)}")`,
    'huggingface-organization-api-token': `x = '${fake.huggingfaceOrg(12)}'`,
    'openai-api-key': `OPENAI_API_KEY=${fake.openai(13)}`,
    'anthropic-api-key': `key: ${fake.anthropic(14)}`,
    'anthropic-admin-api-key': `k = "sk-ant-admin01-${r(ALNUM, 93, 15)}AA"`,
    'perplexity-api-key': `PPLX = "pplx-${r(ALNUM, 48, 16)}"`,
    'groq-api-key': `"${fake.groq(17)}"`,
    'replicate-api-token': `export T=${fake.replicate(18)}`,
    'aws-amazon-bedrock-api-key-long-lived': `b = "ABSK${r(B64, 120, 19)}"`,
    'aws-amazon-bedrock-api-key-short-lived': `b = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t${r(ALNUM, 60, 20)}"`,
    'cohere-api-token': `COHERE_API_KEY = "${r(ALNUM, 40, 21)}"`,
    'mistral-api-key': `MISTRAL_API_KEY = "${fake.mistral(22)}"`,
    'wandb-api-key': `wandb.login(key="${fake.wandb(23)}")`,
    'together-api-key': `TOGETHER_API_KEY=${r(HEX, 64, 24)}\nt2 = "tgp_v1_${r(ALNUM, 48, 25)}"`,
    'privateai-api-token': `PRIVATE_AI_API_KEY = "${r(LOWER_ALNUM, 32, 26)}"`,
    'aws-access-token': `aws_access_key_id = ${fake.awsKeyId(27)}`,
    'aws-secret-access-key': `aws_secret_access_key = ${fake.awsSecret(28)}`,
    'gcp-api-key': `GOOGLE_API_KEY="${fake.gcpApiKey(29)}"`,
    'gcp-service-account': JSON.stringify({ type: 'service_account', project_id: 'p' }, null, 2),
    'azure-ad-client-secret': `client_secret = "ab${r(DIGITS, 2, 30)}Q~${r(ALNUM, 34, 31)}"`,
    'azure-storage-account-key': `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${r(B64, 86, 32)}==;`,
    'cloudflare-api-key': `CLOUDFLARE_API_KEY = "${r(ALNUM, 40, 33)}"`,
    'cloudflare-global-api-key': `cloudflare_global_api_key = "${r(HEX, 37, 34)}"`,
    'cloudflare-origin-ca-key': `ca = "v1.0-${r(HEX, 24, 35)}-${r(HEX, 146, 36)}"`,
    'databricks-api-token': `token: ${fake.databricks(37)}`,
    'heroku-api-key': `HEROKU_API_KEY = "${uuid(38)}"`,
    'heroku-api-key-v2': `h = "HRKU-AA${r(ALNUM, 58, 43)}"`,
    'alibaba-access-key-id': `id = "LTAI${r(ALNUM, 20, 44)}"`,
    'digitalocean-pat': `do = "dop_v1_${r(HEX, 64, 45)}"`,
    'github-pat': `git clone https://${fake.github(46)}@github.com/o/r`,
    'github-fine-grained-pat': `gh = "github_pat_${r(ALNUM, 82, 47)}"`,
    'gitlab-pat': `GITLAB_TOKEN=${fake.gitlab(48)}`,
    'slack-token': `a = "${fake.slackBot(49)}"\nb = "xoxe.xoxp-1-${r(BASE32, 150, 50)}"\nc = "xapp-1-A${r(BASE32, 10, 51)}-1234567-${r(LOWER_ALNUM, 40, 52)}"`,
    'slack-webhook-url': `hook = "https://hooks.slack.com/services/${r(ALNUM, 44, 53)}"`,
    'npm-access-token': `//registry.npmjs.org/:_authToken=${fake.npm(54)}`,
    'pypi-upload-token': `password = ${fake.pypi(55)}`,
    'private-key': fake.privateKey(56),
    'url-credentials': `MLFLOW_TRACKING_URI=postgresql://mlflow:${fake.password(57)}@db.internal:5432/mlflow`,
    'generic-api-key': `internal_api_key: "${r(ALNUM, 32, 58)}"`,
  };

  it('has a necessary condition for every detector, and a sample each detector finds', () => {
    expect(Object.keys(NECESSARY).sort()).toEqual(DETECTORS.map((d) => d.id).sort());
    expect(Object.keys(samples).sort()).toEqual(DETECTORS.map((d) => d.id).sort());
    for (const [detector, text] of Object.entries(samples)) {
      expect([detector, findSecrets(text, { prefilter: false }).map((m) => m.detector)]).toEqual([detector, expect.arrayContaining([detector])]);
      expect([detector, mayHoldSecret(text)]).toEqual([detector, true]);
    }
  });

  const swapCase = (s: string) => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  const variants = (text: string) => [text, text.toUpperCase(), text.toLowerCase(), swapCase(text), `id,text\n1,"a review"\n${text}\n2,"more"\n`];
  /** Every detector's own matches (no dedupe across detectors) hold its necessary condition. */
  const checkNecessary = (text: string) => {
    for (const det of DETECTORS) {
      const re = new RegExp(det.pattern.source, det.pattern.flags);
      if (re.test(text)) expect([det.id, text, necessaryHolds(det.id, text)]).toEqual([det.id, text, true]);
    }
  };
  const anyHolds = (text: string) => DETECTORS.some((det) => necessaryHolds(det.id, text));

  it('holds for every match of every detector: the samples, upper-cased, lower-cased, case-swapped, inside other text', () => {
    for (const text of Object.values(samples)) {
      for (const v of variants(text)) {
        checkNecessary(v);
        expect(mayHoldSecret(v)).toBe(anyHolds(v));
        expect(findSecrets(v)).toEqual(findSecrets(v, { prefilter: false }));
      }
    }
  });

  it('holds on random mixes of keywords, literals, operators and values, and the fast test agrees with its definition (property)', () => {
    const pieces = [
      ...Object.values(samples), ...DETECTORS.flatMap((d) => d.keywords), ...Object.values(NECESSARY).flatMap((n) => [...(n.literals ?? []), ...(n.ci ?? [])]),
      ' ', '\n', '=', ': ', '"', "'", ',', '(', '_', '-', '.', '://', '@', 'Token', 'SECRET', 'PassWord', 'Api_Key', 'A', 'J', '~', '/',
      r(ALNUM, 40, 60), r(HEX, 64, 61), r(ALNUM, 12, 62) + '7', r(B64, 40, 63),
    ];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.constantFrom('as is', 'upper', 'lower', 'swap'), (parts, mode) => {
      const joined = parts.join('');
      const text = mode === 'upper' ? joined.toUpperCase() : mode === 'lower' ? joined.toLowerCase() : mode === 'swap' ? swapCase(joined) : joined;
      checkNecessary(text);
      expect(mayHoldSecret(text)).toBe(anyHolds(text));
      expect(findSecrets(text)).toEqual(findSecrets(text, { prefilter: false }));
    }), { numRuns: 300 });
  });

  it('says no for dataset rows, prose and numbers without any credential keyword', () => {
    const csv = Array.from({ length: 200 }, (_, i) => `${i},"review ${i} of the product was ${i % 2 ? 'good' : 'bad'} and arrived on time",pos,0.${i % 10}\n`).join('');
    const jsonl = Array.from({ length: 200 }, (_, i) => `{"id":${i},"text":"contact me at user${i}@example.com or 555-0107","label":"neg"}\n`).join('');
    expect(mayHoldSecret(csv)).toBe(false);
    expect(mayHoldSecret(jsonl)).toBe(false);
    expect(mayHoldSecret('A quiet morning in Asia; the 2024-01-01 run used 4 GPUs.')).toBe(false);
    expect(mayHoldSecret('Set the API KEY in your environment.')).toBe(true);
  });
});

describe('the cold-text test on bytes (mayHoldSecretBytes)', () => {
  const pieces = [
    ...DETECTORS.flatMap((d) => d.keywords), ...Object.values(NECESSARY).flatMap((n) => [...(n.literals ?? []), ...(n.ci ?? [])]),
    'Token', 'SECRET', 'PassWord', 'Api_Key', 'CoHeRe', 'wAnDb', 'DAPI', 'tOgEtHeR', 'Private', 'CloudFlare', 'HEROKU', 'Credential', 'pwD', 'mistrAL',
    ' ', '\n', 'é', 'İ', '\u212A', 'ſ', '😀', 'a', 'ke', 'ec', 'iv', 'nd', 'review 12 of the product', '"text":"', '555-0107', 'x', '_', '-', 'A', 'J', '/', ':',
  ];
  it('agrees with the test on the decoded text, at every alignment and inside any slice (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), fc.nat(7), fc.nat(7), (parts, pad, cut) => {
      const text = parts.join('');
      const bytes = Buffer.from(text, 'utf8');
      // At an arbitrary byte offset inside a larger buffer, as the window of a stream is.
      const big = Buffer.alloc(pad + bytes.length + 8, 0x20);
      bytes.copy(big, pad);
      const view = big.subarray(pad, pad + bytes.length);
      expect(mayHoldSecretBytes(view)).toBe(mayHoldSecret(text));
      expect(mayHoldSecretBytes(big, pad, pad + bytes.length)).toBe(mayHoldSecret(text));
      // A slice of the bytes: what a window of the stream sees.
      const from = Math.min(cut, bytes.length);
      const sub = bytes.subarray(from);
      expect(mayHoldSecretBytes(sub)).toBe(mayHoldSecret(sub.toString('latin1')));
    }), { numRuns: 20_000 });
  });

  it('finds a word or literal anywhere in a long buffer and says no for long text without any', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `{"id":${i},"text":"review ${i} of the product was good and arrived on time","label":"pos"}\n`).join('');
    expect(mayHoldSecretBytes(Buffer.from(rows))).toBe(false);
    for (const word of ['secret', 'SeCrEt', 'hf_', 'wandb', 'AKIA', 'Q~', '://', 'PRIVATE KEY']) {
      for (const at of [0, 1, 2, 3, 4, 5, 6, 7, 1001, rows.length - 1]) {
        const text = rows.slice(0, at) + word + rows.slice(at);
        expect([word, at, mayHoldSecretBytes(Buffer.from(text))]).toEqual([word, at, true]);
      }
    }
  });
});
