/**
 * The tree walk used outside a git checkout: every entry below the root that is not a directory, as raw
 * relative names (Buffers, so that names that are not UTF-8 survive). Directories reached through a
 * symlink are never descended (a symlink is returned as an entry and judged by the caller), and no `.git`
 * is ever entered.
 */
import { readdir } from 'node:fs/promises';

export interface WalkResult {
  /** Relative to the root, `/`-separated, raw bytes. */
  paths: Buffer[];
  /** Directories that could not be listed, with the reason. */
  unreadable: Array<{ raw: Buffer; detail: string }>;
}

const SLASH = Buffer.from('/');
const GIT = Buffer.from('.git');

export async function walkTree(root: string): Promise<WalkResult> {
  const paths: Buffer[] = [];
  const unreadable: WalkResult['unreadable'] = [];
  const rootBuf = Buffer.from(root);
  const stack: Buffer[] = [Buffer.alloc(0)];
  while (stack.length > 0) {
    const rel = stack.pop() as Buffer;
    const abs = rel.length ? Buffer.concat([rootBuf, SLASH, rel]) : rootBuf;
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      if (rel.length) unreadable.push({ raw: rel, detail: `directory cannot be listed (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      else throw e;
      continue;
    }
    for (const d of entries) {
      const name = d.name;
      if (name.equals(GIT)) continue;
      const child = rel.length ? Buffer.concat([rel, SLASH, name]) : Buffer.from(name);
      if (d.isDirectory()) stack.push(child);
      else paths.push(child);
    }
  }
  return { paths, unreadable };
}
