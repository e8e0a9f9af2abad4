import { jest } from '@jest/globals';

/**
 * Runs `fn` counting the bytes read, on this thread, from the files opened through fs.promises.open whose path
 * `match` accepts: how tests check that a file is read once however many rules need its bytes.
 */
export async function countingReads<T>(match: (path: string) => boolean, fn: () => Promise<T>): Promise<{ result: T; bytesRead: number }> {
  const fs = (await import('node:fs')).promises;
  const realOpen = fs.open;
  let bytesRead = 0;
  const spy = jest.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle = await realOpen(...args);
    if (!match(String(args[0]))) return handle;
    const read = handle.read.bind(handle) as (...a: unknown[]) => Promise<{ bytesRead: number }>;
    Object.assign(handle, { read: async (...a: unknown[]) => { const r = await read(...a); bytesRead += r.bytesRead; return r; } });
    return handle;
  });
  try {
    const result = await fn();
    return { result, bytesRead };
  } finally {
    spy.mockRestore();
  }
}
