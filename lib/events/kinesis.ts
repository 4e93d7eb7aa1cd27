/**
 * The events stream on Kinesis: putting a notification on it, and (locally, where no Lambda event
 * source exists) reading every shard of it. The v3 client talks to kinesalite only over HTTP/1.1,
 * hence the `NodeHttpHandler`; against AWS it is as good as the default.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where the stream is served from; `endpoint` (a local kinesalite) also gets dummy credentials. */
export interface KinesisSettings {
  region?: string;
  endpoint?: string;
}

/** A Kinesis client for AWS, or for the local kinesalite at `endpoint`. */
export function createKinesisClient(settings: KinesisSettings = {}): KinesisClient {
  return new KinesisClient({
    region: settings.region ?? 'us-east-1',
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 10_000 }),
    ...(settings.endpoint && {
      endpoint: settings.endpoint,
      // kinesalite checks that a signature is there, not whose it is.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
}

/** Puts records on one stream, gathering those that arrive together into one PutRecords call. */
export type EventPublisher = (body: Uint8Array, partitionKey: string) => Promise<void>;

/** Kinesis takes at most 500 records (and 5 MiB) per PutRecords. */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * A publisher that sends the records asked for while a call is in flight as the next single
 * PutRecords (no timer: a lone record goes at once, as PutRecord would). One request per batch
 * instead of one per notification, which under concurrent deliveries is what keeps the receiver's
 * answers fast. A record the stream refuses inside an accepted batch rejects only its own promise.
 */
export function createEventPublisher(client: KinesisClient, streamName: string): EventPublisher {
  interface Pending {
    body: Uint8Array;
    partitionKey: string;
    resolve(): void;
    reject(error: unknown): void;
  }
  let queue: Pending[] = [];
  let sending = false;

  const sendBatch = async (batch: Pending[]): Promise<void> => {
    try {
      const answer = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: batch.map((p) => ({ Data: p.body, PartitionKey: p.partitionKey })),
        }),
      );
      batch.forEach((pending, i) => {
        const result = answer.Records?.[i];
        if (result?.ErrorCode) {
          pending.reject(
            new Error(`Kinesis refused the record: ${result.ErrorCode} ${result.ErrorMessage ?? ''}`),
          );
        } else pending.resolve();
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  };

  const drain = async (): Promise<void> => {
    sending = true;
    while (queue.length > 0) {
      let bytes = 0;
      let count = 0;
      while (count < queue.length && count < MAX_BATCH_RECORDS) {
        bytes += (queue[count] as Pending).body.length;
        if (count > 0 && bytes > MAX_BATCH_BYTES) break;
        count += 1;
      }
      const batch = queue.slice(0, count);
      queue = queue.slice(count);
      await sendBatch(batch);
    }
    sending = false;
  };

  return (body, partitionKey) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ body, partitionKey, resolve, reject });
      if (!sending) void drain();
    });
}

/** One record read off a shard. */
export interface ShardRecord {
  shardId: string;
  sequenceNumber: string;
  /** The key the record was put with (the item's id). */
  partitionKey: string;
  data: Uint8Array;
  /** When Kinesis took the record: the moment of receipt. */
  arrivedAt: Date;
}

/** How to read the shards. */
export interface ShardReaderOptions {
  streamName: string;
  /** Called with each shard's records in order, one batch at a time; resolves before the next batch. */
  onRecords(records: ShardRecord[]): Promise<void>;
  /** Pause between empty polls (default 100 ms). */
  idleMs?: number;
  /**
   * Pause after a batch too (default 0): a reader that writes files (the lake's) then takes bigger
   * batches less often, as Firehose buffers.
   */
  busyMs?: number;
  signal: AbortSignal;
  /** Told about a failed poll before it is retried. */
  onError?(error: unknown): void;
}

/**
 * Read every shard of the stream from its start until `signal` aborts, each shard in order and
 * shards side by side (as a Lambda event source does). A batch whose handler throws is offered
 * again from its first record after a pause, so nothing is skipped.
 */
export async function readShards(client: KinesisClient, options: ShardReaderOptions): Promise<void> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: options.streamName }));
  await Promise.all(Shards.map((shard) => readShard(client, shard.ShardId ?? '', options)));
}

async function readShard(client: KinesisClient, shardId: string, options: ShardReaderOptions): Promise<void> {
  const idleMs = options.idleMs ?? 100;
  const { signal } = options;
  let after: string | undefined;
  let iterator: string | undefined;
  while (!signal.aborted) {
    try {
      iterator ??= (
        await client.send(
          new GetShardIteratorCommand({
            StreamName: options.streamName,
            ShardId: shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        )
      ).ShardIterator;
      const answer = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 500 }));
      const records = (answer.Records ?? []).map((r: _Record) => ({
        shardId,
        sequenceNumber: r.SequenceNumber ?? '',
        partitionKey: r.PartitionKey ?? '',
        data: r.Data ?? new Uint8Array(),
        arrivedAt: r.ApproximateArrivalTimestamp ?? new Date(),
      }));
      if (records.length > 0) {
        try {
          await options.onRecords(records);
        } catch (error) {
          // Read the same records again: restart after the last one handled before this batch.
          iterator = undefined;
          throw error;
        }
        after = records.at(-1)?.sequenceNumber;
      }
      iterator = answer.NextShardIterator;
      const pause = records.length === 0 ? idleMs : (options.busyMs ?? 0);
      if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => undefined);
    } catch (error) {
      if (signal.aborted) return;
      options.onError?.(error);
      iterator = undefined;
      await sleep(Math.max(idleMs, 200), undefined, { signal }).catch(() => undefined);
    }
  }
}
