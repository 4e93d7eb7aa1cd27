import { CODE_LENGTH, ID_LENGTH, type dataAttribute } from '../../drizzle/schema';
import { DataError } from '../errors';
import type { RowOf } from '../streams/types';
import { booleanField, idField, isObject, stringField, timestampField } from './fields';

/** A `data_attribute` row. */
export type DataAttributeRow = RowOf<typeof dataAttribute>;

/** Longest attribute name the `data_attribute.name` key column holds. */
const NAME_LENGTH = 255;

/**
 * Map one attribute definition from `data/data_attributes.json` (a `GET /data_attributes?model=…`
 * item) to a `data_attribute` row, keyed by (`model`, `name`): standard attributes (`email`) have
 * no `id`, and names repeat across models (`name` of a contact and of a company).
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/data-attributes/lisdataattributes
 *
 * @throws DataError when the record is not an object, lacks its model or name, or a field has the
 * wrong type.
 */
export function mapDataAttribute(record: unknown, raw?: string): DataAttributeRow {
  if (!isObject(record)) throw new DataError('the data attribute record is not a JSON object');
  const model = stringField(record, 'model', CODE_LENGTH);
  const name = stringField(record, 'name', NAME_LENGTH);
  if (!model) throw new DataError('the data attribute record has no model');
  if (!name) throw new DataError('the data attribute record has no name');
  return {
    model,
    name,
    id: idField(record, 'id', ID_LENGTH),
    fullName: stringField(record, 'full_name'),
    label: stringField(record, 'label'),
    description: stringField(record, 'description'),
    dataType: stringField(record, 'data_type', CODE_LENGTH),
    custom: booleanField(record, 'custom'),
    archived: booleanField(record, 'archived'),
    apiWritable: booleanField(record, 'api_writable'),
    uiWritable: booleanField(record, 'ui_writable'),
    createdAt: timestampField(record, 'created_at'),
    updatedAt: timestampField(record, 'updated_at'),
    raw: raw ?? JSON.stringify(record),
  };
}
