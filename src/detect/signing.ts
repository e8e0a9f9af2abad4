/**
 * OpenSSF model signing (https://github.com/sigstore/model-transparency): a Sigstore bundle (`model.sig` by
 * default) whose DSSE envelope carries an in-toto Statement v1 with predicate type
 * `https://model_signing/signature/v1.0` listing every file of the model directory and its digest
 * (`predicate.resources[]: { name, algorithm, digest }`, names relative to the signed directory, `/`-separated;
 * with `serialization.method: shards` a name is `path:start:end`). The older `https://model_signing/Digests/v0.1`
 * form lists the files as the statement's subjects instead.
 *
 * The signature is verified with @sigstore/verify: keyless bundles (a Fulcio certificate, transparency log
 * entries) against the trusted root the policy supplies, with the signer identity (certificate issuer and
 * subject) matched against the policy; key-based bundles against the policy's public keys. Nothing here
 * touches the network: the trusted root is data the policy hands in.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { FormatError } from '../formats/errors.js';
import type { KnownDigest } from '../engine/rule.js';

export const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;
export const MAX_RESOURCES = 100_000;
export const PREDICATE_V1 = 'https://model_signing/signature/v1.0';
export const PREDICATE_V01 = 'https://model_signing/Digests/v0.1';
const IN_TOTO = 'application/vnd.in-toto+json';
/** model_signing's hash names → Node's (blake2 there is BLAKE2b with a 64-byte digest). */
const ALGOS: Record<string, string> = { sha256: 'sha256', blake2: 'blake2b512', blake2b: 'blake2b512', sha512: 'sha512' };

export interface SignedResource {
  /** Relative to the signed directory. */
  path: string;
  /** For shard serialization: the byte range [start, end). */
  range?: [number, number];
  algorithm: string;
  digest: string;
}

export interface ModelStatement {
  predicateType: string;
  method: string;
  resources: SignedResource[];
  ignorePaths: string[];
}

export interface ParsedSignature {
  bundle: Bundle;
  statement: ModelStatement;
  keyless: boolean;
}

/** Parses a model-signing bundle; FormatError for anything that is not one. */
export function parseModelSignature(text: string): ParsedSignature {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`not JSON (${(error as Error).message})`);
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    throw new FormatError(`not a valid Sigstore bundle (${(error as Error).message})`);
  }
  if (bundle.content.$case !== 'dsseEnvelope') throw new FormatError('the bundle signs a message, not an in-toto statement');
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO) throw new FormatError(`the envelope's payload type is ${JSON.stringify(env.payloadType)}, not ${IN_TOTO}`);
  const keyless = bundle.verificationMaterial.content.$case !== 'publicKey';
  return { bundle, statement: parseStatement(env.payload), keyless };
}

function parseStatement(payload: Buffer): ModelStatement {
  let s: any;
  try {
    s = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new FormatError('the in-toto statement is not JSON');
  }
  if (typeof s !== 'object' || s === null || !String(s._type ?? '').startsWith('https://in-toto.io/Statement/')) throw new FormatError('the payload is not an in-toto statement');
  const predicateType = String(s.predicateType ?? '');
  if (predicateType === PREDICATE_V1) {
    const p = s.predicate ?? {};
    const raw = Array.isArray(p.resources) ? p.resources : [];
    if (raw.length > MAX_RESOURCES) throw new FormatError(`more than ${MAX_RESOURCES} signed files`);
    const method = String(p.serialization?.method ?? 'files');
    const resources = raw.map((r: any, i: number) => resource(r?.name, r?.algorithm ?? p.serialization?.hash_type, r?.digest, method, i));
    const ignorePaths = Array.isArray(p.serialization?.ignore_paths) ? p.serialization.ignore_paths.filter((x: unknown) => typeof x === 'string') : [];
    // The subject's digest is SHA-256 over the resources' digests in order (checked against model-transparency's
    // recorded v1.0 bundles); a statement whose subject does not match its own list was not made by the tool.
    const subject = Array.isArray(s.subject) ? s.subject[0]?.digest?.sha256 : undefined;
    if (typeof subject === 'string') {
      const root = createHash('sha256');
      for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
      if (root.digest('hex') !== subject.toLowerCase()) throw new FormatError("the statement's subject digest does not match its list of files");
    }
    return { predicateType, method, resources, ignorePaths };
  }
  if (predicateType === PREDICATE_V01) {
    const raw = Array.isArray(s.subject) ? s.subject : [];
    if (raw.length > MAX_RESOURCES) throw new FormatError(`more than ${MAX_RESOURCES} signed files`);
    const resources = raw.map((r: any, i: number) => resource(r?.name, 'sha256', r?.digest?.sha256, 'files', i));
    return { predicateType, method: 'files', resources, ignorePaths: [] };
  }
  throw new FormatError(`the statement's predicate type ${JSON.stringify(predicateType)} is not OpenSSF model signing`);
}

function resource(name: unknown, algorithm: unknown, digest: unknown, method: string, i: number): SignedResource {
  if (typeof name !== 'string' || typeof digest !== 'string' || typeof algorithm !== 'string') throw new FormatError(`signed file ${i + 1} has no name, algorithm or digest`);
  if (!ALGOS[algorithm]) throw new FormatError(`signed file ${JSON.stringify(name)} uses the hash ${JSON.stringify(algorithm)}, which is not supported`);
  let path = name;
  let range: [number, number] | undefined;
  const shard = method === 'shards' ? /^(.*):(\d+):(\d+)$/.exec(name) : null;
  if (shard) {
    path = shard[1];
    range = [Number(shard[2]), Number(shard[3])];
  }
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '..' || p === '')) throw new FormatError(`signed file name ${JSON.stringify(name)} leaves the model directory`);
  return { path, ...(range ? { range } : {}), algorithm, digest: digest.toLowerCase() };
}

/** What the policy trusts. */
export interface SigningTrust {
  /** A Sigstore trusted root (trusted_root.json), for keyless bundles. */
  trustedRoot?: unknown;
  /** Public keys (PEM) for key-based bundles. */
  publicKeys: string[];
  /**
   * Accepted signers of keyless bundles; `*` in either field matches any run of characters (`/` and `@`
   * included). Required for keyless bundles: with none, every keyless bundle is rejected.
   */
  identities: Array<{ issuer: string; subject: string }>;
}

export type SignatureResult =
  | { ok: true; issuer?: string; subject?: string }
  | { ok: false; reason: string };

/** Verifies the bundle's signature and (keyless) signer identity. Never throws for a bad bundle. */
export function verifySignature(parsed: ParsedSignature, trust: SigningTrust): SignatureResult {
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(parsed.bundle);
  } catch (error) {
    return { ok: false, reason: `its bundle cannot be verified (${(error as Error).message})` };
  }
  return parsed.keyless ? verifyKeyless(entity, trust) : verifyWithKeys(entity, trust);
}

function verifyWithKeys(entity: SignedEntity, trust: SigningTrust): SignatureResult {
  if (trust.publicKeys.length === 0) return { ok: false, reason: 'it is signed with a key, and the policy names no public key to verify it with' };
  let keys: KeyObject[];
  try {
    keys = trust.publicKeys.map((pem) => createPublicKey(pem));
  } catch (error) {
    return { ok: false, reason: `a public key in the policy could not be read (${(error as Error).message})` };
  }
  for (const key of keys) {
    const material: TrustMaterial = {
      certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [],
      publicKey: () => ({ publicKey: key, validFor: () => true }),
    };
    try {
      new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(entity);
      return { ok: true };
    } catch {
      // Try the next key.
    }
  }
  return { ok: false, reason: `its signature does not verify with any of the policy's ${keys.length} public key(s)` };
}

function verifyKeyless(entity: SignedEntity, trust: SigningTrust): SignatureResult {
  if (trust.trustedRoot === undefined) return { ok: false, reason: 'it is a keyless (Sigstore) signature, and the policy supplies no trusted root to verify it against' };
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(TrustedRoot.fromJSON(trust.trustedRoot));
  } catch (error) {
    return { ok: false, reason: `the policy's trusted root could not be read (${(error as Error).message})` };
  }
  let signer;
  try {
    // Default thresholds: one transparency-log entry, one SCT, one verified timestamp (the log's integrated time).
    signer = new Verifier(material).verify(entity);
  } catch (error) {
    return { ok: false, reason: `its signature does not verify against the trusted root (${(error as Error).message})` };
  }
  const issuer = signer.identity?.extensions?.issuer;
  const subject = signer.identity?.subjectAlternativeName;
  const who = `${subject ?? 'an unknown subject'} (issuer ${issuer ?? 'unknown'})`;
  // Fulcio issues a certificate to anyone who can sign in with an OIDC account, and the public-good trusted root
  // vouches for all of them: a valid keyless signature alone proves only that *someone* signed. So without named
  // signers nothing is accepted.
  if (trust.identities.length === 0) {
    return { ok: false, reason: `it was signed by ${who}, but the policy names no signer identities, and anyone can get a Sigstore certificate for their own account; list the expected issuer and subject in model/integrity identities` };
  }
  if (!trust.identities.some((id) => matchesIdentity(id, issuer, subject))) {
    return { ok: false, reason: `it was signed by ${who}, who is not among the policy's ${trust.identities.length} signer identit${trust.identities.length === 1 ? 'y' : 'ies'}` };
  }
  return { ok: true, ...(issuer ? { issuer } : {}), ...(subject ? { subject } : {}) };
}

/** Both fields must match; a pattern of nothing but `*` never matches (it would accept anyone). */
export function matchesIdentity(id: { issuer: string; subject: string }, issuer: string | undefined, subject: string | undefined): boolean {
  return wildcard(id.issuer, issuer) && wildcard(id.subject, subject);
}

function wildcard(pattern: string, value: string | undefined): boolean {
  if (value === undefined || !/[^*]/.test(pattern)) return false;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

export type DigestProblem =
  | { kind: 'missing'; path: string }
  | { kind: 'mismatch'; path: string; expected: string; actual: string; range?: [number, number] }
  | { kind: 'unsigned'; path: string }
  | { kind: 'too-large'; path: string; size: number };

/**
 * Compares the statement's digests with the files under `dirAbs` (no symlink followed): files that are listed
 * but absent or different, and files present in the directory but not signed (except the signature itself and
 * the statement's ignore paths). Hashing is the one full read of each file.
 */
export async function checkDigests(dirAbs: string, statement: ModelStatement, opts: {
  signatureName: string; maxBytes: number; maxFiles?: number;
  /** The scan's digests of the directory's files (path relative to it; RunContext.digest): whole-file SHA-256s not read again. */
  known?: (path: string) => Promise<KnownDigest | undefined>;
}): Promise<DigestProblem[]> {
  const problems: DigestProblem[] = [];
  const listed = new Set(statement.resources.map((r) => r.path));
  for (const r of statement.resources) {
    const d = !r.range && ALGOS[r.algorithm] === 'sha256' ? await opts.known?.(r.path) : undefined;
    const got = d && !d.truncated && d.size <= opts.maxBytes ? { kind: 'ok' as const, digest: d.sha256 }
      : await hashRange(join(dirAbs, r.path), ALGOS[r.algorithm], r.range, opts.maxBytes);
    if (got.kind === 'absent') problems.push({ kind: 'missing', path: r.path });
    else if (got.kind === 'too-large') problems.push({ kind: 'too-large', path: r.path, size: got.size });
    else if (got.digest !== r.digest) problems.push({ kind: 'mismatch', path: r.path, expected: r.digest, actual: got.digest, ...(r.range ? { range: r.range } : {}) });
  }
  const ignored = (p: string) => p === opts.signatureName || statement.ignorePaths.some((i) => p === i || p.startsWith(`${i.replace(/\/$/, '')}/`));
  for (const p of await listFiles(dirAbs, opts.maxFiles ?? 10_000)) if (!listed.has(p) && !ignored(p) && !p.startsWith('.git/')) problems.push({ kind: 'unsigned', path: p });
  return problems;
}

async function hashRange(abs: string, algo: string, range: [number, number] | undefined, maxBytes: number):
  Promise<{ kind: 'absent' } | { kind: 'too-large'; size: number } | { kind: 'ok'; digest: string }> {
  let handle;
  try {
    handle = await fsp.open(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return { kind: 'absent' };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { kind: 'absent' };
    const [start, end] = range ?? [0, stat.size];
    if (end - start > maxBytes) return { kind: 'too-large', size: stat.size };
    const hash = createHash(algo);
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(4 * 1024 * 1024, end - start)));
    for (let at = start; at < Math.min(end, stat.size);) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - at), at);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    return { kind: 'ok', digest: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/** Regular files under a directory, relative and `/`-separated, without following symlinks; bounded. */
async function listFiles(dirAbs: string, max: number): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const entries = await fsp.readdir(join(dirAbs, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= max) return;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && e.name !== '.git') await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk('');
  return out;
}
