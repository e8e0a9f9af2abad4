import { runCli } from './cli/run.js';
import { engineWorkerMain, isEngineWorker } from './engine/worker-main.js';

// The same bundle serves the engine's worker threads (src/engine/threads.ts).
if (isEngineWorker()) {
  engineWorkerMain();
} else {
  const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });
  process.exitCode = code;
}
