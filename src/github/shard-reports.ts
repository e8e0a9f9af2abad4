import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigurationError } from '../engine/errors.js';
import { parseShardReport, type NamedReport } from '../report/merge.js';

/** download-artifact puts each artifact in its own folder: look this deep and no deeper. */
const MAX_DEPTH = 3;
const MAX_REPORTS = 256;
const MAX_REPORT_BYTES = 512 * 1024 * 1024;

/**
 * The shards' JSON reports under `folder` (relative to the workspace): every `*.json` file, sorted by path.
 * Symlinks are not followed; a file that is not an ai-gate report is a configuration error naming it.
 */
export async function readShardReports(workspace: string, folder: string): Promise<NamedReport[]> {
  const root = join(workspace, folder);
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ConfigurationError(`input reports "${folder}" is not a folder in the workspace; download the shards' report artifacts there (actions/download-artifact with path: ${folder})`);
  }
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) await walk(path, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
      if (files.length > MAX_REPORTS) throw new ConfigurationError(`more than ${MAX_REPORTS} JSON files under ${folder}; expected one report per shard`);
    }
  };
  await walk(root, 0);
  if (files.length === 0) throw new ConfigurationError(`no JSON reports under ${folder}; each shard job must upload its report (ai-gate-report-*.json)`);
  const out: NamedReport[] = [];
  for (const file of files) {
    const name = relative(workspace, file);
    if ((await lstat(file)).size > MAX_REPORT_BYTES) throw new ConfigurationError(`${name} is larger than ${MAX_REPORT_BYTES} bytes; not a shard report`);
    out.push(parseShardReport(name, await readFile(file, 'utf8')));
  }
  return out;
}
