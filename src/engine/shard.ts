import { createHash } from 'node:crypto';
import { ConfigurationError } from './errors.js';

/** One shard of a scan split across a matrix: `index` is 1-based, `1 <= index <= total`. */
export interface Shard {
  index: number;
  total: number;
}

/** The most shards a scan may be split into (GitHub Actions' matrix allows 256 jobs). */
export const MAX_SHARDS = 256;

/** Parses `i/n` (the `--shard` flag, the `shard` input); `what` names the source in the error. */
export function parseShard(value: string, what = '--shard'): Shard {
  const m = /^\s*(\d{1,3})\s*\/\s*(\d{1,3})\s*$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || total > MAX_SHARDS || index < 1 || index > total) {
    throw new ConfigurationError(`${what} "${value}" is not a shard; expected i/n with 1 <= i <= n <= ${MAX_SHARDS} (e.g. 2/4)`);
  }
  return { index, total };
}

/**
 * The shard (1-based) a path belongs to: the first 6 bytes of SHA-256 of the `/`-separated relative path, modulo
 * the shard count. Depends on nothing but the path, so every job of a matrix agrees without talking.
 */
export function shardOf(path: string, total: number): number {
  if (total <= 1) return 1;
  const digest = createHash('sha256').update(path, 'utf8').digest();
  return (digest.readUIntBE(0, 6) % total) + 1;
}

export function inShard(path: string, shard: Shard | undefined): boolean {
  return !shard || shard.total <= 1 || shardOf(path, shard.total) === shard.index;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.total}`;
}
