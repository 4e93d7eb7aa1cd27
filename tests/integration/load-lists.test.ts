import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import { DATA_ATTRIBUTES } from '../../lib/streams/data-attributes';
import { BatchWriter } from '../../lib/warehouse/batch-writer';
import { recordUnit } from '../../lib/warehouse/record-unit';
import { targetNames } from '../../lib/warehouse/tables';
import { runLoad } from '../../tasks/load/run-load';
import {
  createTestDatabase,
  TEST_SERVER_URL,
  type TestDatabase,
  queryDatabase as query,
} from '../helpers/database';
import { fixtureContact, fixtureConversation } from '../helpers/fixture-lake';
import {
  fixtureAdmin,
  fixtureDataAttribute,
  fixtureSegment,
  fixtureTag,
  fixtureTeam,
} from '../helpers/fixture-lists';
import { snapshotWarehouse, tableRows, useFixtureLakes } from '../helpers/warehouse';

/**
 * The list streams through the load with hand-made lakes: data_attribute's composite key
 * (model, name) in a full refresh, its quarantine and an upsert; and the link tables an upsert
 * replaces whole for each record it writes again (team_admin, contact_tag, conversation_tag).
 */

/** A contact whose completed tag list names `tagIds`. */
function taggedContact(i: number, tagIds: string[]) {
  const contact = fixtureContact(i);
  return {
    ...contact,
    tags: {
      type: 'list',
      data: tagIds.map((id) => ({ id, type: 'tag', url: `/tags/${id}` })),
      url: `/contacts/${String(contact.id)}/tags`,
      total_count: tagIds.length,
      has_more: false,
    },
  };
}

/** A conversation whose `tags.tags` names `tagIds`. */
function taggedConversation(i: number, tagIds: string[]) {
  return fixtureConversation(i, {
    overrides: {
      tags: { type: 'tag.list', tags: tagIds.map((id) => ({ type: 'tag', id, name: `tag ${id}` })) },
    },
  });
}

const standardEmail = fixtureDataAttribute(0, {
  name: 'email',
  full_name: 'email',
  id: undefined,
  custom: false,
  created_at: undefined,
  updated_at: undefined,
});
const companyName = fixtureDataAttribute(0, {
  model: 'company',
  name: 'name',
  full_name: 'name',
  id: undefined,
});
const contactName = fixtureDataAttribute(0, { name: 'name', full_name: 'name', id: undefined });
const customPlan = fixtureDataAttribute(1, { name: 'plan' });

/**
 * A TCP proxy to the test server that lets the `nth` `COMMIT` through and then cuts that
 * connection before its answer comes back: the transaction is committed, but the client cannot
 * know it (a network cut at the worst moment). Every other statement and connection passes.
 */
async function startCommitCuttingProxy(nth: number): Promise<{
  port: number;
  cuts: () => number;
  close(): Promise<void>;
}> {
  const COMMIT = Buffer.concat([Buffer.from([0x03]), Buffer.from('COMMIT')]);
  const sockets = new Set<Socket>();
  let commits = 0;
  let cuts = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(new URL(TEST_SERVER_URL).port), '127.0.0.1');
    let committing = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes(COMMIT) && ++commits === nth) committing = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (committing) {
        // The server answered the COMMIT: it is done. The client never hears so.
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    cuts: () => cuts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('load of the list streams', () => {
  let db: TestDatabase;
  const lake = useFixtureLakes();

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('loads data attributes by (model, name): a name in two models is two rows, standard ones without an id', async () => {
    const source = await lake({
      users: [],
      conversations: [],
      data_attributes: [standardEmail, contactName, companyName, customPlan],
    });
    const summary = await runLoad({ store: source.store, databaseUrl: db.url });
    expect(summary.tables).toEqual(tableRows({ data_attribute: 4 }));
    expect(summary.records.data_attributes).toBe(4);
    expect(
      await query(db.url, 'SELECT model, name, id, custom FROM data_attribute ORDER BY model, name'),
    ).toEqual([
      { model: 'company', name: 'name', id: null, custom: 1 },
      { model: 'contact', name: 'email', id: null, custom: 0 },
      { model: 'contact', name: 'name', id: null, custom: 1 },
      { model: 'contact', name: 'plan', id: '11001', custom: 1 },
    ]);
  });

  it.each([
    { method: 'load-data', loadData: true },
    { method: 'insert', loadData: false },
  ])(
    'quarantines a data attribute under its model/name key: unmappable, or the same key twice ($method)',
    async ({ loadData }) => {
      const source = await lake({
        users: [],
        conversations: [],
        data_attributes: [
          standardEmail,
          { ...contactName, data_type: 12 },
          { ...standardEmail, label: 'the same key again' },
          { type: 'data_attribute', name: 'no_model' },
          customPlan,
        ],
      });
      const summary = await runLoad({ store: source.store, databaseUrl: db.url, loadData });
      expect(summary.quarantinedByStream.data_attributes).toBe(3);
      expect(summary.tables.data_attribute).toBe(2);
      const rows = await query(db.url, 'SELECT stream, record_id, reason FROM quarantine ORDER BY id');
      expect(rows).toEqual(
        expect.arrayContaining([
          {
            stream: 'data_attributes',
            record_id: 'contact/name',
            reason: expect.stringContaining('"data_type" should be a string'),
          },
          {
            stream: 'data_attributes',
            record_id: 'contact/email',
            reason: expect.stringContaining('Duplicate entry'),
          },
          { stream: 'data_attributes', record_id: null, reason: expect.stringContaining('has no model') },
        ]),
      );
      expect(rows).toHaveLength(3);
    },
  );

  it('upserts a data attribute in place by (model, name), adding the new and keeping the others', async () => {
    const first = await lake({ users: [], conversations: [], data_attributes: [standardEmail, customPlan] });
    await runLoad({ store: first.store, databaseUrl: db.url, mode: 'upsert' });
    const second = await lake({
      users: [],
      conversations: [],
      data_attributes: [{ ...customPlan, label: 'Plan (renamed)', archived: true }, companyName],
    });
    const summary = await runLoad({ store: second.store, databaseUrl: db.url, mode: 'upsert' });
    expect(summary.tables.data_attribute).toBe(3);
    expect(
      await query(db.url, 'SELECT model, name, label, archived FROM data_attribute ORDER BY model, name'),
    ).toEqual([
      { model: 'company', name: 'name', label: 'Attribute 0', archived: 0 },
      { model: 'contact', name: 'email', label: 'Attribute 0', archived: 0 },
      { model: 'contact', name: 'plan', label: 'Plan (renamed)', archived: 1 },
    ]);
  });

  it('replaces the links of every record an upsert writes again, and keeps the others', async () => {
    const first = await lake({
      users: [taggedContact(1, ['10', '11']), taggedContact(2, ['10'])],
      conversations: [taggedConversation(1, ['10', '12']), taggedConversation(2, ['11'])],
      admins: [fixtureAdmin(0), fixtureAdmin(1)],
      teams: [fixtureTeam(0, { admin_ids: [4423433, 4423434] }), fixtureTeam(1, { admin_ids: [4423433] })],
      tags: [fixtureTag(0), fixtureTag(1)],
      segments: [fixtureSegment(0)],
    });
    await runLoad({ store: first.store, databaseUrl: db.url, mode: 'upsert' });
    const second = await lake({
      users: [taggedContact(1, ['12'])],
      conversations: [taggedConversation(1, [])],
      teams: [fixtureTeam(0, { admin_ids: [4423434, 4423435] })],
    });
    const summary = await runLoad({ store: second.store, databaseUrl: db.url, mode: 'upsert' });

    expect(summary.tables).toEqual(
      tableRows({
        users: 2,
        contact_tag: 2,
        // Each fixture contact belongs to one company.
        contact_company: 2,
        conversation: 2,
        conversation_part: 6,
        conversation_contact: 2,
        conversation_tag: 1,
        admin: 2,
        team: 2,
        team_admin: 3,
        tag: 2,
        segment: 1,
      }),
    );
    const ids = { c1: fixtureContact(1).id, c2: fixtureContact(2).id };
    expect(await query(db.url, 'SELECT contact_id, tag_id FROM contact_tag ORDER BY 1, 2')).toEqual(
      [
        { contact_id: ids.c1, tag_id: '12' },
        { contact_id: ids.c2, tag_id: '10' },
      ].sort((a, b) => String(a.contact_id).localeCompare(String(b.contact_id))),
    );
    expect(await query(db.url, 'SELECT conversation_id, tag_id FROM conversation_tag')).toEqual([
      { conversation_id: '1002', tag_id: '11' },
    ]);
    expect(await query(db.url, 'SELECT team_id, admin_id FROM team_admin ORDER BY 1, 2')).toEqual([
      { team_id: '814865', admin_id: '4423434' },
      { team_id: '814865', admin_id: '4423435' },
      { team_id: '814866', admin_id: '4423433' },
    ]);
  });

  it('gives each list stream the same tables by full refresh twice (LOAD DATA) as by INSERT', async () => {
    const source = await lake({
      users: [taggedContact(1, ['10', '10', '11'])],
      conversations: [taggedConversation(1, ['12'])],
      admins: [fixtureAdmin(0), fixtureAdmin(1, { team_ids: [] })],
      teams: [fixtureTeam(0, { admin_ids: [4423433, 4423433] })],
      tags: [fixtureTag(0), fixtureTag(1, { name: 'émoji 🏷️' })],
      segments: [fixtureSegment(0), fixtureSegment(1, { count: null })],
      data_attributes: [standardEmail, customPlan],
    });
    const byLoadData = await runLoad({ store: source.store, databaseUrl: db.url });
    expect(byLoadData.quarantined).toBe(0);
    // A list naming the same id twice gives one link.
    expect(byLoadData.tables).toMatchObject({ contact_tag: 2, team_admin: 1 });
    const reference = await snapshotWarehouse(db.url, { liveOnly: true });
    await runLoad({ store: source.store, databaseUrl: db.url, loadData: false });
    expect(await snapshotWarehouse(db.url, { liveOnly: true })).toEqual(reference);
    expect(await query(db.url, 'SELECT id, count FROM segment ORDER BY id')).toEqual([
      { id: String(fixtureSegment(0).id), count: 12 },
      { id: String(fixtureSegment(1).id), count: null },
    ]);
  });
  it('counts a batch of data attributes as written when the answer to its COMMIT is lost, found by (model, name)', async () => {
    // Migrated, empty tables: a load of an empty lake.
    const empty = await lake({ users: [], conversations: [] });
    await runLoad({ store: empty.store, databaseUrl: db.url });
    // The second batch's COMMIT: the first batch's row shares its model, so a lookup by the model
    // alone would find more rows than the batch wrote and could not tell.
    const proxy = await startCommitCuttingProxy(2);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const pool = mysql.createPool({ uri: url.toString(), charset: 'utf8mb4' });
    try {
      const writer = new BatchWriter({
        pool,
        mode: 'full',
        tables: targetNames(''),
        // One record per batch.
        batchBytes: 1,
        maxPacketBytes: 16 * 1024 * 1024,
        concurrency: 1,
        loadedAt: '2026-12-02 00:00:00',
      });
      for (const record of [standardEmail, contactName, customPlan, companyName]) {
        const raw = JSON.stringify(record);
        await writer.add(recordUnit(DATA_ATTRIBUTES, record, raw));
      }
      const tally = await writer.finish();
      expect(proxy.cuts()).toBe(1);
      expect(tally.loaded.data_attributes).toBe(4);
    } finally {
      await pool.end();
      await proxy.close();
    }
    expect(await query(db.url, 'SELECT model, name FROM data_attribute ORDER BY model, name')).toEqual([
      { model: 'company', name: 'name' },
      { model: 'contact', name: 'email' },
      { model: 'contact', name: 'name' },
      { model: 'contact', name: 'plan' },
    ]);
  });
});
