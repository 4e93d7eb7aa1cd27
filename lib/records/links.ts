/**
 * Link rows read from a record's lists of ids: a team's `admin_ids`, a contact's completed `tags`,
 * a conversation's `tags.tags`. Each pair is given once, so a list that names an id twice cannot
 * make the link table refuse the record as a duplicate.
 */
import { ID_LENGTH } from '../../drizzle/schema';
import { DataError } from '../errors';
import { idField, isObject, listItems, type JsonObject } from './fields';

/**
 * The ids of a plain id list (`admin_ids: [1, 2]`), each once, in order; [] when the field is
 * missing or null.
 * @throws DataError when the field is not an array or an element is not an id.
 */
export function idList(record: JsonObject, field: string): string[] {
  const value = record[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DataError(`field "${field}" should be an array of ids`);
  const ids = value.map((item, n) => {
    // Read as a field named after its place, so a refusal names `admin_ids[2]`.
    const at = `${field}[${n}]`;
    const id = idField({ [at]: item }, at, ID_LENGTH);
    if (id === null) throw new DataError(`field "${at}" should be an id but is null`);
    return id;
  });
  return [...new Set(ids)];
}

/**
 * The `id` of every item of a list wrapper (`tags: {type: 'list', data: [{type: 'tag', id}]}`),
 * each once, in order; [] when the wrapper is missing or null.
 * @throws DataError when an item is not an object or has no id.
 */
export function itemIds(record: JsonObject, field: string, itemsKey: string): string[] {
  const items = listItems(record, field, itemsKey) ?? [];
  const ids = items.map((item, n) => {
    const where = `${field}.${itemsKey}[${n}]`;
    if (!isObject(item)) throw new DataError(`field "${where}" should be an object`);
    const id = idField(item, 'id', ID_LENGTH);
    if (id === null) throw new DataError(`field "${where}.id" is missing`);
    return id;
  });
  return [...new Set(ids)];
}
