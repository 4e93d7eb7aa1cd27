/**
 * The fetching half of the consumer: a notification's item is partial, so the record is fetched as
 * it is now, exactly as the extract fetches it (detail request, nested lists completed). Imports the
 * Intercom client, never the warehouse (eslint.config.mjs).
 */
import { DataError } from '../../errors';
import { fetchStreamItem } from '../../intercom/stream-source';
import type { IntercomClient } from '../../intercom/client';
import { streamNamed } from '../../streams/registry';
import type { EventChange, FetchedEvent } from '../change';
import type { Notification } from '../notification';
import { routeTopic, type TopicObject } from '../topics';

/**
 * The current record of `id` as a change: an upsert of what the API answers, or a delete when it
 * answers 404 (the record is gone, whatever the notification said).
 * @throws SourceError / TransientError from the requests.
 */
export async function fetchCurrent(
  client: IntercomClient,
  object: TopicObject,
  id: string,
): Promise<EventChange> {
  const declaration = streamNamed(object.stream);
  // The topic table's GET is the detail request, 404 meaning the record vanished.
  const stream = { ...declaration, detail: { path: object.fetch, notFound: 'vanished' as const } };
  const item = await fetchStreamItem(client, stream, { id });
  return item.record === undefined
    ? { kind: 'delete', stream: object.stream, id }
    : { kind: 'upsert', stream: object.stream, id, record: item.record };
}

/**
 * What `notification` changes: nothing for a topic no stream takes; a delete for `*.deleted`; for
 * `contact.merged`, a delete of the merged-away contact and the survivor refreshed; otherwise the
 * item refreshed from the API.
 * @throws DataError when a topic that changes a record names no item id (or a merge no
 *   `merged_from.id`); SourceError / TransientError from the requests.
 */
export async function fetchChanges(
  client: IntercomClient,
  notification: Notification,
  raw: string,
): Promise<FetchedEvent> {
  const route = routeTopic(notification.topic);
  const changes: EventChange[] = [];
  if (route) {
    const id = notification.itemId;
    if (id === null) {
      throw new DataError(
        `Notification ${notification.id} (${notification.topic}) has no data.item.id, so there is no record to apply.`,
      );
    }
    if (route.action === 'delete') {
      changes.push({ kind: 'delete', stream: route.object.stream, id });
    } else {
      if (route.action === 'merge') {
        const from = notification.mergedFromId;
        if (from === null) {
          throw new DataError(
            `Notification ${notification.id} (${notification.topic}) has no merged_from.id, so the merged-away record is unknown.`,
          );
        }
        if (from !== id) changes.push({ kind: 'delete', stream: route.object.stream, id: from });
      }
      changes.push(await fetchCurrent(client, route.object, id));
    }
  }
  return { notification, raw, changes };
}
