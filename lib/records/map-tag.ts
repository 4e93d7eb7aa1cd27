import { ID_LENGTH, type contactTag, type conversationTag, type tag } from '../../drizzle/schema';
import { DataError } from '../errors';
import type { RowOf } from '../streams/types';
import { idField, isObject, stringField, type JsonObject } from './fields';
import { itemIds } from './links';

/** A `tag` row. */
export type TagRow = RowOf<typeof tag>;

/**
 * Map one tag from `data/tags.json` (a `GET /tags` item) to a `tag` row.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/tags/listtags
 *
 * @throws DataError when the record is not an object, has no id, or its name is not a string.
 */
export function mapTag(record: unknown, raw?: string): TagRow {
  if (!isObject(record)) throw new DataError('the tag record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the tag record has no id');
  return { id, name: stringField(record, 'name'), raw: raw ?? JSON.stringify(record) };
}

/**
 * The `contact_tag` rows of a contact from `data/users.json`: its `tags.data` list, which the
 * extract completed from `GET /contacts/{id}/tags` when it said `has_more`.
 * @throws DataError when a tag item has no id.
 */
export function contactTagRows(contactId: string, record: JsonObject): RowOf<typeof contactTag>[] {
  return itemIds(record, 'tags', 'data').map((tagId) => ({ contactId, tagId }));
}

/**
 * The `conversation_tag` rows of a conversation from `data/conversations.json`: its `tags.tags`
 * list (a `tag.list`, whole in `GET /conversations/{id}`).
 * @throws DataError when a tag item has no id.
 */
export function conversationTagRows(
  conversationId: string,
  record: JsonObject,
): RowOf<typeof conversationTag>[] {
  return itemIds(record, 'tags', 'tags').map((tagId) => ({ conversationId, tagId }));
}
