/**
 * What a notification changes in the warehouse, as plain data: the fetching side (lib/events/fetch,
 * which uses the Intercom client) makes it, the applying side (lib/events/apply, which uses the
 * warehouse) writes it. Neither imports the other; a handler or the local runner joins them.
 */
import type { StreamName } from '../streams/registry';
import type { Notification } from './notification';

/** One record to write as it is now, or to remove. */
export type EventChange =
  | { kind: 'upsert'; stream: StreamName; id: string; record: unknown }
  | { kind: 'delete'; stream: StreamName; id: string };

/** A notification taken off the stream, with what it changes. */
export interface FetchedEvent {
  notification: Notification;
  /** The notification as received, for `webhook_event.raw`. */
  raw: string;
  /** The changes, in order (a merge deletes the merged-away contact, then refreshes the survivor). */
  changes: EventChange[];
}
