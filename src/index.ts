import { run } from './main.js';
import { engineWorkerMain, isEngineWorker } from './engine/worker-main.js';

// The same bundle serves the engine's worker threads (src/engine/threads.ts).
if (isEngineWorker()) engineWorkerMain();
else await run();
