import { mapTag } from '../records/map-tag';
import { defineStream } from './types';

/**
 * Tags: `GET /tags` answers every tag of the workspace in one unpaged list (`data`). Which contacts
 * and conversations carry a tag is read from those records (`contact_tag` by the users stream,
 * `conversation_tag` by the conversations stream), not from here.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/tags/listtags
 */
export const TAGS = defineStream({
  name: 'tags',
  file: 'tags.json',
  label: 'tags',
  singular: 'tag',
  primaryKey: 'id',
  source: { kind: 'list', path: '/tags', itemsKey: 'data', paged: false },
  pageSize: 150,
  tables: ['tag'],
  map: (record, raw) => ({ tag: [mapTag(record, raw)] }),
});
