import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { defineRule, type RunContext } from '../../engine/rule.js';
import { cardField, findCard, readBounded, rootOf, type Card } from '../../detect/cards.js';
import { cardEntries, hashFile, manifestKind, parseManifest, type ManifestEntry } from '../../detect/checksums.js';
import { FormatError } from '../../formats/errors.js';

type Options = { 'report-lfs': boolean };
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const ALGO = { sha256: 'SHA-256', md5: 'MD5' } as const;
const short = (h: string) => `${h.slice(0, 12)}…`;

export default defineRule<Options>({
  meta: {
    id: 'data/checksum',
    description: 'A dataset or model does not match the checksum its manifest (SHA256SUMS, *.sha256, DVC .dvc, dataset card) records.',
    help: [
      'Checksums are how a team knows that the data it trains on is the data it reviewed. A file that no longer',
      'matches its manifest was changed without the manifest (by accident, or to slip poisoned rows or a swapped',
      'model past review). This rule reads the manifests beside the changed files (`SHA256SUMS`, `<file>.sha256`,',
      'DVC `.dvc` files, a `checksums:` mapping in the dataset card) and the manifests the change touches, hashes',
      'each listed file that is present, and reports mismatches. A Git LFS pointer is checked by its `oid` and `size` against the manifest, and the',
      'report says that the content itself was not in the checkout and so was not scanned.',
      '',
      '**Remediation**: if the change to the file is intended, update the manifest in the same PR',
      '(`sha256sum FILE > FILE.sha256`, `dvc commit`); otherwise restore the file. For LFS content, run the',
      'workflow with `lfs: true` on checkout so that the gate scans the real bytes.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'The PR changes data/train.jsonl but not the manifest that records its hash (manifest, then the check)',
            lang: 'text',
            code: [
              '# data/SHA256SUMS (unchanged in this PR)',
              '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae  train.jsonl',
              '# sha256sum -c SHA256SUMS',
              'train.jsonl: FAILED',
            ].join('\n'),
          },
          {
            title: 'A manifest entry for a file that is not in the checkout, so nothing was verified',
            lang: 'text',
            file: 'data/SHA256SUMS',
            code: [
              'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9  train.jsonl',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The manifest is updated in the same PR as the data (`sha256sum train.jsonl > SHA256SUMS`)',
            lang: 'text',
            code: [
              'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9  train.jsonl',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Git LFS pointer file specification', url: 'https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md' },
      ],
    },
    kinds: [],
    options: {
      type: 'object',
      properties: { 'report-lfs': { type: 'boolean', description: 'Report (low) each LFS pointer whose content was not scanned.' } },
      additionalProperties: false,
    },
    defaultOptions: { 'report-lfs': true },
  },
  async checkRun(ctx) {
    if (ctx.files.length === 0) return;
    const root = rootOf(ctx.files[0]);
    const inScope = new Set(ctx.files.map((f) => f.path));
    const manifests = new Set(ctx.files.filter((f) => manifestKind(f.path)).map((f) => f.path));
    // Manifests beside changed datasets and models, even when the change did not touch them.
    const listed = new Map<string, string[]>();
    for (const f of ctx.files) {
      if (f.kind !== 'dataset' && f.kind !== 'model') continue;
      const dir = posix.dirname(f.path);
      if (!listed.has(dir)) listed.set(dir, await fsp.readdir(join(root, dir)).catch(() => []));
      for (const name of listed.get(dir)!) {
        const rel = dir === '.' ? name : `${dir}/${name}`;
        const base = posix.basename(f.path);
        if (/^sha256sums(\.txt)?$/i.test(name) || name === `${base}.sha256` || name === `${base}.dvc`) manifests.add(rel);
      }
    }
    for (const manifest of [...manifests].sort()) await verifyManifest(ctx, root, manifest, inScope);
    // Checksums listed in the dataset cards that cover the changed datasets.
    const cards = new Map<string, Card>();
    for (const f of ctx.files) {
      if (f.kind !== 'dataset') continue;
      const card = await findCard(f);
      if (card && cardField(card, 'checksums') !== undefined) cards.set(card.path, card);
    }
    for (const card of cards.values()) {
      const { entries, errors } = cardEntries(card.path, cardField(card, 'checksums'));
      if (errors.length) ctx.report({ path: card.path, severity: 'medium', message: `The dataset card's checksums could not all be read (${errors.join('; ')}); those files were not verified. Fix the card.` });
      for (const e of entries) if (inScope.has(card.path) || inScope.has(e.target)) await verifyEntry(ctx, root, card.path, e, false);
    }
  },
});

async function verifyManifest(ctx: RunContext<Options>, root: string, manifest: string, inScope: Set<string>): Promise<void> {
  const kind = manifestKind(manifest)!;
  const bytes = await readBounded(join(root, manifest), MAX_MANIFEST_BYTES);
  if (!bytes) return;
  let parsed: { entries: ManifestEntry[]; errors: string[] };
  try {
    parsed = parseManifest(bytes.toString('utf8'), manifest, kind);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.report({ path: manifest, severity: 'medium', message: `The checksum manifest could not be parsed (${error.message}); the files it lists were not verified. Fix the manifest.` });
    return;
  }
  if (parsed.errors.length) {
    ctx.report({ path: manifest, severity: 'medium', message: `The checksum manifest has entries that could not be read (${parsed.errors.join('; ')}); those files were not verified. Fix the manifest.` });
  }
  const touched = inScope.has(manifest);
  for (const entry of parsed.entries) {
    if (!touched && !inScope.has(entry.target)) continue;
    await verifyEntry(ctx, root, manifest, entry, kind === 'dvc');
  }
}

async function verifyEntry(ctx: RunContext<Options>, root: string, manifest: string, e: ManifestEntry, dvc: boolean): Promise<void> {
  const where = { path: manifest, ...(e.line ? { line: e.line } : {}), fingerprintKey: `${e.target}\0${e.hash}` };
  const state = await hashFile(root, e.target, e.algo, ctx.policy.limits.maxFileBytes, ctx.digest);
  const algo = ALGO[e.algo];
  switch (state.kind) {
    case 'absent':
      // DVC outputs are normally not checked in (dvc pull fetches them): absence is not a finding there.
      if (!dvc) ctx.report({ ...where, severity: 'low', message: `${e.target} is listed in this manifest but is not in the checkout, so its ${algo} was not verified; remove the entry or add the file.` });
      return;
    case 'too-large':
      ctx.report({ ...where, severity: 'medium', message: `${e.target} (${state.size} bytes) is larger than the policy's read limit, so its ${algo} was not verified; raise limits.max-file-bytes to verify it.` });
      return;
    case 'lfs': {
      const { pointer } = state;
      const oidWrong = e.algo === 'sha256' && pointer.oid !== e.hash;
      const sizeWrong = e.size !== undefined && e.size !== pointer.size;
      if (oidWrong || sizeWrong) {
        ctx.report({ ...where, message: `${e.target} is a Git LFS pointer whose ${oidWrong ? `oid ${short(pointer.oid)} differs from the manifest's ${short(e.hash)}` : `size ${pointer.size} differs from the manifest's ${e.size}`}; the content was not in the checkout and was not scanned. Update the manifest if the change is intended, or restore the file.` });
      } else if (ctx.options['report-lfs']) {
        ctx.report({ ...where, severity: 'low', message: `${e.target} is a Git LFS pointer (oid ${short(pointer.oid)}, ${pointer.size} bytes)${e.algo === 'sha256' ? ' that matches the manifest' : ''}; its content was not in the checkout and was not scanned. Check out with LFS so the gate can read it.` });
      }
      return;
    }
    case 'content':
      if (state.hash !== e.hash || (e.size !== undefined && e.size !== state.size)) {
        const what = state.hash !== e.hash ? `its ${algo} is ${short(state.hash)} but the manifest records ${short(e.hash)}` : `it is ${state.size} bytes but the manifest records ${e.size}`;
        ctx.report({ ...where, message: `${e.target} does not match this manifest: ${what}. Update the manifest in this PR if the change is intended, or restore the file.` });
      }
  }
}
