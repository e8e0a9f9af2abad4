#!/usr/bin/env node
// Rewrites docs/demo-report.md (and the demo comment shown in README.md): a real scan of examples/demo-repo rendered by the real renderers (the PR comment,
// the job summary, the console). The rendering lives in src/docs/demo-report.ts and is checked by
// __tests__/docs/demo-report.test.ts; this script runs that test in update mode, so the page and its check can
// never disagree. Run it after changing the demo repository, a rule or a renderer.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(process.execPath, [jest, '__tests__/docs/demo-report.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, UPDATE_GENERATED: '1', NODE_OPTIONS: '--experimental-vm-modules', NODE_NO_WARNINGS: '1' },
});
if (result.status === 0) console.log('wrote docs/demo-report.md');
process.exit(result.status ?? 1);
