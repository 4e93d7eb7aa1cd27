import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { openApiDocument } from '../../lib/api/openapi';
import { createReadRoutes } from '../../lib/api/read-routes';
import { openWarehouse, type Warehouse } from '../../lib/warehouse/connection';
import { runLoad } from '../../tasks/load/run-load';
import { ApiContract } from '../helpers/api-contract';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../helpers/database';
import { fixtureContact, fixtureConversation, writeFixtureLake } from '../helpers/fixture-lake';

describe('read routes (GET /contacts/{id}, GET /events) mounted on a bare Hono app, over HTTP', () => {
  let db: TestDatabase;
  let warehouse: Warehouse;
  let server: ServerType;
  let base: string;
  let contract: ApiContract;
  const a = fixtureContact(1);
  const b = fixtureContact(2);

  beforeAll(async () => {
    db = await createTestDatabase();
    const lake = await writeFixtureLake({
      users: [a, b],
      conversations: [
        fixtureConversation(1, { contacts: [a.id as string] }),
        fixtureConversation(2, { contacts: [a.id as string, b.id as string] }),
        fixtureConversation(3, { contacts: [b.id as string] }),
      ],
    });
    await runLoad({ store: lake.store, databaseUrl: db.url, progress: false });
    await lake.remove();
    for (let i = 0; i < 5; i++) {
      await queryDatabase(
        db.url,
        'INSERT INTO webhook_event (id, topic, item_type, item_id, created_at, applied_at, raw) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          `notif_${i}`,
          i % 2 ? 'contact.user.updated' : 'conversation.admin.replied',
          i % 2 ? 'contact' : 'conversation',
          `item${i}`,
          '2026-12-01 09:00:00',
          `2026-12-01 10:00:0${i < 3 ? 0 : i}`,
          JSON.stringify({ type: 'notification_event', id: `notif_${i}` }),
        ],
      );
    }
    warehouse = await openWarehouse(db.url, { connectionLimit: 2 });
    // The API's /openapi.json beside the routes, as buildApiApp serves it, so answers are checked against it.
    const app = new Hono()
      .get('/openapi.json', (c) => c.json(openApiDocument() as object))
      .route('/', createReadRoutes({ pool: warehouse.pool }));
    const info = await new Promise<AddressInfo>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, resolve);
    });
    base = `http://127.0.0.1:${info.port}`;
    contract = new ApiContract(await (await fetch(`${base}/openapi.json`)).json());
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await warehouse.close();
    await db.drop();
  });

  const get = async (path: string) => {
    const response = await fetch(base + path);
    const { body } = await contract.checkFetched('GET', base + path, response);
    return { status: response.status, body: body as Record<string, unknown> };
  };

  it('answers a contact with its row (the record in raw) and its conversations, latest first', async () => {
    const { status, body } = await get(`/contacts/${a.id}`);
    expect(status).toBe(200);
    expect(body.contact).toMatchObject({ id: a.id, email: a.email, name: a.name, raw: a });
    expect((body.conversations as { id: string }[]).map((c) => c.id)).toEqual(['1002', '1001']);
  });

  it('answers 404 for a contact the warehouse does not hold', async () => {
    expect(await get('/contacts/nobody')).toEqual({
      status: 404,
      body: { error: 'No contact nobody in the warehouse.' },
    });
  });

  it('pages the applied events oldest first with a cursor that loses and repeats nothing', async () => {
    const ids: string[] = [];
    let path = '/events?limit=2';
    for (let pages = 0; pages < 5; pages++) {
      const { status, body } = await get(path);
      expect(status).toBe(200);
      ids.push(...(body.events as { id: string }[]).map((e) => e.id));
      if (body.next === null) break;
      path = `/events?limit=2&cursor=${String(body.next)}`;
    }
    expect(ids).toEqual(['notif_0', 'notif_1', 'notif_2', 'notif_3', 'notif_4']);
  });

  it('filters events by topic and by since (ISO or Unix seconds)', async () => {
    const byTopic = await get('/events?topic=contact.user.updated');
    expect((byTopic.body.events as { id: string }[]).map((e) => e.id)).toEqual(['notif_1', 'notif_3']);
    expect((byTopic.body.events as { raw: unknown }[])[0]?.raw).toEqual({
      type: 'notification_event',
      id: 'notif_1',
    });
    const since = await get('/events?since=2026-12-01T10:00:03Z');
    expect((since.body.events as { id: string }[]).map((e) => e.id)).toEqual(['notif_3', 'notif_4']);
    const unix = await get(`/events?since=${Date.UTC(2026, 11, 1, 10, 0, 4) / 1000}`);
    expect((unix.body.events as { id: string }[]).map((e) => e.id)).toEqual(['notif_4']);
  });

  it.each([
    ['/events?since=yesterday', /since "yesterday"/],
    ['/events?limit=0', /limit "0"/],
    ['/events?cursor=%%%', /cursor is not one this API gave/],
  ])('refuses %s with 400 and says what is wrong', async (path, message) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(String(body.error)).toMatch(message);
  });
});
