/**
 * A webhook notification as Intercom sends it: `{ type: 'notification_event', id, topic, app_id,
 * created_at, data: { item: {...} } }`, the item being the (partial) object the topic is about.
 * https://developers.intercom.com/docs/references/2.14/webhooks/webhook-models
 */
import { DataError } from '../errors';
import { isObject, type JsonObject } from '../records/fields';

/** The topic Intercom sends when a subscription is saved or tested in the Developer Hub. */
export const PING_TOPIC = 'ping';

/** What the product reads of a notification; the rest is kept as it came (`raw`). */
export interface Notification {
  /** Notification id (`notif_…`): a redelivery carries the same id. */
  id: string;
  topic: string;
  appId: string | null;
  /** Unix seconds Intercom made the notification at, when it says. */
  createdAt: number | null;
  /** `data.item`: the object the topic is about, partial. */
  item: JsonObject;
  /** `data.item.type` (`contact`, `conversation`, `ticket`). */
  itemType: string | null;
  /** `data.item.id`: the id of the record the topic is about. */
  itemId: string | null;
  /** For `contact.merged`: the id of the contact merged away (`merged_from.id` in the item or in `data`). */
  mergedFromId: string | null;
}

/**
 * The notification in `text` (a request body or a stream record).
 * @throws DataError naming what is missing when `text` is not JSON or not a notification_event
 *   with an id, a topic and a `data.item` object.
 */
export function parseNotification(text: string): Notification {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new DataError('The body is not JSON; Intercom sends a JSON notification_event.', { cause: error });
  }
  if (!isObject(body) || body.type !== 'notification_event') {
    throw new DataError('The body is not a notification: its "type" must be "notification_event".');
  }
  const problems: string[] = [];
  if (typeof body.id !== 'string' || body.id === '' || body.id.length > 255)
    problems.push('"id" must be a string of 1 to 255 characters');
  if (typeof body.topic !== 'string' || body.topic === '' || body.topic.length > 64)
    problems.push('"topic" must be a string of 1 to 64 characters');
  const data = body.data;
  const item = isObject(data) ? data.item : undefined;
  if (!isObject(item)) problems.push('"data.item" must be an object');
  if (problems.length > 0 || !isObject(item)) {
    throw new DataError(`The notification is malformed: ${problems.join('; ')}.`);
  }
  const rawId = item.id;
  const mergedFrom = isObject(item.merged_from)
    ? item.merged_from
    : isObject(data) && isObject(data.merged_from)
      ? data.merged_from
      : null;
  return {
    id: body.id as string,
    topic: body.topic as string,
    appId: typeof body.app_id === 'string' ? body.app_id : null,
    createdAt:
      typeof body.created_at === 'number' && Number.isFinite(body.created_at) ? body.created_at : null,
    item,
    itemType: typeof item.type === 'string' ? item.type : null,
    itemId: idOf(rawId),
    mergedFromId: idOf(mergedFrom?.id),
  };
}

/** Kinesis partition keys are at most 256 characters. */
const MAX_PARTITION_KEY = 256;

/**
 * The stream's partition key: the item's id, so that the changes of one record stay in one shard,
 * in the order they arrived; the notification id when the item has none.
 */
export function partitionKeyOf(notification: Notification): string {
  return (notification.itemId ?? notification.id).slice(0, MAX_PARTITION_KEY);
}

function idOf(value: unknown): string | null {
  return (typeof value === 'string' && value !== '') || typeof value === 'number' ? String(value) : null;
}
