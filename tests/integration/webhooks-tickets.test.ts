import { runLoad } from '../../tasks/load/run-load';
import { deliverNotification, notificationOf } from '../../sandbox/webhooks';
import { createTestDatabase, queryDatabase } from '../helpers/database';
import { fixtureTicket, writeFixtureLake } from '../helpers/fixture-lake';
import {
  startStreamHarness,
  TEST_CLIENT_SECRET,
  waitFor,
  type StreamHarness,
} from '../helpers/stream-harness';

type Json = Record<string, unknown>;

const TICKET_TABLES = ['ticket', 'ticket_part'];

const ticketItem = (ticket: Json): Json => ({ type: 'ticket', id: ticket.id });

async function ticketRows(url: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of TICKET_TABLES)
    out[table] = await queryDatabase(url, `SELECT * FROM \`${table}\` ORDER BY 1, 2`);
  return out;
}

/**
 * Ticket notifications through `npm run stream`'s parts over real HTTP (kinesalite, MariaDB, a
 * folder lake): each `ticket.*` topic fetches `GET /tickets/{id}` and writes the ticket and its
 * parts exactly as a load of that record does.
 */
describe('ticket webhooks through npm run stream', () => {
  const first = fixtureTicket(1, { parts: 3 });
  const second = fixtureTicket(2, { parts: 2, overrides: { open: false, admin_assignee_id: '991267' } });
  let h: StreamHarness;

  beforeEach(async () => {
    h = await startStreamHarness({ contacts: [], conversations: [], tickets: [first, second] });
  });
  afterEach(async () => {
    await h.close();
  });

  const send = (topic: string, item: Json, id?: string) =>
    deliverNotification(h.webhookUrl, notificationOf(topic, item, { id }), TEST_CLIENT_SECRET);

  it('applies signed ticket notifications as the ticket and ticket_part rows a full load of the API records writes', async () => {
    expect((await send('ticket.created', ticketItem(first))).status).toBe(200);
    expect((await send('ticket.state.updated', ticketItem(second))).status).toBe(200);
    // From API 2.15 ticket.closed wraps the ticket in its item: the ticket's id is read there.
    expect((await send('ticket.closed', { ticket: ticketItem(first) })).status).toBe(200);
    await waitFor('three notifications applied', () => h.consumed.length === 3);
    expect(h.consumed.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);

    const loaded = await createTestDatabase();
    const lake = await writeFixtureLake({ users: [], conversations: [], tickets: [first, second] });
    try {
      await runLoad({ store: lake.store, databaseUrl: loaded.url, mode: 'full', progress: false });
      expect(await ticketRows(h.db.url)).toEqual(await ticketRows(loaded.url));
    } finally {
      await loaded.drop();
      await lake.remove();
    }
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM ticket_part'))[0]?.n)).toBe(5);
    // Every notification fetched the ticket whole, parts included.
    expect(h.sandbox.stats.byRoute['GET /tickets/{id}']).toBe(3);
    expect(await h.query('SELECT topic, item_type FROM webhook_event ORDER BY topic')).toEqual([
      { topic: 'ticket.closed', item_type: null },
      { topic: 'ticket.created', item_type: 'ticket' },
      { topic: 'ticket.state.updated', item_type: 'ticket' },
    ]);
  });

  it('replaces the parts of a newer ticket and never regresses it when a late notification fetches an older state', async () => {
    const updatedAt = first.updated_at as number;
    h.data.putTicket(fixtureTicket(1, { parts: 4, overrides: { updated_at: updatedAt + 100 } }));
    await send('ticket.admin.replied', ticketItem(first));
    await waitFor('the newer state applied', () => h.consumed.length === 1);

    // The API answers with an older state (as a fetch that raced ahead of the newer one would).
    h.data.putTicket(fixtureTicket(1, { parts: 1, overrides: { open: false } }));
    await send('ticket.note.created', ticketItem(first));
    await waitFor('the late notification consumed', () => h.consumed.length === 2);
    expect(h.consumed[1]).toMatchObject({ status: 'applied' });
    expect(await h.query('SELECT open, parts_count FROM ticket')).toEqual([{ open: 1, parts_count: 4 }]);
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM ticket_part'))[0]?.n)).toBe(4);

    // A newer state with fewer parts replaces them: the part that went is gone.
    h.data.putTicket(fixtureTicket(1, { parts: 2, overrides: { updated_at: updatedAt + 200, open: false } }));
    await send('ticket.state.updated', ticketItem(first));
    await waitFor('the newest state applied', () => h.consumed.length === 3);
    expect(await h.query('SELECT open, parts_count FROM ticket')).toEqual([{ open: 0, parts_count: 2 }]);
    expect((await h.query('SELECT id FROM ticket_part ORDER BY id')).map((r) => r.id)).toEqual(
      (fixtureTicket(1, { parts: 2 }).ticket_parts as { ticket_parts: Json[] }).ticket_parts.map((p) => p.id),
    );
  });

  it('removes a ticket and its parts when its fetch answers 404, and applies a notification delivered twice once', async () => {
    const twice = notificationOf('ticket.created', ticketItem(first));
    await deliverNotification(h.webhookUrl, twice, TEST_CLIENT_SECRET);
    await deliverNotification(h.webhookUrl, twice, TEST_CLIENT_SECRET);
    await send('ticket.team.assigned', ticketItem(second));
    await waitFor('the tickets applied', () => h.consumed.length === 3);
    expect(h.consumed.map((r) => r.status).sort()).toEqual(['applied', 'applied', 'duplicate']);
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM ticket'))[0]?.n)).toBe(2);

    // Intercom has no ticket.deleted topic: a ticket deleted there answers 404 to the next fetch.
    h.data.deleteTicket(first.id as string);
    await send('ticket.attribute.updated', ticketItem(first));
    await waitFor('the removal consumed', () => h.consumed.length === 4);

    expect(await h.query('SELECT id FROM ticket')).toEqual([{ id: second.id }]);
    expect(await h.query('SELECT DISTINCT ticket_id FROM ticket_part')).toEqual([{ ticket_id: second.id }]);
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM webhook_event'))[0]?.n)).toBe(3);
  });
});
