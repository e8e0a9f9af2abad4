import { join } from 'node:path';
import picomatch from 'picomatch';
import { cardField, findCard, isCardFile, readBounded, rootOf, type Card } from '../../detect/cards.js';
import { confidenceAtLeast, findPii, type PiiMatch } from '../../detect/pii.js';
import { redact } from '../../engine/redact.js';
import { defineRule } from '../../engine/rule.js';
import type { ScannedFile } from '../../discovery/types.js';

interface Options { paths: string[]; 'card-keys': string[] }

const PII_SAMPLE_BYTES = 1024 * 1024;
/** Files that describe or configure encryption rather than hold data. */
const METADATA = /(^|\/)(\.gitattributes|\.gitignore|\.sops\.ya?ml|\.git-crypt\/.*|[^/]*\.(pub|asc\.pub))$|(^|\/)readme\.md$/i;

/**
 * How encrypted files start (or mark themselves), by tool:
 * - git-crypt: the 10-byte header `\0GITCRYPT\0` (git-crypt's README, "file format").
 * - age: `age-encryption.org/v1` (binary) or `-----BEGIN AGE ENCRYPTED FILE-----` (armored), from the age spec.
 * - OpenPGP (GPG): an armored `-----BEGIN PGP MESSAGE-----`, or a binary packet (RFC 4880 §4.2) whose tag is a
 *   public-key or symmetric-key encrypted session key (1, 3) or a symmetrically encrypted/integrity-protected
 *   data packet (9, 18).
 * - SOPS: values in `ENC[AES256_GCM,data:...]` form (JSON, YAML, dotenv, binary) or `sops_version=` (dotenv/ini).
 */
export function encryptionMarker(head: Buffer): string | undefined {
  if (head.subarray(0, 10).equals(Buffer.from('\0GITCRYPT\0', 'latin1'))) return 'git-crypt';
  const text = head.toString('latin1');
  if (text.startsWith('age-encryption.org/v1') || text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')) return 'age';
  if (/^\s*-----BEGIN PGP MESSAGE-----/.test(text)) return 'GPG';
  if (head.length > 2 && pgpPacketTag(head[0]) !== undefined) return 'GPG';
  // SOPS writes its metadata at the end of the file (maybe past the head), but every value it encrypts has this form.
  if (/ENC\[AES256_GCM,data:/.test(text) || /(^|\n)sops_version=/.test(text)) return 'SOPS';
  return undefined;
}

function pgpPacketTag(b: number): number | undefined {
  if ((b & 0x80) === 0) return undefined;
  const tag = b & 0x40 ? b & 0x3f : (b >> 2) & 0x0f;
  return [1, 3, 9, 18].includes(tag) ? tag : undefined;
}

/** Card keys that mark a dataset sensitive, with values that mean yes. */
function cardSaysSensitive(card: Card, keys: string[]): string | undefined {
  for (const key of keys) {
    const v = cardField(card, key);
    if (v === true || (typeof v === 'string' && /^(yes|true|high|confidential|restricted|secret|sensitive|pii|personal)$/i.test(v.trim()))) return `${key}: ${String(v)}`;
    if (Array.isArray(v) && v.some((t) => typeof t === 'string' && /^(sensitive|pii|personal[-_ ]data|confidential)$/i.test(t))) return `${key} includes ${v.find((t) => typeof t === 'string' && /^(sensitive|pii|personal[-_ ]data|confidential)$/i.test(t))}`;
  }
  return undefined;
}

export default defineRule<Options>({
  meta: {
    id: 'data/sensitive-unencrypted',
    description: 'A dataset that its card marks sensitive, or that sits under a sensitive path of the policy, is stored in plaintext.',
    help: [
      'Training data with personal or confidential records must not sit in a repository in plaintext: every clone,',
      'fork, CI cache and backup then holds it, and git history keeps it after deletion. Teams that must keep such',
      'data beside the code encrypt it (SOPS, age, git-crypt or GPG) so that only the pipeline holding the key can',
      'read it. This rule checks datasets whose card marks them sensitive (for example `sensitive: true`,',
      '`pii: true`, `sensitivity: confidential`, or a `pii` tag) and every file under the policy\'s sensitive',
      'paths: a file without an encryption marker fails, and the message says when it also holds personal data.',
      '',
      '**Remediation**: remove the plaintext file from the PR (and from history if it was pushed), encrypt it',
      '(`sops -e`, `age -r`, `git-crypt` with a `.gitattributes` filter, or `gpg -e`) and commit the encrypted',
      'file. If the data is not sensitive, correct the card or the policy\'s `paths`.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'The dataset card marks the data as personal data, and the CSV beside it is plaintext',
            lang: 'text',
            code: [
              '# data/customers/README.md',
              '---',
              'license: other',
              'pii: true',
              '---',
              '# data/customers/extract.csv (plaintext)',
              'customer_id,country,churned',
              '1001,DE,0',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The extract is committed encrypted with age (`age -r RECIPIENT -a`)',
            lang: 'text',
            file: 'data/customers/extract.csv.age',
            code: [
              '-----BEGIN AGE ENCRYPTED FILE-----',
              '(armored ciphertext)',
              '-----END AGE ENCRYPTED FILE-----',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'age file format specification (C2SP)', url: 'https://github.com/C2SP/C2SP/blob/main/age.md' },
        { title: 'SOPS', url: 'https://github.com/getsops/sops' },
      ],
    },
    kinds: [],
    options: {
      type: 'object',
      properties: {
        paths: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs (relative to the root) under which every data file must be encrypted.' },
        'card-keys': { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Dataset card keys that mark the data sensitive.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { paths: [], 'card-keys': ['sensitive', 'sensitivity', 'pii', 'contains_pii', 'personal_data', 'confidential', 'tags'] },
  },
  async checkRun(ctx) {
    const under = ctx.options.paths.length ? picomatch(ctx.options.paths.map((p) => (p.endsWith('/') ? `${p}**` : p)), { dot: true }) : () => false;
    for (const file of ctx.files) {
      if (isCardFile(file.path) || METADATA.test(file.path) || file.size === 0) continue;
      let why: string | undefined;
      if (under(file.path)) why = 'it is under a sensitive path of the policy';
      else if (file.kind === 'dataset') {
        const card = await findCard(file);
        const mark = card && cardSaysSensitive(card, ctx.options['card-keys']);
        if (mark) why = `its card ${card.path} marks it sensitive (${mark})`;
      }
      if (!why || encryptionMarker(file.head)) continue;
      const pii = await personalData(file);
      const holds = pii.length ? `, and it holds personal data (${summarise(pii)})` : '';
      ctx.report({
        path: file.path,
        ...(pii.length ? { sensitive: pii.map((m) => m.value) } : {}),
        message: `${file.path} is stored in plaintext but ${why}${holds}; encrypt it (SOPS, age, git-crypt or GPG) before committing, and remove the plaintext from the branch.`,
      });
    }
  },
});

async function personalData(file: ScannedFile): Promise<PiiMatch[]> {
  if (file.kind === 'model' || file.kind === 'binary') return [];
  const bytes = await readBounded(join(rootOf(file), file.path), PII_SAMPLE_BYTES);
  if (!bytes || bytes.includes(0)) return [];
  return findPii(bytes.toString('utf8')).filter((m) => confidenceAtLeast(m.confidence, 'medium')).slice(0, 1000);
}

function summarise(matches: PiiMatch[]): string {
  const counts = new Map<string, number>();
  for (const m of matches) counts.set(m.entity, (counts.get(m.entity) ?? 0) + 1);
  const first = redact(matches[0].value);
  return `${[...counts].map(([e, n]) => `${e} ×${n}`).join(', ')}; first ${first}`;
}
