/**
 * The engine's side of a worker thread (see threads.ts): checks the files the main thread sends, with the
 * registry's rules and the policy it was started with, and sends back their findings. Log lines go to the main
 * thread's logger.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Logger } from './logger.js';
import { setRedactionKey } from './redact.js';
import type { FileDigest } from './rule.js';
import { checkFile, takeTimings } from './run.js';
import type { EngineWorkerData, WorkerReply, WorkerRequest } from './threads.js';
import { allRules } from '../rules/index.js';

/** True in a thread started by EngineThreads. */
export function isEngineWorker(): boolean {
  return !isMainThread && (workerData as Partial<EngineWorkerData> | undefined)?.aiGateEngine === true;
}

export function engineWorkerMain(): void {
  const data = workerData as EngineWorkerData;
  const port = parentPort!;
  setRedactionKey(data.redactionKey);
  const send = (m: WorkerReply) => port.postMessage(m);
  const logger: Logger = {
    debug: (message) => send({ log: 'debug', message }),
    info: (message) => send({ log: 'info', message }),
    warning: (message) => send({ log: 'warning', message }),
    error: (message) => send({ log: 'error', message }),
  };
  const enabled = allRules.filter((r) => data.policy.rules[r.meta.id]?.enabled);
  // One file at a time: the main thread sends the next only when this one is answered.
  port.on('message', (req: WorkerRequest) => {
    // A Buffer arrives as a plain Uint8Array (structured clone keeps no prototype): make it a Buffer again.
    const head = req.file.head as Uint8Array;
    const file = { ...req.file, head: Buffer.from(head.buffer, head.byteOffset, head.byteLength) };
    let digest: FileDigest | undefined;
    const digests = { wanted: () => req.digest, put: (_path: string, d: FileDigest) => { digest = d; } };
    void checkFile(file, enabled, { rules: allRules, policy: data.policy, discovery: { files: [], issues: [], ignored: 0, deleted: [] }, logger, today: data.today, digests })
      .then((findings) => {
        const timings = takeTimings();
        send({ id: req.id, findings, ...(digest ? { digest } : {}), ...(timings ? { timings } : {}) });
      }, (error: unknown) => send({ id: req.id, error: String((error as Error)?.message ?? error) }));
  });
  send({ ready: true });
}
