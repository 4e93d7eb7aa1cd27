import { contactTagRows } from '../records/map-tag';
import { contactCompaniesOf } from '../records/map-company';
import { mapUser } from '../records/map-user';
import type { JsonObject } from '../records/fields';
import { defineStream } from './types';

/**
 * Contacts (users and leads): `POST /contacts/search` over created_at day ranges (or `GET /contacts`
 * when search is refused), each with its nested `tags`, `companies` and `notes`
 * completed from their sub-endpoints when they say `has_more`. Quirks (openapi 2.14): tags answer
 * whole without paging; companies page by link (`pages.next` is a URL) and hold their items under
 * `companies` in the schema but `data` in the example; notes page by cursor.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/listcontacts
 */
export const USERS = defineStream({
  name: 'users',
  file: 'users.json',
  label: 'contacts',
  singular: 'contact',
  primaryKey: 'id',
  source: { kind: 'list', path: '/contacts', itemsKey: 'data', paged: true },
  pageSize: 150,
  // One page at a time is far below the rate limit: list through concurrent created_at day ranges
  // (10 pages each at most, unless one day holds more), sorted by created_at. 16 ranges at once
  // keep the limit's 166 calls/s busy at 80 ms per call, with the nested lists' calls beside them.
  partitions: {
    search: { path: '/contacts/search', itemsKey: 'data' },
    field: 'created_at',
    bound: 1500,
    window: 16,
  },
  nested: [
    { field: 'tags', path: '/contacts/{id}/tags', itemsKeys: ['data'], paged: false },
    { field: 'companies', path: '/contacts/{id}/companies', itemsKeys: ['data', 'companies'], paged: true },
    { field: 'notes', path: '/contacts/{id}/notes', itemsKeys: ['data'], paged: true },
  ],
  // Contact search matches dates by calendar day in the workspace's time zone.
  // https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
  incremental: {
    cursorField: 'updated_at',
    search: { path: '/contacts/search', itemsKey: 'data' },
    match: 'calendar-day',
  },
  // contact_tag and contact_company: the contact's completed tag and company lists, replaced whole
  // when the contact is upserted.
  tables: ['users', 'contact_tag', 'contact_company'],
  replaceChildrenOf: { tables: ['contact_tag', 'contact_company'], column: 'contact_id' },
  map: (record, raw) => {
    const user = mapUser(record, raw);
    return {
      users: [user],
      contact_tag: contactTagRows(user.id as string, record as JsonObject),
      contact_company: contactCompaniesOf(record),
    };
  },
});
