import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { readBounded, rootOf } from '../../detect/cards.js';
import { hashFile, parseSums } from '../../detect/checksums.js';
import { checkDigests, MAX_BUNDLE_BYTES, parseModelSignature, verifySignature, type DigestProblem, type SigningTrust } from '../../detect/signing.js';
import { defineRule, type RunContext } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';

interface Options {
  'require-signature': string[]; 'require-checksum': string[]; 'signature-names': string[];
  'trusted-root': string | null; 'public-keys': string[]; identities: Array<{ issuer: string; subject: string }>;
}
const short = (h: string) => `${h.slice(0, 12)}…`;

export default defineRule<Options>({
  meta: {
    id: 'model/integrity',
    description: 'A model file is not covered by the checksum manifest or OpenSSF model signature the policy requires, or its signature or digests do not verify.',
    help: [
      'Model weights are large opaque files: a swapped checkpoint (a backdoored fine-tune, a pickle with a payload)',
      'looks like any other in a diff. Signing the model directory with OpenSSF model signing (`model_signing sign`,',
      'a Sigstore bundle `model.sig` holding an in-toto statement of every file\'s digest) or listing it in a',
      'checksum manifest lets the gate prove the bytes are the ones the releaser signed off. This rule verifies',
      'each model-signing bundle the change touches or that covers a changed model: the statement\'s per-file',
      'digests against the files (and files in the directory the statement does not list), the signature with',
      '`@sigstore/verify` against the trusted root or public keys the policy supplies, and the signer identity',
      '(issuer and subject) the policy names. Where the policy requires it, models must be signed or listed in',
      'a checksum manifest (`SHA256SUMS`, `FILE.sha256`, DVC `.dvc`).',
      '',
      '',
      'A keyless (Sigstore) signature is accepted only from a signer the policy names: Fulcio gives a certificate',
      'to anyone who signs in with an OIDC account, so a signature that verifies against the public-good trusted',
      'root proves only that someone signed. With no `identities`, every keyless bundle fails. The trusted root',
      'and key files are read from the base commit in a PR, so a PR cannot bring its own trust.',
      '',
      '**Remediation**: re-sign the model after an intended change (`model_signing sign` over the model directory) or',
      'update its manifest in the same PR; restore files that changed by accident. For keyless signatures, commit',
      'Sigstore\'s `trusted_root.json` (e.g. from `sigstore/root-signing` `targets/trusted_root.json`, refreshed when',
      'Sigstore rotates keys) and set `trusted-root` to its path and `identities` to the releasers, e.g.',
      '`{ issuer: https://token.actions.githubusercontent.com, subject: https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main }`',
      '(anchor wildcards: `https://github.com/acme/*`, never `https://github.com/acme*`). For key-based ones, list the',
      'PEM public keys in `public-keys`.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'The PR changes a model that its manifest lists, without updating the manifest',
            lang: 'text',
            code: [
              '# models/classifier/SHA256SUMS (unchanged in this PR)',
              '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae  model.safetensors',
              '# models/classifier/model.safetensors (changed in this PR)',
              '# sha256sum: fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The policy requires a manifest entry, and the PR updates it with the model',
            lang: 'yaml',
            code: [
              '# .github/ai-gate.yml',
              'rules:',
              '  model/integrity:',
              '    require-checksum: ["models/**/*.safetensors"]',
              '# in the PR: cd models/classifier && sha256sum model.safetensors > SHA256SUMS',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'OpenSSF model signing (sigstore/model-transparency)', url: 'https://github.com/sigstore/model-transparency' },
      ],
    },
    kinds: [],
    options: {
      type: 'object',
      properties: {
        'require-signature': { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs of model files that must be covered by a model-signing bundle.' },
        'require-checksum': { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs of model files that must be listed in a checksum manifest.' },
        'signature-names': { type: 'array', items: { type: 'string', minLength: 1 }, description: 'File name globs of model-signing bundles.' },
        'trusted-root': { type: ['string', 'null'], minLength: 1, description: 'Path (from the repository root) of the Sigstore trusted_root.json for keyless bundles; read from the base commit in a PR. Keyless bundles also need `identities`.' },
        'public-keys': { type: 'array', items: { type: 'string', minLength: 1 }, description: 'PEM public keys for key-based bundles, inline or as repository paths (read from the base branch in a PR).' },
        identities: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              issuer: { type: 'string', pattern: '[^*]', description: 'OIDC issuer of the signing certificate, e.g. https://token.actions.githubusercontent.com.' },
              subject: { type: 'string', pattern: '[^*]', description: 'Certificate subject (an email, or a workflow URI for CI signing).' },
            },
            required: ['issuer', 'subject'],
            additionalProperties: false,
          },
          description: 'Accepted signers of keyless bundles: OIDC issuer and certificate subject, both must match; `*` matches any run of characters (`/` included), and a value of only `*` is refused. Required for keyless bundles: with none, every keyless bundle fails.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { 'require-signature': [], 'require-checksum': [], 'signature-names': ['model.sig', '*.sigstore', '*.sigstore.json'], 'trusted-root': null, 'public-keys': [], identities: [] },
  },
  async checkRun(ctx) {
    if (ctx.files.length === 0) return;
    const root = rootOf(ctx.files[0]);
    const isSig = picomatch(ctx.options['signature-names'], { basename: true, dot: true });
    const models = ctx.files.filter((f) => f.kind === 'model');
    // Signatures the change touches, and those in a changed model's folder or its parents.
    const sigs = new Set(ctx.files.filter((f) => isSig(f.path)).map((f) => f.path));
    const listing = new Map<string, string[]>();
    for (const m of models) {
      for (let dir = posix.dirname(m.path); ; dir = posix.dirname(dir)) {
        const rel = dir === '.' ? '' : dir;
        if (!listing.has(rel)) listing.set(rel, await fsp.readdir(join(root, rel)).catch(() => []));
        for (const n of listing.get(rel)!) if (isSig(n)) sigs.add(rel ? `${rel}/${n}` : n);
        if (rel === '') break;
      }
    }
    const covered = new Set<string>();
    let trust: SigningTrust | undefined;
    for (const sig of [...sigs].sort()) {
      trust ??= await loadTrust(ctx, root);
      await checkSignature(ctx, root, sig, trust, covered);
    }
    const mustSign = picomatch(ctx.options['require-signature'], { dot: true });
    for (const m of models) if (ctx.options['require-signature'].length && mustSign(m.path) && !covered.has(m.path)) {
      ctx.report({ path: m.path, message: `The policy requires ${m.path} to be signed, but no model-signing bundle (${ctx.options['signature-names'].join(', ')}) in its folder or a parent lists it; sign the model directory (model_signing sign) and commit the bundle.` });
    }
    const mustSum = picomatch(ctx.options['require-checksum'], { dot: true });
    for (const m of models) if (ctx.options['require-checksum'].length && mustSum(m.path)) await checkListed(ctx, root, m.path);
  },
});

async function readTrusted(ctx: RunContext<Options>, root: string, path: string): Promise<Buffer | undefined> {
  // In a PR the trust material comes from the base branch: the change cannot bring its own root or key.
  if (ctx.change) return ctx.change.readBase(path, MAX_BUNDLE_BYTES);
  return readBounded(join(root, path), MAX_BUNDLE_BYTES);
}

async function loadTrust(ctx: RunContext<Options>, root: string): Promise<SigningTrust> {
  const trust: SigningTrust = { publicKeys: [], identities: ctx.options.identities };
  const rootPath = ctx.options['trusted-root'];
  if (rootPath) {
    const bytes = await readTrusted(ctx, root, rootPath);
    try {
      if (bytes) trust.trustedRoot = JSON.parse(bytes.toString('utf8'));
      else ctx.report({ path: ctx.policy.source, message: `The policy's trusted root ${rootPath} could not be read${ctx.change ? ' at the base commit' : ''}; keyless model signatures cannot be verified. Commit the Sigstore trusted_root.json there.` });
    } catch {
      ctx.report({ path: ctx.policy.source, message: `The policy's trusted root ${rootPath} is not JSON; keyless model signatures cannot be verified. Replace it with a Sigstore trusted_root.json.` });
    }
  }
  for (const key of ctx.options['public-keys']) {
    if (key.trimStart().startsWith('-----BEGIN')) trust.publicKeys.push(key);
    else {
      const bytes = await readTrusted(ctx, root, key);
      if (bytes) trust.publicKeys.push(bytes.toString('utf8'));
      else ctx.report({ path: ctx.policy.source, message: `The policy's public key file ${key} could not be read${ctx.change ? ' at the base commit' : ''}; bundles signed with it cannot be verified. Commit the PEM key there.` });
    }
  }
  return trust;
}

async function checkSignature(ctx: RunContext<Options>, root: string, sig: string, trust: SigningTrust, covered: Set<string>): Promise<void> {
  const bytes = await readBounded(join(root, sig), MAX_BUNDLE_BYTES);
  if (!bytes) return;
  let parsed;
  try {
    parsed = parseModelSignature(bytes.toString('utf8'));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.report({ path: sig, message: `${sig} is not a usable model-signing bundle: ${error.message}; re-create it with model_signing sign.` });
    return;
  }
  const dir = posix.dirname(sig) === '.' ? '' : posix.dirname(sig);
  const inDir = (p: string) => (dir ? `${dir}/${p}` : p);
  for (const r of parsed.statement.resources) covered.add(inDir(r.path));
  const result = verifySignature(parsed, trust);
  if (!result.ok) ctx.report({ path: sig, fingerprintKey: 'signature', message: `The model signature ${sig} does not verify: ${result.reason}. Re-sign the model, or fix the policy's trust settings.` });
  const problems = await checkDigests(join(root, dir), parsed.statement, {
    signatureName: posix.basename(sig), maxBytes: ctx.policy.limits.maxFileBytes, ...(ctx.digest ? { known: (p: string) => ctx.digest!(inDir(p)) } : {}),
  });
  for (const p of problems) report(ctx, sig, inDir(p.path), p);
}

function report(ctx: RunContext<Options>, sig: string, path: string, p: DigestProblem): void {
  const key = { fingerprintKey: `${p.kind}\0${path}` };
  switch (p.kind) {
    case 'missing':
      ctx.report({ path: sig, ...key, message: `${path} is signed in ${sig} but is not in the checkout; restore it, or re-sign the model directory.` });
      return;
    case 'mismatch':
      ctx.report({ path, ...key, message: `${path} does not match its signed digest in ${sig}${p.range ? ` (bytes ${p.range[0]}–${p.range[1]})` : ''}: ${short(p.actual)} instead of ${short(p.expected)}; re-sign the model if the change is intended, or restore the file.` });
      return;
    case 'unsigned': {
      const model = ctx.files.find((f) => f.path === path)?.kind === 'model' || /\.(pt|pth|bin|pkl|pickle|ckpt|safetensors|gguf|onnx|h5|keras|joblib|npy|npz)$/i.test(path);
      ctx.report({ path, ...key, severity: model ? 'high' : 'medium', message: `${path} sits in the signed model directory but ${sig} does not list it; re-sign the model directory with it, or remove it.` });
      return;
    }
    case 'too-large':
      ctx.report({ path, ...key, severity: 'medium', message: `${path} (${p.size} bytes) is larger than the policy's read limit, so its signed digest was not verified; raise limits.max-file-bytes.` });
  }
}

/** The model must be listed in SHA256SUMS beside it, `FILE.sha256` or `FILE.dvc` (data/checksum verifies the hash). */
async function checkListed(ctx: RunContext<Options>, root: string, path: string): Promise<void> {
  const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
  const base = posix.basename(path);
  const names = await fsp.readdir(join(root, dir)).catch(() => [] as string[]);
  const rel = (n: string) => (dir ? `${dir}/${n}` : n);
  if (names.includes(`${base}.sha256`) || names.includes(`${base}.dvc`)) return;
  for (const n of names.filter((x) => /^sha256sums(\.txt)?$/i.test(x))) {
    const bytes = await readBounded(join(root, rel(n)), MAX_BUNDLE_BYTES);
    const entry = bytes && parseSums(bytes.toString('utf8'), rel(n), 'sha256sums').entries.find((e) => e.target === path);
    if (!entry) continue;
    // data/checksum reports mismatches; only when it is off does this rule check the hash itself.
    if (!ctx.policy.rules['data/checksum']?.enabled) {
      const state = await hashFile(root, path, entry.algo, ctx.policy.limits.maxFileBytes, ctx.digest);
      if (state.kind === 'content' && state.hash !== entry.hash) ctx.report({ path, message: `${path} does not match ${rel(n)}: its SHA-256 is ${short(state.hash)} but the manifest records ${short(entry.hash)}; update the manifest if the change is intended, or restore the file.` });
    }
    return;
  }
  ctx.report({ path, message: `The policy requires ${path} to be listed in a checksum manifest, but no SHA256SUMS, ${base}.sha256 or ${base}.dvc beside it lists it; add one (sha256sum ${base} > ${base}.sha256).` });
}
