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
    const sandbox = await startSandbox({ live: true, contacts: 30, conversations: 20, seed: 7 });
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
      await waitFor('20 changes sent', () => sender.stats.sent >= 20);
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
