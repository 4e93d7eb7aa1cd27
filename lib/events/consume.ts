/**
 * One stream record through the consumer: parse, skip a notification applied before, fetch what it
 * changes, apply it. The fetching and applying halves come in as functions, so this module (and
 * lib/events at large) imports neither the Intercom client nor the warehouse; handlers/stream-apply.ts
 * and tasks/stream join them.
 */
import { DataError } from '../errors';
import type { FetchedEvent } from './change';
import { parseNotification, type Notification } from './notification';

/** The halves of the consumer. */
export interface ConsumerParts {
  /** Whether notification `id` was applied before (then nothing is fetched). */
  isApplied(id: string): Promise<boolean>;
  /** What the notification changes, with the records fetched as they are now. */
  fetchChanges(notification: Notification, raw: string): Promise<FetchedEvent>;
  /** Write the changes and record the notification, once. */
  apply(event: FetchedEvent): Promise<{ status: 'applied' | 'duplicate' }>;
}

/** What became of one record. */
export type ConsumeResult =
  { status: 'applied' | 'duplicate'; id: string; topic: string } | { status: 'rejected'; reason: string };

/**
 * Apply one notification taken off the stream.
 * @returns `rejected` (with the reason) for a record that is not a notification: retrying cannot
 *   help, and the raw record is in the lake's events/ anyway.
 * @throws what fetching or applying throws (a DataError of the notification's own content too):
 *   the caller retries, then dead-letters.
 */
export async function consumeRecord(parts: ConsumerParts, data: Uint8Array): Promise<ConsumeResult> {
  const raw = Buffer.from(data).toString('utf8');
  let notification: Notification;
  try {
    notification = parseNotification(raw);
  } catch (error) {
    if (error instanceof DataError) return { status: 'rejected', reason: error.message };
    throw error;
  }
  const { id, topic } = notification;
  if (await parts.isApplied(id)) return { status: 'duplicate', id, topic };
  const event = await parts.fetchChanges(notification, raw);
  const { status } = await parts.apply(event);
  return { status, id, topic };
}
