/**
 * The local stand-in for the stream-apply Lambda: reads every shard of the local stream and joins
 * the consumer's two halves (fetch from Intercom, apply to the warehouse), in-process or in a
 * worker thread (consumer-worker.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { applyEvent, isEventApplied } from '../../lib/events/apply/apply-event';
import { consumeRecord, type ConsumerParts, type ConsumeResult } from '../../lib/events/consume';
import { fetchChanges } from '../../lib/events/fetch/fetch-changes';
import { createKinesisClient, readShards, type ShardRecord } from '../../lib/events/kinesis';
import type { IntercomClient } from '../../lib/intercom/client';
import type { Logger } from '../../lib/logger';
import { openWarehouse } from '../../lib/warehouse/connection';

/** What the consumer reads from and writes to. */
export interface ConsumerOptions {
  kinesisEndpoint: string;
  streamName: string;
  databaseUrl: string;
  client: IntercomClient;
  log: Logger;
  signal: AbortSignal;
  /**
   * Records of one batch consumed at once (default 16): records of different items side by side,
   * those of one item (one partition key) in stream order, as the Lambda's parallelization factor does.
   */
  concurrency?: number;
  /** Tries of a record whose fetch or apply fails before it is set aside (default 3). */
  maxAttempts?: number;
  /** Told about every record the consumer finished with. */
  onConsumed?(result: ConsumeResult, record: ShardRecord, appliedAt: Date): void;
}

/** Consume until `signal` aborts; closes its pool and Kinesis client then. */
export async function runConsumer(options: ConsumerOptions): Promise<void> {
  const { log } = options;
  const warehouse = await openWarehouse(options.databaseUrl, { connectionLimit: 16 });
  const kinesis = createKinesisClient({ endpoint: options.kinesisEndpoint });
  const parts: ConsumerParts = {
    isApplied: (id) => isEventApplied(warehouse.pool, id),
    fetchChanges: (notification, raw) => fetchChanges(options.client, notification, raw),
    apply: (event) => applyEvent(warehouse.pool, event),
  };
  const maxAttempts = options.maxAttempts ?? 3;
  try {
    await readShards(kinesis, {
      streamName: options.streamName,
      signal: options.signal,
      idleMs: 50,
      onError: (error) => log.warn({ err: error }, 'events apply reader: poll failed, retrying'),
      onRecords: (records) =>
        forEachByKey(records, options.concurrency ?? 16, async (record) => {
          const result = await consumeWithRetries(parts, record, maxAttempts, log);
          options.onConsumed?.(result, record, new Date());
        }),
    });
  } finally {
    kinesis.destroy();
    await warehouse.close();
  }
}

/**
 * Consume one record, trying again after a failure; after `maxAttempts` it is logged and set aside
 * (the local stand-in for the Lambda's dead-letter queue: the raw notification is in events/).
 */
async function consumeWithRetries(
  parts: Parameters<typeof consumeRecord>[0],
  record: ShardRecord,
  maxAttempts: number,
  log: Logger,
): Promise<ConsumeResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await consumeRecord(parts, record.data);
      if (result.status === 'rejected') {
        log.error(
          { sequenceNumber: record.sequenceNumber, reason: result.reason },
          'stream record is not a notification',
        );
      }
      return result;
    } catch (error) {
      if (attempt >= maxAttempts) {
        log.error(
          { err: error, shardId: record.shardId, sequenceNumber: record.sequenceNumber, attempts: attempt },
          'notification not applied after retries; set aside (its raw copy is in events/)',
        );
        return { status: 'rejected', reason: error instanceof Error ? error.message : String(error) };
      }
      log.warn({ err: error, attempt }, 'notification not applied, retrying');
      await sleep(200 * attempt);
    }
  }
}

/**
 * `handle` every record, at most `concurrency` at once, the records of one partition key one after
 * the other in their order (so one item's notifications are never applied out of order).
 */
async function forEachByKey(
  records: ShardRecord[],
  concurrency: number,
  handle: (record: ShardRecord) => Promise<void>,
): Promise<void> {
  const byKey = new Map<string, ShardRecord[]>();
  for (const record of records) {
    const list = byKey.get(record.partitionKey) ?? [];
    list.push(record);
    byKey.set(record.partitionKey, list);
  }
  const queues = [...byKey.values()];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < queues.length; i = next++) {
      for (const record of queues[i] as ShardRecord[]) await handle(record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
}
