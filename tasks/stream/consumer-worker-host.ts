import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../lib/logger';

/** What the consumer's worker thread is started with (structured-cloned into it). */
export interface ConsumerWorkerSettings {
  kinesisEndpoint: string;
  streamName: string;
  databaseUrl: string;
  concurrency?: number;
  maxAttempts?: number;
  intercom: { apiUrl: string; token: string; apiVersion: string; maxAttempts: number };
  logLevel: string;
}

/** A running consumer worker. */
export interface ConsumerWorker {
  /** Ask it to stop after the records it holds, and wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Start the consumer (consumer-worker.ts) in a worker thread. An error that ends the worker is
 * logged here.
 */
export function startConsumerWorker(settings: ConsumerWorkerSettings, log: Logger): ConsumerWorker {
  // tsx's hooks do not reach worker threads: the worker registers tsx's require hook itself, then
  // loads the TypeScript entry (the project is CommonJS).
  const entry = path.join(__dirname, 'consumer-worker.ts');
  // Resolved here, so the worker finds tsx whatever the working directory.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  const worker = new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, {
    eval: true,
    workerData: settings,
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => log.error({ err: error }, 'the consumer worker failed'));
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
