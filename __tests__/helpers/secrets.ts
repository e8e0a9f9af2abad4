/**
 * Fake credentials for the secret and notebook tests, built at run time from a seeded generator so that no
 * credential-shaped literal is committed (secret scanners, GitHub push protection included, would flag one).
 * Each has the exact shape of the provider's format and high entropy, so the detectors treat it as live.
 */
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const ALPHA = UPPER + LOWER;
export const HEX = '0123456789abcdef';
export const BASE32 = UPPER + '234567';
export const B64 = ALNUM + '+/';

/** A deterministic string of `length` characters from `alphabet` (xorshift32, seeded). */
export function randomString(alphabet: string, length: number, seed = 1): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out += alphabet[(x >>> 0) % alphabet.length];
  }
  return out;
}

/** Fake tokens in each provider's format (see src/detect/secrets.ts for where each format comes from). */
export const fake = {
  huggingface: (seed = 1) => 'hf_' + randomString(ALPHA, 34, seed),
  huggingfaceOrg: (seed = 1) => 'api_org_' + randomString(ALPHA, 34, seed),
  openai: (seed = 1) => 'sk-proj-' + randomString(ALNUM, 74, seed) + 'T3Blbk' + 'FJ' + randomString(ALNUM, 74, seed + 1),
  anthropic: (seed = 1) => 'sk-ant-' + 'api03-' + randomString(ALNUM, 93, seed) + 'AA',
  groq: (seed = 1) => 'gsk_' + randomString(ALNUM, 52, seed),
  replicate: (seed = 1) => 'r8_' + randomString(ALNUM, 37, seed),
  mistral: (seed = 1) => randomString(ALNUM, 32, seed),
  wandb: (seed = 1) => randomString(HEX, 40, seed),
  awsKeyId: (seed = 1) => 'AKIA' + randomString(BASE32, 16, seed),
  awsSecret: (seed = 1) => randomString(B64, 40, seed),
  gcpApiKey: (seed = 1) => 'AIza' + randomString(ALNUM, 35, seed),
  databricks: (seed = 1) => 'dapi' + randomString(HEX, 32, seed),
  github: (seed = 1) => 'ghp_' + randomString(ALNUM, 36, seed),
  gitlab: (seed = 1) => 'glpat-' + randomString(ALNUM, 20, seed),
  slackBot: (seed = 1) => 'xoxb-' + randomString(DIGITS, 12, seed) + '-' + randomString(DIGITS, 13, seed + 1) + '-' + randomString(ALNUM, 24, seed + 2),
  npm: (seed = 1) => 'npm_' + randomString(ALNUM, 36, seed),
  pypi: (seed = 1) => 'pypi-' + 'AgEIcHlwaS5vcmc' + randomString(ALNUM + '_-', 70, seed),
  /** A PEM body of `lines` lines of 64 base64 characters. */
  pemBody: (seed = 1, lines = 6) => Array.from({ length: lines }, (_, i) => randomString(B64, 64, seed + i)).join('\n'),
  privateKey: (seed = 1, kind = 'RSA ') =>
    `-----BEGIN ${kind}PRIVATE KEY-----\n${fake.pemBody(seed)}\n-----END ${kind}PRIVATE KEY-----`,
  password: (seed = 1) => randomString(ALNUM, 10, seed) + '7Q' + randomString(ALNUM, 8, seed + 5),
};
