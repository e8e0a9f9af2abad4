/**
 * The one secret detector: a table of credential formats, matched over a string. Pure and synchronous, shared
 * by the `secret/*` rules (every text file) and by other areas (container, k8s) that search text of their own.
 *
 * Order of work, so that text without credentials costs little: a keyword prefilter (each detector names the
 * literals its format must contain; the text is searched for those once), then the detector's expression, then
 * entropy where the format is generic, then suppression of placeholders, documented example keys and
 * references (`${{ secrets.X }}`, `os.environ[...]`).
 *
 * Token formats are facts taken from published rule sets: gitleaks `config/gitleaks.toml` (commit b58d3f10, MIT),
 * the betterleaks fork's rules (Groq, Replicate, Mistral), and the providers' own documentation. Detector ids are
 * gitleaks's rule ids where gitleaks has the format, so results can be compared with it.
 */
import type { Severity } from '../engine/severity.js';
import { AsciiWords, type ByteMarks } from './ascii-words.js';

/** Which `secret/*` rule reports a detector: one rule per provider family, so a policy can tune a family. */
export type SecretFamily = 'ai-provider' | 'cloud' | 'dev-platform' | 'private-key' | 'generic';

export interface SecretMatch {
  /** The detector's id, e.g. `huggingface-access-token` (gitleaks's rule id where it has one). */
  detector: string;
  /** The secret itself. Never put it in a report: use `redact()` and pass it as `sensitive`. */
  value: string;
  /** UTF-16 index of the value in the text searched. */
  index: number;
  length: number;
  severity: Severity;
  /**
   * Where the whole match starts (a keyword before the value: `password = "…"`), when before `index`: a search
   * in windows must keep it with the value.
   */
  matchIndex?: number;
}

export interface SecretDetector {
  id: string;
  family: SecretFamily;
  /** Human name of what was found, used in messages ("Hugging Face access token"). */
  title: string;
  /** Lower-case literals of which at least one must occur (case-insensitively) for the expression to run. */
  keywords: readonly string[];
  /** Global expression; capture group 1 (else the whole match) is the secret. */
  pattern: RegExp;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  severity: Severity;
  /** The expression starts at its keyword (or the identifier holding it): try it only at keyword hits. */
  near?: boolean;
  /** Values that are documented examples or otherwise known not to be secrets. */
  allow?: (value: string) => boolean;
}

/** The right-hand boundary gitleaks puts after a token: a quote, space, `;`, an escaped newline, or the end. */
const END = String.raw`(?=[\x60'"\s;]|\\[nr]|$)`;
/** `KEYWORD ... =` the way gitleaks's semi-generic rules write an assignment, as a source string. */
const ASSIGN = String.raw`[ \t\w.-]{0,20}[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}`;

/** A case-insensitive literal without making the whole expression case-insensitive. */
function ci(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('');
}

/** gitleaks's "semi-generic" shape: a provider keyword, an assignment, then a value of the provider's form. */
function keyed(words: string[], value: string): RegExp {
  return new RegExp(String.raw`(?:${words.map(ci).join('|')})${ASSIGN}(${value})${END}`, 'g');
}

function token(body: string, end = END): RegExp {
  return new RegExp(String.raw`\b(${body})${end}`, 'g');
}

/** AWS's documented example credentials and the Google API keys gitleaks allowlists as public/demo keys. */
const DOCUMENTED_EXAMPLES = new Set([
  'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAI44QH8DHBEXAMPLE',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'AIzaSyabcdefghijklmnopqrstuvwxyz1234567', 'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
  'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM', 'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
  'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0', 'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
  'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c', 'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
  'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY', 'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
  'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ', 'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
  'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU', 'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
  'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE', 'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
  // RFC 6749 (OAuth 2.0): its sample access and refresh tokens, authorization code, client secret (2.3.1) and
  // Basic credentials; RFC 6750's sample bearer token.
  '2YotnFZFEjr1zCsicMWpAA', 'tGzv3JOkF0XG5Qx2TlKWIA', '8xLOxBtZp8', 'SplxlOBeZQQYbYS6WxSbIA', '7Fjfp0ZBr1KtDRbnfVdmIw',
  'czZCaGRSa3F0MzpnWDFmQmF0M2JW', 'mF_9.B5f-4.1JqM',
  // RFC 7636 (PKCE) appendix B: the code verifier and challenge.
  'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  // Stripe's API-reference test keys.
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'pk_test_TYooMQauvdEDq54NiTphI7jx',
  // jwt.io's sample HMAC secrets (old and current debugger).
  'your-256-bit-secret', 'a-string-secret-at-least-256-bits-long',
]);

const d = (x: SecretDetector): SecretDetector => x;

export const DETECTORS: readonly SecretDetector[] = [
  // ---- AI providers -------------------------------------------------------------------------------------
  d({ id: 'huggingface-access-token', family: 'ai-provider', title: 'Hugging Face access token', keywords: ['hf_'],
    pattern: token('hf_[a-zA-Z]{34}'), entropy: 2, severity: 'critical' }),
  d({ id: 'huggingface-organization-api-token', family: 'ai-provider', title: 'Hugging Face organization API token',
    keywords: ['api_org_'], pattern: token('api_org_[a-zA-Z]{34}'), entropy: 2, severity: 'critical' }),
  d({ id: 'openai-api-key', family: 'ai-provider', title: 'OpenAI API key', keywords: ['t3blbkfj'],
    pattern: token(String.raw`sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}`),
    entropy: 3, severity: 'critical' }),
  d({ id: 'anthropic-api-key', family: 'ai-provider', title: 'Anthropic API key', keywords: ['sk-ant-api03'],
    pattern: token(String.raw`sk-ant-api03-[a-zA-Z0-9_\-]{93}AA`), severity: 'critical' }),
  d({ id: 'anthropic-admin-api-key', family: 'ai-provider', title: 'Anthropic admin API key', keywords: ['sk-ant-admin01'],
    pattern: token(String.raw`sk-ant-admin01-[a-zA-Z0-9_\-]{93}AA`), severity: 'critical' }),
  d({ id: 'perplexity-api-key', family: 'ai-provider', title: 'Perplexity API key', keywords: ['pplx-'],
    pattern: token('pplx-[a-zA-Z0-9]{48}', String.raw`(?=[\x60'"\s;]|\\[nr]|$|\b)`), entropy: 4, severity: 'critical' }),
  d({ id: 'groq-api-key', family: 'ai-provider', title: 'Groq API key', keywords: ['gsk_'],
    pattern: token('gsk_[a-zA-Z0-9]{52}'), entropy: 3.5, severity: 'critical' }),
  d({ id: 'replicate-api-token', family: 'ai-provider', title: 'Replicate API token', keywords: ['r8_'],
    pattern: token('r8_[A-Za-z0-9]{37}'), entropy: 3, severity: 'critical' }),
  d({ id: 'aws-amazon-bedrock-api-key-long-lived', family: 'ai-provider', title: 'Amazon Bedrock long-lived API key',
    keywords: ['absk'], pattern: token('ABSK[A-Za-z0-9+/]{109,269}={0,2}'), entropy: 3, severity: 'critical' }),
  d({ id: 'aws-amazon-bedrock-api-key-short-lived', family: 'ai-provider', title: 'Amazon Bedrock short-lived API key',
    keywords: ['bedrock-api-key-'], pattern: /bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%]*/g, entropy: 3,
    severity: 'high' }),
  // Keyword-anchored formats: the value alone is a generic random string, so the provider's name must be nearby.
  d({ id: 'cohere-api-token', near: true, family: 'ai-provider', title: 'Cohere API key', keywords: ['cohere', 'co_api_key'],
    pattern: keyed(['cohere', 'co_api_key'], '[a-zA-Z0-9]{40}'), entropy: 4, severity: 'high' }),
  d({ id: 'mistral-api-key', near: true, family: 'ai-provider', title: 'Mistral API key', keywords: ['mistral'],
    pattern: keyed(['mistral'], '[a-zA-Z0-9]{32}'), entropy: 3.5, severity: 'high' }),
  d({ id: 'wandb-api-key', near: true, family: 'ai-provider', title: 'Weights & Biases API key', keywords: ['wandb'],
    // `WANDB_API_KEY=…`, and `wandb.login(key=…)`.
    pattern: new RegExp(String.raw`${ci('wandb')}(?:[\w.]{0,20}\(\s*key\s*=\s*['"]?|${ASSIGN})([a-f0-9]{40})${END}`, 'g'),
    entropy: 3, severity: 'high' }),
  d({ id: 'together-api-key', near: true, family: 'ai-provider', title: 'Together AI API key', keywords: ['together', 'tgp_v1_'],
    pattern: new RegExp(String.raw`\b(tgp_v1_[A-Za-z0-9_-]{40,64})${END}|(?:${ci('together')})${ASSIGN}([a-f0-9]{64})${END}`, 'g'),
    entropy: 3, severity: 'high' }),
  d({ id: 'privateai-api-token', near: true, family: 'ai-provider', title: 'Private AI API key', keywords: ['privateai', 'private_ai', 'private-ai'],
    pattern: new RegExp(String.raw`${ci('private')}[_-]?${ci('ai')}${ASSIGN}([a-z0-9]{32})${END}`, 'g'), entropy: 3, severity: 'high' }),

  // ---- Cloud ------------------------------------------------------------------------------------------------
  d({ id: 'aws-access-token', family: 'cloud', title: 'AWS access key id', keywords: ['a3t', 'akia', 'asia', 'abia', 'acca'],
    pattern: /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g, entropy: 3, severity: 'critical',
    allow: (v) => /.+EXAMPLE$/.test(v) }),
  d({ id: 'aws-secret-access-key', near: true, family: 'cloud', title: 'AWS secret access key', keywords: ['secret_access_key', 'secretaccesskey', 'secret-access-key'],
    pattern: new RegExp(String.raw`${ci('secret')}[_-]?${ci('access')}[_-]?${ci('key')}${ASSIGN}([A-Za-z0-9/+]{40})${END}`, 'g'),
    entropy: 4, severity: 'critical', allow: (v) => /EXAMPLE/.test(v) }),
  d({ id: 'gcp-api-key', family: 'cloud', title: 'Google API key', keywords: ['aiza'],
    pattern: token(String.raw`AIza[\w-]{35}`), entropy: 4, severity: 'critical' }),
  d({ id: 'gcp-service-account', family: 'cloud', title: 'Google Cloud service-account key', keywords: ['service_account'],
    pattern: /"type"\s*:\s*"service_account"/g, severity: 'critical' }),
  d({ id: 'azure-ad-client-secret', family: 'cloud', title: 'Azure AD client secret', keywords: ['q~'],
    pattern: /(?<=^|[\\'"\x60\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?=$|[\\'"\x60\s<),])/gm, entropy: 3, severity: 'critical' }),
  d({ id: 'azure-storage-account-key', family: 'cloud', title: 'Azure storage account key', keywords: ['accountkey='],
    pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g, entropy: 4, severity: 'critical' }),
  d({ id: 'cloudflare-api-key', near: true, family: 'cloud', title: 'Cloudflare API key', keywords: ['cloudflare'],
    pattern: keyed(['cloudflare'], '[a-zA-Z0-9_-]{40}'), entropy: 2, severity: 'high' }),
  d({ id: 'cloudflare-global-api-key', near: true, family: 'cloud', title: 'Cloudflare global API key', keywords: ['cloudflare'],
    pattern: keyed(['cloudflare'], '[a-fA-F0-9]{37}'), entropy: 2, severity: 'high' }),
  d({ id: 'cloudflare-origin-ca-key', family: 'cloud', title: 'Cloudflare origin CA key', keywords: ['cloudflare', 'v1.0-'],
    pattern: token('v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}'), entropy: 2, severity: 'critical' }),
  d({ id: 'databricks-api-token', family: 'cloud', title: 'Databricks API token', keywords: ['dapi'],
    pattern: token(String.raw`dapi[a-f0-9]{32}(?:-\d)?`), entropy: 3, severity: 'critical' }),
  d({ id: 'heroku-api-key', near: true, family: 'cloud', title: 'Heroku API key', keywords: ['heroku'],
    pattern: keyed(['heroku'], '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'), severity: 'high' }),
  d({ id: 'heroku-api-key-v2', family: 'cloud', title: 'Heroku API key', keywords: ['hrku-aa'],
    pattern: token('HRKU-AA[0-9a-zA-Z_-]{58}'), entropy: 4, severity: 'critical' }),
  d({ id: 'alibaba-access-key-id', family: 'cloud', title: 'Alibaba Cloud AccessKey id', keywords: ['ltai'],
    pattern: token('LTAI[a-zA-Z0-9]{20}'), entropy: 3, severity: 'critical' }),
  d({ id: 'digitalocean-pat', family: 'cloud', title: 'DigitalOcean token', keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: token('do[por]_v1_[a-f0-9]{64}'), entropy: 3, severity: 'critical' }),

  // ---- Developer platforms and package registries ---------------------------------------------------------------
  d({ id: 'github-pat', family: 'dev-platform', title: 'GitHub token', keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /\b(gh[pousr]_[0-9a-zA-Z]{36})\b/g, entropy: 3, severity: 'critical' }),
  d({ id: 'github-fine-grained-pat', family: 'dev-platform', title: 'GitHub fine-grained token', keywords: ['github_pat_'],
    pattern: /\b(github_pat_\w{82})\b/g, entropy: 3, severity: 'critical' }),
  d({ id: 'gitlab-pat', family: 'dev-platform', title: 'GitLab token', keywords: ['glpat-', 'glrt-', 'gldt-', 'glptt-'],
    pattern: /\b((?:glpat|glrt|gldt)-[\w-]{20}|glptt-[0-9a-f]{40})\b/g, entropy: 3, severity: 'critical' }),
  d({ id: 'slack-token', family: 'dev-platform', title: 'Slack token', keywords: ['xoxb-', 'xoxp-', 'xoxe', 'xoxa-', 'xoxs-', 'xapp-'],
    pattern: /\b(xox[bpas]-[0-9]{10,13}-[0-9a-zA-Z-]{10,80}|xoxe(?:\.xox[bp])?-\d-[A-Z0-9]{146,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)\b/g,
    entropy: 2.5, severity: 'critical' }),
  d({ id: 'slack-webhook-url', family: 'dev-platform', title: 'Slack webhook URL', keywords: ['hooks.slack.com'],
    pattern: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9+/]{43,56})/g, entropy: 3, severity: 'high' }),
  d({ id: 'npm-access-token', family: 'dev-platform', title: 'npm access token', keywords: ['npm_'],
    pattern: token('npm_[a-zA-Z0-9]{36}'), entropy: 2, severity: 'critical' }),
  d({ id: 'pypi-upload-token', family: 'dev-platform', title: 'PyPI upload token', keywords: ['pypi-ageicHlwaS5vcmc'.toLowerCase(), 'pypi-agendgvzdc5wexbplm9yzw'],
    pattern: /\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[\w-]{50,1000})/g, entropy: 3, severity: 'critical' }),

  // ---- Private keys -------------------------------------------------------------------------------------------
  // The body may hold real or escaped (`\n` in JSON) newlines; it must be long enough to be a key, not a stub.
  d({ id: 'private-key', family: 'private-key', title: 'private key', keywords: ['private key'],
    pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,16384}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g,
    severity: 'critical', allow: (v) => !/[A-Za-z0-9+/]{40}/.test(v) }),

  // ---- Generic ----------------------------------------------------------------------------------------------
  d({ id: 'url-credentials', near: true, family: 'generic', title: 'password in a URL', keywords: ['://'],
    pattern: /\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:/@'"`]{1,100}:([^\s:/@'"`]{6,200})@[a-zA-Z0-9.-]+/g, entropy: 2.5, severity: 'high' }),
  // After `,` (a tuple, an argument list: `(Ed25519PrivateKey, Ed25519PublicKey)`) only a quoted value counts.
  d({ id: 'generic-api-key', near: true, family: 'generic', title: 'credential assigned in code or config',
    keywords: ['key', 'secret', 'token', 'passw', 'pwd', 'credential'],
    pattern: /(?<![\w.-])[\w.-]{0,40}?(?:api[_.-]?key|apikey|secret(?:[_.-]?(?:access[_.-]?)?key)?|token|passw(?:or)?d|pwd|credentials?|auth[_.-]?key|access[_.-]?key|private[_.-]?key)(?:[_.-]?(?:value|str|string|b64|base64))?['"\]]{0,2}[ \t]{0,3}(?:(?::=|=>|=|:)[ \t]{0,5}[\x60'"]?|,[ \t]{0,5}[\x60'"])([\w.=~+/!#$%^&*@-]{10,150})(?=[\x60'"\s;,)\]}]|\\[nr]|$)/gi,
    entropy: 3.5, severity: 'high' }),
];

/** Detectors in evaluation order; where two matches overlap, the earlier detector (the more specific) wins. */
const BY_ID = new Map(DETECTORS.map((det) => [det.id, det]));

export function detectorById(id: string): SecretDetector | undefined {
  return BY_ID.get(id);
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (!value) return 0;
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * The prefilter: which keywords occur in the text, case-insensitively. One lower-casing pass, then a plain
 * substring search per keyword (faster in V8 than one alternation of all of them).
 */
function lowerOf(text: string): string {
  return text.toLowerCase();
}

const escapeRe = (k: string) => k.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const KEYWORDS = [...new Set(DETECTORS.flatMap((det) => det.keywords))];
/** Keywords of the generic detectors occur in most code: a substring search each is cheaper than regex hits. */
const COMMON = KEYWORDS.filter((k) => DETECTORS.some((det) => det.family === 'generic' && det.keywords.includes(k)));
/** The provider keywords are rare; one alternation over the lower-cased text finds them all in one pass. */
const RARE_RE = new RegExp(
  KEYWORDS.filter((k) => !COMMON.includes(k)).sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'g');

function presentKeywords(lower: string): Set<string> {
  const found = new Set<string>(COMMON.filter((k) => lower.includes(k)));
  RARE_RE.lastIndex = 0;
  for (let m = RARE_RE.exec(lower); m; m = RARE_RE.exec(lower)) found.add(m[0]);
  return found;
}

// ---- the cold-text test ---------------------------------------------------------------------------------------
//
// Most text (a dataset, prose) holds no credential, and the keyword search above costs a lower-cased copy and
// several passes. `mayHoldSecret` decides much faster whether the text can hold a match of any detector, from a
// necessary condition of each: a detector whose expression is case-sensitive has literals one of which every
// match contains as written (`hf_`, `AKIA`, `PRIVATE KEY`); those are found by searching the text for one rare
// character of each (`_`, `-`, `A`: a single-character search is memchr-fast in V8 when the character is
// absent) and comparing the literal around each hit. The detectors whose expressions are case-insensitive (the
// provider-name and generic ones) need one of their words in any case, found by one case-insensitive
// alternation. When the test says no, findSecrets would have found nothing; when it says yes, the full search
// runs as before, so the results are the same.

/**
 * Per detector: the case-sensitive literals of which every match of its expression contains one, or `ci`: the
 * words (lower-case) of which every match contains one in some case. Checked by the tests against every
 * detector of the table.
 */
export const NECESSARY: Readonly<Record<string, { literals?: readonly string[]; ci?: readonly string[] }>> = {
  'huggingface-access-token': { literals: ['hf_'] },
  'huggingface-organization-api-token': { literals: ['api_org_'] },
  'openai-api-key': { literals: ['T3BlbkFJ'] },
  'anthropic-api-key': { literals: ['sk-ant-api03'] },
  'anthropic-admin-api-key': { literals: ['sk-ant-admin01'] },
  'perplexity-api-key': { literals: ['pplx-'] },
  'groq-api-key': { literals: ['gsk_'] },
  'replicate-api-token': { literals: ['r8_'] },
  'aws-amazon-bedrock-api-key-long-lived': { literals: ['ABSK'] },
  'aws-amazon-bedrock-api-key-short-lived': { literals: ['bedrock-api-key-'] },
  'cohere-api-token': { ci: ['cohere', 'co_api_key'] },
  'mistral-api-key': { ci: ['mistral'] },
  'wandb-api-key': { ci: ['wandb'] },
  'together-api-key': { literals: ['tgp_v1_'], ci: ['together'] },
  'privateai-api-token': { ci: ['private'] },
  'aws-access-token': { literals: ['A3T', 'AKIA', 'ASIA', 'ABIA', 'ACCA'] },
  'aws-secret-access-key': { ci: ['secret'] },
  'gcp-api-key': { literals: ['AIza'] },
  'gcp-service-account': { literals: ['"service_account"'] },
  'azure-ad-client-secret': { literals: ['Q~'] },
  'azure-storage-account-key': { literals: ['AccountKey='] },
  'cloudflare-api-key': { ci: ['cloudflare'] },
  'cloudflare-global-api-key': { ci: ['cloudflare'] },
  'cloudflare-origin-ca-key': { literals: ['v1.0-'] },
  // `dapi` has no rare character: it goes with the case-insensitive words (finding more is allowed).
  'databricks-api-token': { ci: ['dapi'] },
  'heroku-api-key': { ci: ['heroku'] },
  'heroku-api-key-v2': { literals: ['HRKU-AA'] },
  'alibaba-access-key-id': { literals: ['LTAI'] },
  'digitalocean-pat': { literals: ['dop_v1_', 'doo_v1_', 'dor_v1_'] },
  'github-pat': { literals: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'] },
  'github-fine-grained-pat': { literals: ['github_pat_'] },
  'gitlab-pat': { literals: ['glpat-', 'glrt-', 'gldt-', 'glptt-'] },
  // `xoxe(?:\.xox[bp])?-`: the three ways a refresh token can start, each with a `-`.
  'slack-token': { literals: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxs-', 'xoxe-', 'xoxe.xoxb-', 'xoxe.xoxp-', 'xapp-'] },
  'slack-webhook-url': { literals: ['hooks.slack.com/'] },
  'npm-access-token': { literals: ['npm_'] },
  'pypi-upload-token': { literals: ['pypi-AgEIcHlwaS5vcmc', 'pypi-AgENdGVzdC5weXBpLm9yZw'] },
  'private-key': { literals: ['PRIVATE KEY'] },
  'url-credentials': { literals: ['://'] },
  // `passw(?:or)?d`, `api[_.-]?key`, `credentials?`...: every alternative of the expression holds one of these.
  'generic-api-key': { ci: ['key', 'secret', 'token', 'passw', 'pwd', 'credential'] },
};

/**
 * Characters to search for, rarest in text first: each literal is found through the first of these it contains.
 * Few distinct ones, so that text without any costs few passes; no lower-case letter (`x` is in every `"text"`
 * key of a chat dataset, `k` in English).
 */
const ANCHOR_ORDER = ['_', '-', '~', 'A', 'J', '/'];

interface AnchorGroup {
  char: string;
  /** Literals with the anchor at `offset > 0`, by the character before the anchor. */
  byPrev: Map<number, Array<{ literal: string; offset: number }>>;
  /** Literals that start with the anchor, by the character after it. */
  byNext: Map<number, string[]>;
}

function anchorGroups(literals: readonly string[]): AnchorGroup[] {
  const groups = new Map<string, AnchorGroup>();
  for (const literal of literals) {
    const char = ANCHOR_ORDER.find((c) => literal.includes(c));
    if (!char || literal.length < 2) throw new Error(`secret prefilter: no anchor character in ${literal}`);
    let g = groups.get(char);
    if (!g) groups.set(char, (g = { char, byPrev: new Map(), byNext: new Map() }));
    const offset = literal.indexOf(char);
    if (offset > 0) {
      const key = literal.charCodeAt(offset - 1);
      g.byPrev.set(key, [...(g.byPrev.get(key) ?? []), { literal, offset }]);
    } else {
      const key = literal.charCodeAt(1);
      g.byNext.set(key, [...(g.byNext.get(key) ?? []), literal]);
    }
  }
  return ANCHOR_ORDER.map((c) => groups.get(c)).filter((g): g is AnchorGroup => g !== undefined);
}

const NECESSARY_ALL = Object.values(NECESSARY);
const ANCHORS = anchorGroups([...new Set(NECESSARY_ALL.flatMap((n) => n.literals ?? []))]);
/** Every case-insensitive word, longest first (V8 runs a long-first alternation faster). */
const CI_WORDS_RE = new RegExp(
  [...new Set(NECESSARY_ALL.flatMap((n) => n.ci ?? []))].sort((a, b) => b.length - a.length).map(escapeRe).join('|'), 'i');

/** Hits of one anchor character looked at before the text is taken as possibly holding a secret anyway. */
const MAX_ANCHOR_HITS = 100_000;

function literalAt(text: string, g: AnchorGroup): boolean {
  const { char } = g;
  let hits = 0;
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) {
    if (++hits > MAX_ANCHOR_HITS) return true;
    const before = at > 0 ? g.byPrev.get(text.charCodeAt(at - 1)) : undefined;
    if (before) for (const { literal, offset } of before) if (text.startsWith(literal, at - offset)) return true;
    const after = g.byNext.get(text.charCodeAt(at + 1));
    if (after) for (const literal of after) if (text.startsWith(literal, at)) return true;
  }
  return false;
}

/** The necessary condition of one detector, plainly (what mayHoldSecret decides for all of them at once). */
export function necessaryHolds(detector: string, text: string): boolean {
  const n = NECESSARY[detector];
  if (!n) return true;
  const lower = text.toLowerCase();
  return (n.literals ?? []).some((l) => text.includes(l)) || (n.ci ?? []).some((w) => lower.includes(w));
}

/**
 * False when no detector can match anywhere in `text` (then findSecrets returns nothing); true when one may.
 * Much cheaper than the search itself on text without credentials.
 */
export function mayHoldSecret(text: string): boolean {
  for (const g of ANCHORS) if (literalAt(text, g)) return true;
  return CI_WORDS_RE.test(text);
}

// ---- the same test on bytes ------------------------------------------------------------------------------------
//
// A large file is searched in windows of bytes; a window the test rejects is not even decoded. One pass of
// AsciiWords finds the case-insensitive words (their letters are the common ones, so a byte search would find
// too much) and hands over each anchor byte, where the literals are compared as above: six native searches for
// the anchors, one per character, cost more than that whole pass did.

/**
 * Where in each word its two letter pairs start: pairs rare in English and in code (`ec`+`cr` of `secret`,
 * `iv`+`va` of `private`), so that few hits need a comparison. Any offset is correct; these are faster.
 */
const PAIR_AT: Readonly<Record<string, number>> = {
  key: 0, token: 1, secret: 1, passw: 2, pwd: 0, credential: 7, cohere: 0, mistral: 3, wandb: 2, together: 1,
  private: 2, cloudflare: 4, heroku: 3, dapi: 1, co_api_key: 7,
};
const ANCHOR_OF_BYTE = new Map(ANCHORS.map((g) => [g.char.charCodeAt(0), g]));
/** Occurrences of each anchor byte seen so far in one search (MAX_ANCHOR_HITS, as literalAt counts). */
const anchorHits = new Uint32Array(256);
const ANCHOR_MARKS: ByteMarks = {
  bytes: [...ANCHOR_OF_BYTE.keys()],
  start() {
    for (const b of ANCHOR_OF_BYTE.keys()) anchorHits[b] = 0;
  },
  test(buf, at, from, to) {
    const c = buf[at];
    if (++anchorHits[c] > MAX_ANCHOR_HITS) return true;
    const g = ANCHOR_OF_BYTE.get(c)!;
    const before = at > from ? g.byPrev.get(buf[at - 1]) : undefined;
    if (before) for (const { literal, offset } of before) if (bytesAt(buf, at - offset, literal, from, to)) return true;
    const after = at + 1 < to ? g.byNext.get(buf[at + 1]) : undefined;
    if (after) for (const literal of after) if (bytesAt(buf, at, literal, from, to)) return true;
    return false;
  },
};
const CI_WORDS = new AsciiWords([...new Set(NECESSARY_ALL.flatMap((n) => n.ci ?? []))], PAIR_AT, ANCHOR_MARKS);

function bytesAt(buf: Uint8Array, start: number, literal: string, from: number, to: number): boolean {
  if (start < from || start + literal.length > to) return false;
  for (let i = 0; i < literal.length; i++) if (buf[start + i] !== literal.charCodeAt(i)) return false;
  return true;
}

/**
 * mayHoldSecret on UTF-8 bytes (buf[from, to)): false when the decoded text could hold no match of any detector.
 * The literals and words are ASCII, and ASCII bytes stand for themselves in UTF-8, so no decoding is needed.
 */
export function mayHoldSecretBytes(buf: Buffer, from = 0, to = buf.length): boolean {
  return CI_WORDS.in(buf, from, to);
}

/** Words that mark a value as a stand-in, not a credential. */
const PLACEHOLDER = /example|sample|dummy|placeholder|changeme|change_me|your[_-]?|redacted|x{4,}|\*{3,}|<[^>]*>|\.\.\.|^(?:none|null|true|false|undefined)$/i;
/** A value that names where the secret comes from rather than holding it. */
const REFERENCE = /^(?:\$\{\{?|\$\(|\$[A-Z_]|\{\{|%\(|os\.(?:environ|getenv)|getenv|process\.env|env\.|secrets\.|vars\.|inputs\.|self\.|config\.|settings\.|args\.|params\.)/i;

function isPlaceholderValue(value: string): boolean {
  if (/^(.)\1+$/.test(value)) return true;
  // One character repeated after a known prefix (`hf_xxxx…`, `pplx-0000…`).
  const tail = value.replace(/^[a-zA-Z]{2,6}[_-]/, '');
  return tail.length >= 8 && /^(.)\1+$/.test(tail);
}

/**
 * A name in code, not a value: letters, digits and underscores starting with a letter, made of CamelCase or
 * snake_case words (`Ed25519PrivateKey`, `load_private_key_v2`) or upper-case words joined by underscores
 * (`OPENAI_API_KEY_2`). A word is letters with digits only at its end, and words average at least three
 * characters; random tokens (`tGzv3JOkF0XG5Qx2`, `a8f3k2l9q0`, `K7MDENG`) break one of these almost always.
 */
export function isPlainIdentifier(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(value)) return false;
  const parts = value.split('_').filter(Boolean);
  if (!/[a-z]/.test(value)) return parts.length >= 2 && parts.every((p) => /^\d{1,3}$/.test(p) || (/^[A-Z]{1,12}\d{0,3}$/.test(p) && wordLike(p)));
  const words = parts.flatMap((p) => p.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)).filter(Boolean);
  if (parts.join('').length / words.length < 4) return false;
  let digitGroups = 0, acronyms = 0, prefixes = 0, long = 0;
  for (const w of words) {
    if (/\d/.test(w)) digitGroups++;
    if (/^\d+$/.test(w)) continue;
    if (/^[A-Z]{1,4}\d*$/.test(w)) { acronyms++; continue; }
    if (!/^[A-Z]?[a-z]{2,}\d*$/.test(w) && !/^[A-Za-z]{1,3}\d+$/.test(w)) return false;
    if (wordLike(w)) { if (w.replace(/\d+$/, '').length >= 4) long++; continue; }
    // A short prefix before a number (`v2`, `Ed25519`, `md5`) reads as a name too, once.
    if (!/^[A-Za-z]{1,3}\d+$/.test(w) || ++prefixes > 1) return false;
  }
  return digitGroups <= 2 && long > 0 && acronyms * 2 <= words.length - acronyms;
}

/** Letters that read as a word: a vowel, no more than four consonants and two vowels in a row. */
function wordLike(word: string): boolean {
  const letters = word.replace(/\d+$/, '').toLowerCase();
  return /[aeiou]|^[a-z]*y[a-z]*$/.test(letters) && !/[^aeiou]{5}|[aeiou]{3}/.test(letters.replace(/y/g, '_'));
}

/** Extra checks for the generic detectors, whose expressions alone admit ordinary code. */
function genericPlausible(value: string, detector: string): boolean {
  if (REFERENCE.test(value) || PLACEHOLDER.test(value)) return false;
  if (detector === 'url-credentials') return !/^(?:pass(?:word)?|secret|pwd|\$.*|%.*)$/i.test(value);
  if (!/\d/.test(value) || !/[a-zA-Z]/.test(value)) return false;
  if (isPlainIdentifier(value)) return false;
  // Words joined by separators (`bert-base-uncased-v2`, `my_service.prod`) are names, not keys.
  const parts = value.split(/[-_./]/);
  if (parts.length >= 2 && parts.every((p) => /^[a-zA-Z]*$/.test(p) || p.length <= 3)) return false;
  // Dotted names, paths and model ids (`meta-llama/Llama-2-7b-hf`) are not credentials.
  if (/^[a-z][\w-]*(?:\.[a-z_][\w-]*)+$/i.test(value) && !/[A-Z].*\d|\d.*[A-Z]/.test(value.replace(/\..*/, ''))) return false;
  if (/^[\w.-]+\/[\w.-]+$/.test(value) && /[a-z]-[a-z0-9]/i.test(value)) return false;
  return true;
}

function secretOf(m: RegExpExecArray): { value: string; index: number } | undefined {
  for (let g = 1; g < m.length; g++) {
    if (m[g] !== undefined) {
      const at = m.indices?.[g]?.[0] ?? m.index + m[0].indexOf(m[g]);
      return { value: m[g], index: at };
    }
  }
  return { value: m[0], index: m.index };
}

/** The most matches one detector reports in one text, so that a generated file cannot flood a report. */
const MAX_PER_DETECTOR = 1000;

const compiled = new Map<string, RegExp>();
/** The detector's expression with the `d` flag (group indices), and a sticky twin for matching at one position. */
function regexOf(det: SecretDetector, sticky = false): RegExp {
  const key = sticky ? `${det.id}\0y` : det.id;
  let re = compiled.get(key);
  if (!re) {
    const flags = det.pattern.flags.replace(/[dgy]/g, '') + (sticky ? 'dy' : 'dg');
    compiled.set(key, (re = new RegExp(det.pattern.source, flags)));
  }
  re.lastIndex = 0;
  return re;
}

/** Applies entropy, allowlists and placeholder checks to one match; true when it was kept. */
function accept(det: SecretDetector, text: string, m: RegExpExecArray, out: SecretMatch[]): boolean {
  const secret = secretOf(m);
  if (!secret) return false;
  const { value } = secret;
  if (det.entropy !== undefined && shannonEntropy(value) <= det.entropy) return false;
  if (DOCUMENTED_EXAMPLES.has(value) || det.allow?.(value) || isPlaceholderValue(value)) return false;
  if (det.family === 'generic' && !genericPlausible(value, det.id)) return false;
  const found = serviceAccount(det, text, m, secret) ?? { detector: det.id, value, index: secret.index, length: value.length, severity: det.severity };
  if (m.index < found.index) found.matchIndex = m.index;
  out.push(found);
  return true;
}

function runDetector(det: SecretDetector, text: string, out: SecretMatch[]): void {
  const re = regexOf(det);
  let count = 0;
  for (let m = re.exec(text); m && count < MAX_PER_DETECTOR; m = re.exec(text)) {
    if (m[0].length === 0) { re.lastIndex++; continue; }
    if (accept(det, text, m, out)) count++;
  }
}

/** Keyword hits looked at per detector and text, so that a file of nothing but `token` stays cheap. */
const MAX_HITS = 200_000;
/** `[\w.+-]`: characters of an identifier, a dotted name or a URL scheme. */
function isIdent(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 43;
}

/**
 * Runs a keyword-anchored detector only where its keywords are: the expression is tried, anchored, at the
 * keyword itself (provider-name formats start with the name) and at the start of the identifier or URL scheme
 * around it (the generic formats start there). In code, `key` and `token` are everywhere, and an expression
 * that may start at any identifier is slow when run over a whole file.
 */
function runAtKeywords(det: SecretDetector, text: string, lower: string, out: SecretMatch[]): void {
  const re = regexOf(det, true);
  const tried = new Set<number>();
  let hits = 0, count = 0;
  for (const k of det.keywords) {
    for (let at = lower.indexOf(k); at >= 0 && hits < MAX_HITS && count < MAX_PER_DETECTOR; at = lower.indexOf(k, at + k.length)) {
      hits++;
      let start = at;
      while (start > 0 && at - start < 64 && isIdent(text.charCodeAt(start - 1))) start--;
      for (const from of start === at ? [at] : [at, start]) {
        if (tried.has(from)) continue;
        tried.add(from);
        re.lastIndex = from;
        const m = re.exec(text);
        if (m && accept(det, text, m, out)) count++;
      }
    }
  }
}

/**
 * A service-account descriptor is critical when it carries its `private_key` (the value then is the key); a
 * descriptor without one (redacted, or only the public part) is still worth a look but exposes nothing.
 */
function serviceAccount(det: SecretDetector, text: string, m: RegExpExecArray, secret: { index: number }): SecretMatch | undefined {
  if (det.id !== 'gcp-service-account') return undefined;
  const from = Math.max(0, text.lastIndexOf('{', secret.index));
  const window = text.slice(from, Math.min(text.length, secret.index + 8192));
  const key = /"private_key"\s*:\s*"(-----BEGIN[^"]{64,8192}?PRIVATE KEY-----[^"]*)"/.exec(window);
  if (key && !PLACEHOLDER.test(key[1].slice(30, -30))) {
    const index = from + key.index + key[0].indexOf(key[1]);
    return { detector: det.id, value: key[1], index, length: key[1].length, severity: 'critical' };
  }
  return { detector: det.id, value: m[0], index: m.index, length: m[0].length, severity: 'medium' };
}

/**
 * Every credential in `text`, at most one per span (where matches overlap, the detector listed first wins: the
 * provider's own format beats the generic one), in index order. `prefilter: false` skips the cold-text test
 * (for tests that check it changes nothing).
 */
export function findSecrets(text: string, opts: { prefilter?: boolean } = {}): SecretMatch[] {
  if (text.length < 8 || (opts.prefilter !== false && !mayHoldSecret(text))) return [];
  const lower = lowerOf(text);
  // Lower-casing a few characters (U+0130) changes the length; then windows cannot be mapped back.
  const aligned = lower.length === text.length;
  const present = presentKeywords(lower);
  if (present.size === 0) return [];
  const raw: SecretMatch[] = [];
  for (const det of DETECTORS) {
    if (!det.keywords.some((k) => present.has(k))) continue;
    if (det.near && aligned) runAtKeywords(det, text, lower, raw);
    else runDetector(det, text, raw);
  }
  return dedupe(raw);
}

function dedupe(matches: SecretMatch[]): SecretMatch[] {
  const order = new Map(DETECTORS.map((det, i) => [det.id, i]));
  const ranked = [...matches].sort((a, b) => order.get(a.detector)! - order.get(b.detector)! || a.index - b.index);
  const kept: SecretMatch[] = [];
  for (const m of ranked) {
    if (kept.some((k) => m.index < k.index + k.length && k.index < m.index + m.length)) continue;
    kept.push(m);
  }
  return kept.sort((a, b) => a.index - b.index);
}
