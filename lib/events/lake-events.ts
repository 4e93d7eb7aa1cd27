/**
 * Raw notifications into the lake under `events/date=YYYY-MM-DD/`, one JSON per line: what Firehose
 * delivers in AWS, and what `npm run stream` writes locally from the same stream.
 */
import { Readable } from 'node:stream';
import { eventsKey } from '../lake/keys';
import type { LakeStore } from '../lake/store';

/** A notification as read off the stream. */
export interface ReceivedEvent {
  /** The body exactly as Intercom sent it (one JSON object). */
  data: Uint8Array;
  /** When the stream took it: its day names the folder. */
  arrivedAt: Date;
}

/**
 * Write `events` (in stream order) as one file per UTC day of receipt, named `name` in each day's
 * folder. A name derived from the stream position (shard and first sequence number) makes a
 * repeated delivery replace its own file instead of adding the events twice.
 * @returns the keys written.
 */
export async function writeEventDelivery(
  store: LakeStore,
  events: readonly ReceivedEvent[],
  name: string,
): Promise<string[]> {
  const byDay = new Map<string, { day: Date; lines: string[] }>();
  for (const event of events) {
    const day = event.arrivedAt.toISOString().slice(0, 10);
    const group = byDay.get(day) ?? { day: event.arrivedAt, lines: [] };
    // One line per notification: JSON bodies hold no raw newline unless pretty-printed, so re-encode those.
    const text = Buffer.from(event.data).toString('utf8').trim();
    group.lines.push(text.includes('\n') ? JSON.stringify(JSON.parse(text)) : text);
    byDay.set(day, group);
  }
  const keys: string[] = [];
  for (const { day, lines } of byDay.values()) {
    const key = eventsKey(day, name);
    await store.put(key, Readable.from([`${lines.join('\n')}\n`]));
    keys.push(key);
  }
  return keys;
}
