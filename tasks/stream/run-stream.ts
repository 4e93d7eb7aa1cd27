/**
 * `npm run stream`: the real-time path on one machine. A kinesalite server (a Kinesis double) runs
 * in this process; the receiver puts accepted notifications on it; one reader plays Firehose
 * (every notification into the lake's events/, by day of receipt) and another plays the
 * stream-apply Lambda (fetch, then apply to the warehouse), each reading every shard.
 */
import { serve, type ServerType } from '@hono/node-server';
import { CreateStreamCommand, DescribeStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumeResult } from '../../lib/events/consume';
import {
  createEventPublisher,
  createKinesisClient,
  readShards,
  type ShardRecord,
} from '../../lib/events/kinesis';
import { writeEventDelivery } from '../../lib/events/lake-events';
import { createReceiverApp } from '../../lib/events/receiver';
import type { IntercomClient } from '../../lib/intercom/client';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import { migrateWarehouse } from '../../lib/warehouse/migrate';
import { openWarehouse } from '../../lib/warehouse/connection';
import { runConsumer } from './consumer';
import { startConsumerWorker, type ConsumerWorkerSettings } from './consumer-worker-host';
import { startKinesalite } from './kinesalite';

/** Everything the local stream needs, as plain values. */
export interface StreamOptions {
  clientSecret: string | undefined;
  /** 0 = a free port. */
  port: number;
  host?: string;
  streamName: string;
  store: LakeStore;
  databaseUrl: string;
  /** The Intercom client of an in-process consumer. */
  client?: IntercomClient;
  /**
   * Run the consumer in a worker thread instead (`npm run stream`), so that its fetching and
   * writing never delay the receiver's answers; it builds its own client from these settings and
   * logs each notification it consumed (`onConsumed` is not called).
   */
  consumerWorker?: Pick<ConsumerWorkerSettings, 'intercom' | 'logLevel'>;
  log: Logger;
  /** Shards of the local stream (default 4). */
  shards?: number;
  /** Longest wait between lake deliveries (default 1,000 ms). */
  lakeIntervalMs?: number;
  /**
   * Records of one batch consumed at once (default 16): records of different items side by side,
   * those of one item (one partition key) in stream order, as the Lambda's parallelization factor does.
   */
  concurrency?: number;
  /** Tries of a record whose fetch or apply fails before it is set aside (default 3). */
  maxAttempts?: number;
  /** Told about every record the consumer finished with (the bench measures freshness with it). */
  onConsumed?(result: ConsumeResult, record: ShardRecord, appliedAt: Date): void;
  /** Told about every lake delivery. */
  onDelivered?(keys: string[], count: number): void;
}

/** A running local stream. */
export interface RunningStream {
  /** `http://127.0.0.1:<port>`: POST /webhooks/intercom there. */
  url: string;
  /** Stop accepting, let the readers finish what they hold, close everything. */
  close(): Promise<void>;
}

/**
 * Start the receiver, the stream and both readers.
 * @throws TransientError / ConfigError when the warehouse cannot be opened or migrated; Error when
 *   the port is taken.
 */
export async function startStream(options: StreamOptions): Promise<RunningStream> {
  const { log, streamName } = options;
  // Only to migrate: the consumer opens its own pool (in its worker, when it runs in one).
  const warehouse = await openWarehouse(options.databaseUrl, { connectionLimit: 1 });
  const cleanups: (() => Promise<void>)[] = [() => warehouse.close()];
  const stop = new AbortController();
  const readers: Promise<void>[] = [];
  let server: ServerType | undefined;
  const close = async (): Promise<void> => {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    stop.abort();
    await Promise.allSettled(readers);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    await migrateWarehouse(warehouse, { log });
    const kinesalite = await startKinesalite();
    cleanups.push(() => kinesalite.close());
    const kinesis = createKinesisClient({ endpoint: kinesalite.endpoint });
    cleanups.push(async () => kinesis.destroy());
    await createStream(kinesis, streamName, options.shards ?? 4);

    readers.push(
      readShards(kinesis, {
        streamName,
        signal: stop.signal,
        idleMs: options.lakeIntervalMs ?? 1_000,
        busyMs: options.lakeIntervalMs ?? 1_000,
        onError: (error) => log.warn({ err: error }, 'events lake reader: poll failed, retrying'),
        onRecords: async (records) => {
          const first = records[0] as ShardRecord;
          const keys = await writeEventDelivery(
            options.store,
            records.map((r) => ({ data: r.data, arrivedAt: r.arrivedAt })),
            `${first.shardId}-${first.sequenceNumber}`,
          );
          options.onDelivered?.(keys, records.length);
        },
      }),
    );
    const consumerSettings = {
      kinesisEndpoint: kinesalite.endpoint,
      streamName,
      databaseUrl: options.databaseUrl,
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
    };
    if (options.consumerWorker) {
      const worker = startConsumerWorker({ ...consumerSettings, ...options.consumerWorker }, log);
      cleanups.push(() => worker.stop());
    } else {
      if (!options.client) throw new Error('startStream needs a client unless the consumer runs in a worker');
      readers.push(
        runConsumer({
          ...consumerSettings,
          client: options.client,
          log,
          signal: stop.signal,
          onConsumed: options.onConsumed,
        }),
      );
    }

    const app = createReceiverApp({
      clientSecret: options.clientSecret,
      log,
      publish: createEventPublisher(kinesis, streamName),
    });
    const listening = await new Promise<AddressInfo>((resolve, reject) => {
      const s = serve(
        { fetch: app.fetch, port: options.port, hostname: options.host ?? '127.0.0.1' },
        (info) => resolve(info),
      );
      s.once('error', reject);
      server = s;
    });
    return { url: `http://${options.host ?? '127.0.0.1'}:${listening.port}`, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function createStream(kinesis: KinesisClient, streamName: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
  for (;;) {
    const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: streamName }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') return;
    await sleep(20);
  }
}
