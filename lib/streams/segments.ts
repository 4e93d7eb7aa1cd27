import { mapSegment } from '../records/map-segment';
import { defineStream } from './types';

/**
 * Segments: `GET /segments` answers every segment in one unpaged `segment.list`. The number of
 * contacts in each (`count`) is only given with `include_count=true`, so the list asks for it.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/segments/listsegments
 */
export const SEGMENTS = defineStream({
  name: 'segments',
  file: 'segments.json',
  label: 'segments',
  singular: 'segment',
  primaryKey: 'id',
  source: {
    kind: 'list',
    path: '/segments',
    itemsKey: 'segments',
    paged: false,
    query: { include_count: 'true' },
  },
  pageSize: 150,
  tables: ['segment'],
  map: (record, raw) => ({ segment: [mapSegment(record, raw)] }),
});
