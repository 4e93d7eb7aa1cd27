import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig, loadMonitoringConfig, loadSecretReferences } from '../lib/config';
import { applyEvent, isEventApplied } from '../lib/events/apply/apply-event';
import type { ConsumerParts } from '../lib/events/consume';
import { fetchChanges } from '../lib/events/fetch/fetch-changes';
import { consumeKinesisBatch, type BatchResponse, type KinesisEvent } from '../lib/events/kinesis-batch';
import { ConfigError } from '../lib/errors';
import { createIntercomClient } from '../lib/intercom/client';
import { createLogger } from '../lib/logger';
import { resolveSecrets } from '../lib/secrets';
import { openWarehouse } from '../lib/warehouse/connection';

// The consumer's two halves, joined here only: the fetching one (Intercom client) and the
// applying one (warehouse pool). Built once per container, reused by warm invocations.
const monitoring = loadMonitoringConfig();
const log = createLogger({ level: monitoring.logLevel });
let parts: Promise<ConsumerParts> | undefined;
let closeAll: (() => Promise<void>) | undefined;

async function buildParts(): Promise<ConsumerParts> {
  const { env, refs } = loadSecretReferences();
  const config = loadConfig(await resolveSecrets(env, refs, new SecretsManagerClient({})));
  if (!config.intercom.token) {
    throw new ConfigError(['INTERCOM_ACCESS_TOKEN is missing: the consumer fetches each notified record.']);
  }
  const client = createIntercomClient({
    baseUrl: config.intercom.apiUrl,
    token: config.intercom.token,
    apiVersion: config.intercom.apiVersion,
    maxAttempts: 3,
    logger: log,
  });
  // The tables are the load's: its migration makes them (the Lambda bundle carries no migrations).
  const warehouse = await openWarehouse(config.databaseUrl, { connectionLimit: 2 });
  closeAll = async () => {
    await warehouse.close();
    await client.close();
  };
  return {
    isApplied: (id) => isEventApplied(warehouse.pool, id),
    fetchChanges: (notification, raw) => fetchChanges(client, notification, raw),
    apply: (event) => applyEvent(warehouse.pool, event),
  };
}

/**
 * Kinesis event source entrypoint (ReportBatchItemFailures): applies each notification of the
 * batch in order; the first failure is reported and the batch retried from it.
 */
export async function handler(event: KinesisEvent): Promise<BatchResponse> {
  parts ??= buildParts().catch((error: unknown) => {
    parts = undefined;
    throw error;
  });
  return consumeKinesisBatch(event, await parts, log, (result, arrivedAtMs) => {
    if (result.status === 'rejected' || arrivedAtMs === undefined) return;
    log.info({ ...result, freshnessMs: Date.now() - arrivedAtMs }, 'notification consumed');
  });
}

/**
 * Close the container's warehouse pool and Intercom client (tests; Lambda freezes a container
 * instead, and the next invocation builds them again).
 */
export async function close(): Promise<void> {
  const closing = closeAll;
  parts = undefined;
  closeAll = undefined;
  await closing?.();
}
