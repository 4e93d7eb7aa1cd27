import { mapCompany } from '../records/map-company';
import { defineStream } from './types';

/**
 * Companies: `GET /companies/scroll`, the one list that reaches past 10,000 companies. Intercom
 * allows one scroll per app at a time (a second is refused while one is open), expires a scroll
 * idle for a minute, and answers a network error mid-scroll with a 500 that means "start a new
 * scroll"; the last page is empty. The client handles all of it (lib/intercom/scroll.ts): a broken
 * scroll is started again and companies already listed are skipped by id. A crashed run cannot
 * resume a scroll either: the rerun starts a new one and skips what its checkpoint holds (see
 * docs/STREAMS.md). The records carry no parts or nested lists to complete, and there is no search
 * to catch up with, so the file is the scroll as it ran.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/companies/scrolloverallcompanies
 */
export const COMPANIES = defineStream({
  name: 'companies',
  file: 'companies.json',
  label: 'companies',
  singular: 'company',
  primaryKey: 'id',
  source: { kind: 'scroll', path: '/companies/scroll', itemsKey: 'data' },
  // Scroll pages have a size Intercom picks; the field is unused by a scroll.
  pageSize: 150,
  tables: ['company'],
  map: (record, raw) => ({ company: [mapCompany(record, raw)] }),
});
