import { parentPort, workerData } from 'node:worker_threads';
import { createIntercomClient } from '../../lib/intercom/client';
import { createLogger } from '../../lib/logger';
import { runConsumer } from './consumer';
import type { ConsumerWorkerSettings } from './consumer-worker-host';

// The consumer's thread (started by consumer-worker-host.ts): wiring only.
const settings = workerData as ConsumerWorkerSettings;
const log = createLogger({ level: settings.logLevel });
const stop = new AbortController();
parentPort?.on('message', (message) => {
  if (message === 'stop') stop.abort();
});
const client = createIntercomClient({
  baseUrl: settings.intercom.apiUrl,
  token: settings.intercom.token,
  apiVersion: settings.intercom.apiVersion,
  maxAttempts: settings.intercom.maxAttempts,
  logger: log,
  signal: stop.signal,
});
void runConsumer({
  ...settings,
  client,
  log,
  signal: stop.signal,
  onConsumed: (result, record, appliedAt) => {
    if (result.status === 'rejected') return;
    log.info(
      { ...result, freshnessMs: appliedAt.getTime() - record.arrivedAt.getTime() },
      'notification consumed',
    );
  },
})
  .catch((error: unknown) => {
    log.error({ err: error }, 'the consumer stopped');
    process.exitCode = 1;
  })
  .finally(async () => {
    await client.close();
    parentPort?.close();
  });
