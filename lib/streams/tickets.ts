import { mapTicket, ticketPartsComplete } from '../records/map-ticket';
import { defineStream } from './types';

/**
 * Tickets: there is no list endpoint, so `POST /tickets/search` with a query every ticket matches
 * (`created_at > 0`), paged by cursor. A search item that lacks its `ticket_parts`, or holds fewer
 * than their `total_count`, is fetched again with `GET /tickets/{id}` (a 404 there: the ticket was
 * deleted meanwhile); the others are kept as listed. Each part is a `ticket_part` row.
 * Ticket search compares timestamps exactly, as conversation search does.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/tickets/searchtickets
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/tickets/getticket
 */
export const TICKETS = defineStream({
  name: 'tickets',
  file: 'tickets.json',
  label: 'tickets',
  singular: 'ticket',
  primaryKey: 'id',
  source: {
    kind: 'search',
    path: '/tickets/search',
    itemsKey: 'tickets',
    query: { field: 'created_at', operator: '>', value: 0 },
  },
  pageSize: 150,
  detail: { path: '/tickets/{id}', notFound: 'vanished', when: (item) => !ticketPartsComplete(item) },
  incremental: {
    cursorField: 'updated_at',
    search: { path: '/tickets/search', itemsKey: 'tickets' },
    match: 'exact-second',
  },
  tables: ['ticket', 'ticket_part'],
  replaceChildrenOf: { tables: ['ticket_part'], column: 'ticket_id' },
  map: (record, raw) => {
    const mapped = mapTicket(record, raw);
    return { ticket: [mapped.ticket], ticket_part: mapped.parts };
  },
});
