/**
 * A Kinesis event source's batch through the consumer, for handlers/stream-apply.ts: records in
 * shard order; the first that fails is reported (`batchItemFailures`) and nothing after it is
 * tried, so Lambda retries from there (bisecting the batch, up to its retry bound, then sending
 * it to the dead-letter queue) and order within a shard holds.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
 */
import type { Logger } from '../logger';
import { consumeRecord, type ConsumerParts, type ConsumeResult } from './consume';

/** The part of a Lambda Kinesis event the consumer reads. */
export interface KinesisEvent {
  Records: {
    kinesis: { data: string; sequenceNumber: string; approximateArrivalTimestamp?: number };
  }[];
}

/** What the handler answers: the sequence number to retry from, if any. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Consume each record of `event` in order.
 * @param onResult told about each record consumed, with its arrival time (ms since epoch).
 */
export async function consumeKinesisBatch(
  event: KinesisEvent,
  parts: ConsumerParts,
  log: Logger,
  onResult?: (result: ConsumeResult, arrivedAtMs: number | undefined) => void,
): Promise<BatchResponse> {
  for (const record of event.Records) {
    const { data, sequenceNumber, approximateArrivalTimestamp } = record.kinesis;
    try {
      const result = await consumeRecord(parts, Buffer.from(data, 'base64'));
      if (result.status === 'rejected') {
        // Retrying cannot make it a notification; its raw copy is in the lake's events/.
        log.error({ sequenceNumber, reason: result.reason }, 'stream record is not a notification; skipped');
      }
      onResult?.(
        result,
        approximateArrivalTimestamp === undefined ? undefined : approximateArrivalTimestamp * 1000,
      );
    } catch (error) {
      log.error({ err: error, sequenceNumber }, 'notification not applied; the batch is retried from it');
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}
