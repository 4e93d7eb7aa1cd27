import { mapTicket, ticketPartsComplete } from '../../lib/records/map-ticket';
import { fixtureContact, fixtureTicket } from '../helpers/fixture-lake';

describe('mapTicket', () => {
  it('maps the ticket, its type, state and title, and one row per part in order', () => {
    const record = fixtureTicket(1, { parts: 2 });
    const { ticket, parts } = mapTicket(record);
    expect(ticket).toEqual({
      id: '634',
      ticketId: '41',
      category: 'Customer',
      ticketTypeId: '100',
      ticketTypeName: 'Bug report',
      ticketStateId: '8577',
      ticketStateCategory: 'submitted',
      title: 'Ticket 1',
      open: true,
      isShared: false,
      adminAssigneeId: '0',
      teamAssigneeId: '0',
      createdAt: '2024-06-27 12:23:21',
      updatedAt: '2024-06-27 12:56:41',
      snoozedUntil: null,
      ticketAttributes: '{"_default_title_":"Ticket 1","_default_description_":null}',
      contacts: JSON.stringify([{ type: 'contact', id: fixtureContact(1).id }]),
      partsCount: 2,
      raw: JSON.stringify(record),
    });
    expect(
      parts.map((p) => [p.id, p.ticketId, p.position, p.partType, p.previousTicketState, p.ticketState]),
    ).toEqual([
      ['6340000', '634', 0, 'comment', null, null],
      ['6340001', '634', 1, 'ticket_state_updated_by_admin', 'submitted', 'in_progress'],
    ]);
    expect(parts[1]?.authorId).toBe('991267');
  });

  it('quarantines the whole ticket when a part has no id, naming the part', () => {
    const record = fixtureTicket(2, { parts: 2 });
    const list = record.ticket_parts as { ticket_parts: Record<string, unknown>[] };
    delete list.ticket_parts[1]?.id;
    expect(() => mapTicket(record)).toThrow(/ticket_parts\.ticket_parts\[1\]/);
  });
});

describe('ticketPartsComplete', () => {
  it('holds when the listed parts reach their total_count, not when they are missing or cut', () => {
    expect(ticketPartsComplete(fixtureTicket(1, { parts: 3 }))).toBe(true);
    expect(ticketPartsComplete(fixtureTicket(1, { overrides: { ticket_parts: undefined } }))).toBe(false);
    const cut = fixtureTicket(1, { parts: 3 });
    (cut.ticket_parts as { total_count: number }).total_count = 5;
    expect(ticketPartsComplete(cut)).toBe(false);
  });
});
