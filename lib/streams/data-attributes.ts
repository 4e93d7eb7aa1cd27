import { mapDataAttribute } from '../records/map-data-attribute';
import { defineStream } from './types';

/**
 * Data attribute definitions: `GET /data_attributes?model=<model>` answers one model's attributes
 * whole (unpaged), so each model is listed in turn. Standard attributes have no `id` and a name
 * such as `name` exists in several models, so a definition is keyed by (`model`, `name`).
 * Archived attributes are left out, as the endpoint does by default.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/data-attributes/lisdataattributes
 */
export const DATA_ATTRIBUTES = defineStream({
  name: 'data_attributes',
  file: 'data_attributes.json',
  label: 'data attributes',
  singular: 'data attribute',
  primaryKey: ['model', 'name'],
  source: {
    kind: 'per-model',
    path: '/data_attributes',
    itemsKey: 'data',
    param: 'model',
    models: ['contact', 'company', 'conversation'],
  },
  pageSize: 150,
  tables: ['data_attribute'],
  map: (record, raw) => ({ data_attribute: [mapDataAttribute(record, raw)] }),
});
