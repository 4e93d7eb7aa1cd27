import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { silentLogger } from '../../lib/logger';
import type { ConsumeResult } from '../../lib/events/consume';
import { parseSandboxArgs } from '../../sandbox/cli-options';
import { startSandbox } from '../../sandbox/server';
import { startWebhookSender } from '../../sandbox/webhook-sender';
import { startStream } from '../../tasks/stream/run-stream';
import { createTestDatabase, queryDatabase } from '../helpers/database';
import { createLakeFolder } from '../helpers/fixture-lake';
import { waitFor } from '../helpers/stream-harness';

const SECRET = 'sandbox-webhook-test-secret';

/** A JSON column as mysql2 hands it over: parsed already, or text. */
const jsonOf = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

describe('npm run sandbox -- --webhooks-to URL', () => {
  it('reads --webhooks-to with its secret and pace, and refuses a URL without a secret', () => {
    const parsed = parseSandboxArgs([
      '--webhooks-to',
      'http://127.0.0.1:8788/webhooks/intercom',
      '--webhooks-secret',
      SECRET,
      '--webhooks-every-ms',
      '250',
    ]);
    expect(parsed.webhooks).toEqual({
      url: 'http://127.0.0.1:8788/webhooks/intercom',
      secret: SECRET,
      everyMs: 250,
    });
    expect(parsed.options.live).toBe(true);
    expect(() => parseSandboxArgs(['--webhooks-to', 'http://127.0.0.1:8788/webhooks/intercom'])).toThrow(
      /--webhooks-to needs --webhooks-secret/,
    );
    expect(() => parseSandboxArgs(['--webhooks-to', 'nowhere', '--webhooks-secret', SECRET])).toThrow(
      /must be an http\(s\) URL/,
    );
  });

  it('sends a signed notification for each of its changes, and the stream leaves the warehouse equal to the sandbox', async () => {
    const sandbox = await startSandbox({ live: true, contacts: 30, conversations: 20, tickets: 6, seed: 7 });
    const db = await createTestDatabase();
    const lake = await createLakeFolder();
    const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
    const consumed: ConsumeResult[] = [];
    const stream = await startStream({
      clientSecret: SECRET,
      port: 0,
      streamName: 'sandbox-events',
      store: new FolderStore(lake.folder),
      databaseUrl: db.url,
      client,
      log: silentLogger(),
      onConsumed: (result) => consumed.push(result),
    });
    const live = sandbox.live!;
    const sender = startWebhookSender({
      live,
      url: `${stream.url}/webhooks/intercom`,
      secret: SECRET,
      everyMs: 10,
    });
    try {
      // Tickets are one change in five: enough changes that some are tickets.
      await waitFor(
        '40 changes sent, tickets among them',
        () => sender.stats.sent >= 40 && live.changeCounts.ticket.updated >= 2,
      );
      await sender.close();
      expect(sender.stats.failed).toBe(0);
      expect(sender.stats.accepted).toBe(sender.stats.sent);
      await waitFor('every notification consumed', () => consumed.length === sender.stats.sent);
      expect(consumed.every((r) => r.status === 'applied')).toBe(true);

      // Every changed record is in the warehouse as the sandbox serves it now (contacts with their
      // nested lists completed, as the extract keeps them, so compared on what changes).
      const users = await queryDatabase(db.url, 'SELECT id, raw FROM users');
      const conversations = await queryDatabase(db.url, 'SELECT id, raw FROM conversation');
      const { contact } = live.changeCounts;
      expect(users.length + conversations.length).toBeGreaterThan(0);
      expect(users.length).toBeLessThanOrEqual(contact.updated + contact.created);
      for (const row of users) {
        const index = live.contactIndex(String(row.id));
        const { id, name, updated_at, email } = live.contactAt(index as number);
        expect(jsonOf(row.raw)).toMatchObject({ id, name, updated_at, email });
      }
      for (const row of conversations) {
        const index = live.conversationIndex(String(row.id));
        expect(jsonOf(row.raw)).toEqual(live.conversationAt(index as number));
      }
      // Each changed ticket as GET /tickets/{id} answers now: its state moved on, a part per change.
      const tickets = await queryDatabase(
        db.url,
        'SELECT id, raw, ticket_state_category, parts_count FROM ticket',
      );
      expect(tickets.length).toBeGreaterThan(0);
      expect(tickets.length).toBeLessThanOrEqual(live.changeCounts.ticket.updated);
      for (const row of tickets) {
        const ticket = live.ticketAt(live.ticketIndex(String(row.id)) as number);
        expect(jsonOf(row.raw)).toEqual(ticket);
        expect(row).toMatchObject({
          ticket_state_category: ticket.ticket_state.category,
          parts_count: ticket.ticket_parts.ticket_parts.length,
        });
        const parts = await queryDatabase(
          db.url,
          'SELECT id FROM ticket_part WHERE ticket_id = ? ORDER BY position',
          [row.id],
        );
        expect(parts.map((p) => p.id)).toEqual(ticket.ticket_parts.ticket_parts.map((p) => p.id));
        expect(ticket.ticket_parts.ticket_parts.at(-1)).toMatchObject({
          part_type: 'ticket_state_updated_by_admin',
          ticket_state: ticket.ticket_state.category,
          created_at: ticket.updated_at,
        });
      }
    } finally {
      await sender.close();
      await stream.close();
      await client.close();
      await sandbox.close();
      await db.drop();
      await lake.remove();
    }
  });
});
