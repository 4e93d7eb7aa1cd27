import { CODE_LENGTH, ID_LENGTH, type ticket, type ticketPart } from '../../drizzle/schema';
import { DataError } from '../errors';
import {
  booleanField,
  idField,
  isObject,
  jsonText,
  listItems,
  objectField,
  stringField,
  timestampField,
  within,
  type JsonObject,
} from './fields';
import type { RowOf } from '../streams/types';

/** A `ticket` row. */
export type TicketRow = RowOf<typeof ticket>;
/** A `ticket_part` row. */
export type TicketPartRow = RowOf<typeof ticketPart>;

/** Every row one ticket record gives. */
export interface MappedTicket {
  ticket: TicketRow;
  parts: TicketPartRow[];
}

/** The parts a ticket record holds (`ticket_parts.ticket_parts`); [] when it holds none. */
export function ticketPartsOf(record: JsonObject): unknown[] {
  const list = record.ticket_parts;
  if (!isObject(list)) return [];
  const items = list.ticket_parts;
  return Array.isArray(items) ? items : [];
}

/**
 * Whether a listed ticket holds every part: its `ticket_parts` list is there and holds at least
 * its `total_count` (no count: what is there is all). A ticket that does not is fetched again with
 * `GET /tickets/{id}`.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/tickets/getticket
 */
export function ticketPartsComplete(record: JsonObject): boolean {
  const list = record.ticket_parts;
  if (!isObject(list) || !Array.isArray(list.ticket_parts)) return false;
  const total = list.total_count;
  return typeof total !== 'number' || list.ticket_parts.length >= total;
}

/**
 * Map one ticket from `data/tickets.json` (a `POST /tickets/search` item, or its `GET /tickets/{id}`
 * body when the search lacked parts) to its `ticket` row and one `ticket_part` row per part.
 * `title` is the default title attribute (`ticket_attributes._default_title_`); `parts_count` is
 * the number of parts the record holds.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/tickets/searchtickets
 *
 * @param raw the record as JSON text when the caller has it already (saves a second stringify).
 * @throws DataError when the record is not an object, it or a part has no id, or a field has the
 *   wrong type; the whole ticket is then quarantined, never half loaded.
 */
export function mapTicket(record: unknown, raw?: string): MappedTicket {
  if (!isObject(record)) throw new DataError('the ticket record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the ticket record has no id');
  const attributes = objectField(record, 'ticket_attributes');
  const type = objectField(record, 'ticket_type') ?? {};
  const state = objectField(record, 'ticket_state') ?? {};
  // Validates the wrapper (an object with an array) before the parts are read.
  listItems(record, 'ticket_parts', 'ticket_parts');
  const parts = ticketPartsOf(record).map((part, index) =>
    within(`ticket_parts.ticket_parts[${index}]`, () => mapPart(part, id, index)),
  );
  const row: TicketRow = {
    id,
    ticketId: idField(record, 'ticket_id', 255),
    category: stringField(record, 'category', CODE_LENGTH),
    ...within('ticket_type', () => ({
      ticketTypeId: idField(type, 'id', ID_LENGTH),
      ticketTypeName: stringField(type, 'name'),
    })),
    ...within('ticket_state', () => ({
      ticketStateId: idField(state, 'id', ID_LENGTH),
      ticketStateCategory: stringField(state, 'category', CODE_LENGTH),
    })),
    title: within('ticket_attributes', () => stringField(attributes ?? {}, '_default_title_')),
    open: booleanField(record, 'open'),
    isShared: booleanField(record, 'is_shared'),
    adminAssigneeId: idField(record, 'admin_assignee_id', ID_LENGTH),
    teamAssigneeId: idField(record, 'team_assignee_id', ID_LENGTH),
    createdAt: timestampField(record, 'created_at'),
    updatedAt: timestampField(record, 'updated_at'),
    snoozedUntil: timestampField(record, 'snoozed_until'),
    ticketAttributes: jsonText(attributes),
    contacts: jsonText(listItems(record, 'contacts', 'contacts')),
    partsCount: parts.length,
    raw: raw ?? JSON.stringify(record),
  };
  return { ticket: row, parts };
}

function mapPart(part: unknown, ticketId: string, position: number): TicketPartRow {
  if (!isObject(part)) throw new DataError('field "" should be an object');
  const id = idField(part, 'id', ID_LENGTH);
  if (!id) throw new DataError('field "id" is missing; every part needs an id');
  const author = objectField(part, 'author') ?? {};
  return {
    id,
    ticketId,
    position,
    partType: stringField(part, 'part_type', CODE_LENGTH),
    body: stringField(part, 'body'),
    previousTicketState: stringField(part, 'previous_ticket_state', CODE_LENGTH),
    ticketState: stringField(part, 'ticket_state', CODE_LENGTH),
    ...within('author', () => ({
      authorType: stringField(author, 'type', CODE_LENGTH),
      authorId: idField(author, 'id', ID_LENGTH),
    })),
    createdAt: timestampField(part, 'created_at'),
    updatedAt: timestampField(part, 'updated_at'),
    raw: JSON.stringify(part),
  };
}
