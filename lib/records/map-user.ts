import { EMAIL_LENGTH, ID_LENGTH, CODE_LENGTH, type users } from '../../drizzle/schema';
import { DataError } from '../errors';
import {
  idField,
  isObject,
  jsonText,
  listItems,
  objectField,
  stringField,
  timestampField,
  type JsonObject,
} from './fields';
import type { RowOf } from '../streams/types';

/** A `users` row. */
export type UserRow = RowOf<typeof users>;

/**
 * Map one contact from `data/users.json` (a `GET /contacts` item whose nested `tags`, `companies`
 * and `notes` lists the extract completed) to a `users` row. `tags` and `companies` hold the list
 * items (`data`), not the `{type, data, url, total_count, has_more}` wrapper; `raw` holds the whole
 * record. Values stay as Intercom sent them: an empty `email` stays empty, null stays NULL.
 * See https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/listcontacts
 *
 * @param raw the record as JSON text when the caller has it already (saves a second stringify).
 * @throws DataError when the record is not an object, has no id, or a field has the wrong type.
 */
export function mapUser(record: unknown, raw?: string): UserRow {
  if (!isObject(record)) throw new DataError('the contact record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the contact record has no id');
  return {
    id,
    externalId: stringOrId(record, 'external_id'),
    role: stringField(record, 'role', CODE_LENGTH),
    email: stringField(record, 'email', EMAIL_LENGTH),
    name: stringField(record, 'name'),
    phone: stringField(record, 'phone', 255),
    ownerId: idField(record, 'owner_id', ID_LENGTH),
    createdAt: timestampField(record, 'created_at'),
    updatedAt: timestampField(record, 'updated_at'),
    signedUpAt: timestampField(record, 'signed_up_at'),
    lastSeenAt: timestampField(record, 'last_seen_at'),
    location: jsonText(objectField(record, 'location')),
    customAttributes: jsonText(objectField(record, 'custom_attributes')),
    tags: jsonText(listItems(record, 'tags', 'data')),
    companies: jsonText(listItems(record, 'companies', 'data')),
    raw: raw ?? JSON.stringify(record),
  };
}

/** `external_id` is documented as a string, but workspaces that set it from numbers send integers. */
function stringOrId(record: JsonObject, field: string): string | null {
  return idField(record, field, 255);
}
