#!/usr/bin/env node
// npm run bench [-- NAME...]: runs every module in scripts/bench/*.bench.mjs (or those named), each of which
// generates its inputs in a temp folder, times our CLI beside baselines over the same bytes, and prints a table.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo } from './bench/harness.mjs';

const dir = join(repo, 'scripts/bench');
const wanted = process.argv.slice(2);
const modules = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.mjs', '')));
console.log(`ai-pipeline-gate benchmarks · node ${process.version} · ${new Date().toISOString()}`);
for (const file of modules) {
  const mod = await import(pathToFileURL(join(dir, file)).href);
  await mod.default();
}
