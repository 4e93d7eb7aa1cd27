import { runLoad } from '../../tasks/load/run-load';
import { signBody } from '../../lib/events/signature';
import { deliverNotification, notificationOf } from '../../sandbox/webhooks';
import { createTestDatabase, queryDatabase } from '../helpers/database';
import { fixtureContact, fixtureConversation, writeFixtureLake } from '../helpers/fixture-lake';
import {
  startStreamHarness,
  TEST_CLIENT_SECRET,
  waitFor,
  type StreamHarness,
} from '../helpers/stream-harness';

type Json = Record<string, unknown>;

const STREAM_TABLES = ['users', 'conversation', 'conversation_part', 'conversation_contact'];

const contactItem = (contact: Json, extra: Json = {}): Json => ({
  type: 'contact',
  id: contact.id,
  ...extra,
});
const conversationItem = (conversation: Json): Json => ({ type: 'conversation', id: conversation.id });

async function tableRows(url: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of STREAM_TABLES)
    out[table] = await queryDatabase(url, `SELECT * FROM \`${table}\` ORDER BY 1, 2`);
  return out;
}

describe('webhooks through npm run stream (real HTTP, kinesalite, MariaDB, folder lake)', () => {
  const a = fixtureContact(1);
  const b = fixtureContact(2);
  const conversation = fixtureConversation(1, { parts: 4, contacts: [a.id as string, b.id as string] });
  let h: StreamHarness;

  beforeEach(async () => {
    h = await startStreamHarness({
      contacts: [{ contact: a }, { contact: b }],
      conversations: [conversation],
    });
  });
  afterEach(async () => {
    await h.close();
  });

  const send = (topic: string, item: Json, id?: string) =>
    deliverNotification(h.webhookUrl, notificationOf(topic, item, { id }), TEST_CLIENT_SECRET);

  it('applies signed contact and conversation notifications as the rows a full load of the API records writes', async () => {
    expect((await send('contact.user.updated', contactItem(a))).status).toBe(200);
    expect((await send('contact.lead.created', contactItem(b))).status).toBe(200);
    expect((await send('conversation.admin.replied', conversationItem(conversation))).status).toBe(200);
    await waitFor('three notifications applied', () => h.consumed.length === 3);

    const loaded = await createTestDatabase();
    const lake = await writeFixtureLake({ users: [a, b], conversations: [conversation] });
    try {
      await runLoad({ store: lake.store, databaseUrl: loaded.url, mode: 'full', progress: false });
      expect(await tableRows(h.db.url)).toEqual(await tableRows(loaded.url));
    } finally {
      await loaded.drop();
      await lake.remove();
    }
    const parts = await h.query('SELECT COUNT(*) AS n FROM conversation_part');
    expect(Number(parts[0]?.n)).toBe(4);
    const events = await h.query('SELECT topic, item_id FROM webhook_event ORDER BY topic');
    expect(events).toEqual([
      { topic: 'contact.lead.created', item_id: b.id },
      { topic: 'contact.user.updated', item_id: a.id },
      { topic: 'conversation.admin.replied', item_id: conversation.id },
    ]);
  });

  it('refuses bad and missing signatures with 401 and leaves no trace; answers ping, HEAD and non-notifications', async () => {
    const body = JSON.stringify(notificationOf('contact.user.updated', contactItem(a)));
    expect((await deliverNotification(h.webhookUrl, body, null)).status).toBe(401);
    expect((await deliverNotification(h.webhookUrl, body, 'another-secret')).status).toBe(401);
    const otherBody = JSON.stringify(notificationOf('contact.user.updated', contactItem(b)));
    const misplaced = signBody(otherBody, TEST_CLIENT_SECRET);
    expect((await deliverNotification(h.webhookUrl, body, null, { signature: misplaced })).status).toBe(401);
    expect((await deliverNotification(h.webhookUrl, body, null, { signature: 'sha1=zz' })).status).toBe(401);
    expect((await deliverNotification(h.webhookUrl, '{"hello":1}', TEST_CLIENT_SECRET)).status).toBe(400);
    expect((await deliverNotification(h.webhookUrl, 'not json', TEST_CLIENT_SECRET)).status).toBe(400);
    expect((await send('ping', { type: 'ping', message: 'hi' })).status).toBe(200);
    expect((await fetch(h.webhookUrl, { method: 'HEAD' })).status).toBe(200);

    // A valid notification afterwards: once it is applied, anything the refused ones did would show.
    expect((await send('contact.user.updated', contactItem(b), 'notif_sentinel')).status).toBe(200);
    await waitFor('the sentinel applied', () => h.consumed.length === 1);
    await waitFor('the sentinel in the lake', async () => (await h.lakeEvents()).length > 0);

    expect(await h.query('SELECT id FROM webhook_event')).toEqual([{ id: 'notif_sentinel' }]);
    expect(await h.query('SELECT id FROM users')).toEqual([{ id: b.id }]);
    expect((await h.lakeEvents()).map((e) => e.id)).toEqual(['notif_sentinel']);
    expect(h.sandbox.stats.byRoute['GET /contacts/{id}']).toBe(1);
  });

  it('applies a notification delivered twice once, and keeps each delivery in events/ once', async () => {
    const twice = notificationOf('contact.user.updated', contactItem(a));
    expect((await deliverNotification(h.webhookUrl, twice, TEST_CLIENT_SECRET)).status).toBe(200);
    expect((await deliverNotification(h.webhookUrl, twice, TEST_CLIENT_SECRET)).status).toBe(200);
    await waitFor('both deliveries consumed', () => h.consumed.length === 2);
    await waitFor('both deliveries in the lake', async () => (await h.lakeEvents()).length === 2);

    expect(h.consumed.map((r) => r.status).sort()).toEqual(['applied', 'duplicate']);
    expect(await h.query('SELECT id FROM webhook_event')).toEqual([{ id: twice.id }]);
    expect(h.sandbox.stats.byRoute['GET /contacts/{id}']).toBe(1);
    expect((await h.lakeEvents()).map((e) => e.id)).toEqual([twice.id, twice.id]);
  });

  it('never regresses a row when a late notification fetches an older state', async () => {
    const newer = { ...a, name: 'Newer', updated_at: (a.updated_at as number) + 100 };
    h.data.putContact({ contact: newer });
    const newerConversation = {
      ...conversation,
      title: 'Newer',
      updated_at: (conversation.updated_at as number) + 100,
    };
    h.data.putConversation(newerConversation);
    await send('contact.user.updated', contactItem(a));
    await send('conversation.admin.closed', conversationItem(conversation));
    await waitFor('the newer states applied', () => h.consumed.length === 2);

    // The API answers with the older state (as a fetch that raced ahead of the newer one would).
    h.data.putContact({ contact: { ...a, name: 'Older' } });
    h.data.putConversation({ ...fixtureConversation(1, { parts: 1 }), title: 'Older' });
    await send('contact.user.updated', contactItem(a));
    await send('conversation.user.replied', conversationItem(conversation));
    await waitFor('the late notifications consumed', () => h.consumed.length === 4);

    expect(await h.query('SELECT name FROM users')).toEqual([{ name: 'Newer' }]);
    expect(await h.query('SELECT title, parts_count FROM conversation')).toEqual([
      { title: 'Newer', parts_count: 4 },
    ]);
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM conversation_part'))[0]?.n)).toBe(4);
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM webhook_event'))[0]?.n)).toBe(4);
  });

  it('removes rows on *.deleted, on contact.merged (the merged-away contact) and when the fetch answers 404', async () => {
    const c = fixtureContact(3);
    const d = fixtureContact(4);
    for (const contact of [c, d]) h.data.putContact({ contact });
    for (const contact of [a, b, c, d]) await send('contact.user.created', contactItem(contact));
    await send('conversation.user.created', conversationItem(conversation));
    await waitFor('the records applied', () => h.consumed.length === 5);
    expect((await h.query('SELECT id FROM users ORDER BY id')).length).toBe(4);

    // Deleted topics carry only ids; the sandbox still has the records, and no fetch is needed.
    await send('contact.deleted', contactItem(b));
    await send('conversation.deleted', conversationItem(conversation));
    // c is merged into d: c is gone from the API, d changed.
    h.data.deleteContact(c.id as string);
    h.data.putContact({ contact: { ...d, name: 'Merged', updated_at: (d.updated_at as number) + 5 } });
    await send('contact.merged', contactItem(d, { merged_from: { type: 'contact', id: c.id } }));
    // a is deleted in Intercom but the notification says "updated": the 404 counts as deleted.
    h.data.deleteContact(a.id as string);
    await send('contact.user.updated', contactItem(a));
    await waitFor('the removals consumed', () => h.consumed.length === 9);

    expect(await h.query('SELECT id, name FROM users')).toEqual([{ id: d.id, name: 'Merged' }]);
    for (const table of ['conversation', 'conversation_part', 'conversation_contact']) {
      expect(await h.query(`SELECT * FROM \`${table}\``)).toEqual([]);
    }
    expect(Number((await h.query('SELECT COUNT(*) AS n FROM webhook_event'))[0]?.n)).toBe(9);
  });

  it('writes every accepted notification into events/date=<UTC day of receipt>/ once', async () => {
    const sent = Array.from({ length: 24 }, (_, i) =>
      notificationOf(
        i % 2 ? 'contact.user.updated' : 'conversation.admin.noted',
        i % 2 ? contactItem(a) : conversationItem(conversation),
      ),
    );
    const answers = await Promise.all(
      sent.map((n) => deliverNotification(h.webhookUrl, n, TEST_CLIENT_SECRET)),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    await waitFor('all 24 in the lake', async () => (await h.lakeEvents()).length >= 24);

    const lake = await h.lakeEvents();
    expect(lake.map((e) => e.id).sort()).toEqual(sent.map((n) => n.id).sort());
    expect(lake.find((e) => e.id === sent[0]?.id)).toEqual(sent[0]);
    // Receipt around midnight may split them over two days; every key names a day folder.
    for (const key of await h.lakeEventKeys())
      expect(key).toMatch(/^events\/date=\d{4}-\d{2}-\d{2}\/[\w-]+\.json$/);
    expect((await h.lakeEventKeys()).some((key) => key.startsWith(`events/date=${today}/`))).toBe(true);
  });
});
