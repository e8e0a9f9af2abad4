/**
 * Checksum manifests and Git LFS pointers: parsing (pure) and verification (bounded streaming hash of the
 * files a manifest names, inside the scanned root only).
 */
import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { FormatError } from '../formats/errors.js';
import { parseYamlWithPositions } from '../formats/yaml-positions.js';
import type { KnownDigest } from '../engine/rule.js';

export type HashAlgo = 'sha256' | 'md5';

export interface ManifestEntry {
  /** Target relative to the scanned root. */
  target: string;
  algo: HashAlgo;
  /** Lower-case hex. */
  hash: string;
  size?: number;
  /** 1-based line in the manifest. */
  line?: number;
}

export type ManifestKind = 'sha256sums' | 'sha256-file' | 'dvc';

/** Which manifest format a path is, by name. */
export function manifestKind(path: string): ManifestKind | undefined {
  const base = posix.basename(path).toLowerCase();
  if (/^sha256sums(\.txt)?$/.test(base)) return 'sha256sums';
  if (base.endsWith('.sha256')) return 'sha256-file';
  if (base.endsWith('.dvc') && base !== '.dvc') return 'dvc';
  return undefined;
}

/** Resolves a manifest's relative target against the manifest's folder; undefined when it leaves the root. */
export function resolveTarget(manifestPath: string, target: string): string | undefined {
  if (target.startsWith('/') || /^[a-z]:[\\/]/i.test(target) || target.includes('\0')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(manifestPath), target.replace(/\\/g, '/')));
  if (joined === '..' || joined.startsWith('../') || joined === '.') return undefined;
  return joined;
}

/**
 * `sha256sum` output (`HASH  name`, `HASH *name` for binary mode, BSD `SHA256 (name) = HASH`), one or many
 * lines; a `.sha256` file may hold just the hash of the file it is named after.
 */
export function parseSums(text: string, manifestPath: string, kind: ManifestKind): { entries: ManifestEntry[]; errors: string[] } {
  const entries: ManifestEntry[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line);
    let hash: string | undefined, name: string | undefined;
    if (m) { hash = m[1]; name = m[2]; }
    else if ((m = /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/.exec(line))) { name = m[1]; hash = m[2]; }
    else if (kind === 'sha256-file' && /^[0-9a-fA-F]{64}$/.test(line)) { hash = line; name = posix.basename(manifestPath).replace(/\.sha256$/i, ''); }
    if (!hash || !name) { if (errors.length < 5) errors.push(`line ${i + 1} is not "HASH  name"`); return; }
    const target = resolveTarget(manifestPath, name.trim());
    if (!target) { if (errors.length < 5) errors.push(`line ${i + 1} names a path outside the repository`); return; }
    entries.push({ target, algo: 'sha256', hash: hash.toLowerCase(), line: i + 1 });
  });
  return { entries, errors };
}

/** A DVC `.dvc` file's `outs` (md5 or sha256 with size), each relative to the .dvc file's folder. */
export function parseDvc(text: string, manifestPath: string): { entries: ManifestEntry[]; errors: string[] } {
  const doc = parseYamlWithPositions(text, manifestPath);
  const outs = (doc.value as { outs?: unknown })?.outs;
  const entries: ManifestEntry[] = [];
  const errors: string[] = [];
  if (!Array.isArray(outs)) return { entries, errors: ['no `outs` list'] };
  outs.slice(0, 10_000).forEach((o, i) => {
    if (!o || typeof o !== 'object') return;
    const out = o as Record<string, unknown>;
    const path = typeof out.path === 'string' ? out.path : undefined;
    const md5 = typeof out.md5 === 'string' ? out.md5 : undefined;
    const sha = typeof out.sha256 === 'string' ? out.sha256 : undefined;
    if (!path || (!md5 && !sha)) return;
    if ((md5 ?? sha)!.endsWith('.dir')) return; // a directory's listing hash, not a file's
    const target = resolveTarget(manifestPath, path);
    if (!target) { errors.push(`outs[${i}] names a path outside the repository`); return; }
    const line = doc.positionOf(`/outs/${i}/${md5 ? 'md5' : 'sha256'}`)?.line;
    entries.push({
      target, algo: md5 ? 'md5' : 'sha256', hash: (md5 ?? sha)!.toLowerCase(),
      ...(typeof out.size === 'number' ? { size: out.size } : {}), ...(line ? { line } : {}),
    });
  });
  return { entries, errors };
}

export interface LfsPointer { oid: string; size: number }

const LFS_HEAD = 'version https://git-lfs.github.com/spec/v1';

/** A Git LFS pointer file (spec: git-lfs/docs/spec.md): small, text, `version`, `oid sha256:…`, `size`. */
export function parseLfsPointer(bytes: Buffer): LfsPointer | undefined {
  if (bytes.length > 1024 || !bytes.subarray(0, LFS_HEAD.length).equals(Buffer.from(LFS_HEAD))) return undefined;
  const text = bytes.toString('utf8');
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  return oid && size ? { oid, size: Number(size) } : undefined;
}

export type FileState =
  | { kind: 'absent' }
  | { kind: 'lfs'; pointer: LfsPointer }
  | { kind: 'content'; hash: string; size: number }
  | { kind: 'too-large'; size: number };

/**
 * Hashes a file under the root (no final symlink followed), or says it is an LFS pointer, absent or too large.
 * `known`: the digests the scan computed anyway (RunContext.digest); a SHA-256 of a whole file larger than an
 * LFS pointer is taken from there instead of reading the file again.
 */
export async function hashFile(root: string, target: string, algo: HashAlgo, maxBytes: number, known?: (path: string) => Promise<KnownDigest | undefined>): Promise<FileState> {
  if (algo === 'sha256' && known) {
    const d = await known(target);
    if (d && !d.truncated && d.size > 1024 && d.size <= maxBytes) return { kind: 'content', hash: d.sha256, size: d.size };
  }
  let handle;
  try {
    handle = await fsp.open(join(root, target), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return { kind: 'absent' };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { kind: 'absent' };
    if (stat.size > maxBytes) return { kind: 'too-large', size: stat.size };
    const hash = createHash(algo);
    const buf = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, Math.max(1, stat.size)));
    let first: Buffer | undefined;
    for (let at = 0; at < stat.size;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, at);
      if (bytesRead === 0) break;
      if (at === 0) first = Buffer.from(buf.subarray(0, Math.min(bytesRead, 1024)));
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    const pointer = stat.size <= 1024 && first ? parseLfsPointer(first) : undefined;
    if (pointer) return { kind: 'lfs', pointer };
    return { kind: 'content', hash: hash.digest('hex'), size: stat.size };
  } finally {
    await handle.close();
  }
}

/** Parses a manifest by kind; FormatError for YAML errors in .dvc files. */
export function parseManifest(text: string, path: string, kind: ManifestKind): { entries: ManifestEntry[]; errors: string[] } {
  if (kind === 'dvc') return parseDvc(text, path);
  return parseSums(text, path, kind);
}

export { FormatError };

/**
 * Checksums a dataset card lists (`checksums: { train.csv: <sha256>, … }`, values optionally `sha256:`- or
 * `md5:`-prefixed), resolved against the card's folder.
 */
export function cardEntries(cardPath: string, value: unknown): { entries: ManifestEntry[]; errors: string[] } {
  const entries: ManifestEntry[] = [];
  const errors: string[] = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { entries, errors: ['`checksums` is not a mapping of file names to hashes'] };
  for (const [name, raw] of Object.entries(value as Record<string, unknown>).slice(0, 10_000)) {
    const m = /^(?:(sha256|md5):)?([0-9a-f]+)$/i.exec(String(raw ?? '').trim());
    const algo = (m?.[1]?.toLowerCase() ?? (m?.[2].length === 32 ? 'md5' : 'sha256')) as HashAlgo;
    if (!m || m[2].length !== (algo === 'md5' ? 32 : 64)) { if (errors.length < 5) errors.push(`the checksum for ${JSON.stringify(name)} is not a SHA-256 or MD5 hex digest`); continue; }
    const target = resolveTarget(cardPath, name);
    if (!target) { if (errors.length < 5) errors.push(`${JSON.stringify(name)} is a path outside the repository`); continue; }
    entries.push({ target, algo, hash: m[2].toLowerCase() });
  }
  return { entries, errors };
}
