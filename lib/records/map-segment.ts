import { CODE_LENGTH, ID_LENGTH, type segment } from '../../drizzle/schema';
import { DataError } from '../errors';
import type { RowOf } from '../streams/types';
import { idField, integerField, isObject, stringField, timestampField } from './fields';

/** A `segment` row. */
export type SegmentRow = RowOf<typeof segment>;

/**
 * Map one segment from `data/segments.json` (a `GET /segments?include_count=true` item) to a
 * `segment` row; `count` is NULL when the API left it out.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/segments/listsegments
 *
 * @throws DataError when the record is not an object, has no id, or a field has the wrong type.
 */
export function mapSegment(record: unknown, raw?: string): SegmentRow {
  if (!isObject(record)) throw new DataError('the segment record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the segment record has no id');
  return {
    id,
    name: stringField(record, 'name'),
    personType: stringField(record, 'person_type', CODE_LENGTH),
    count: integerField(record, 'count'),
    createdAt: timestampField(record, 'created_at'),
    updatedAt: timestampField(record, 'updated_at'),
    raw: raw ?? JSON.stringify(record),
  };
}
