import { MIGRATED_TABLES, perStreamCounts, tableRows } from '../helpers/warehouse';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, type TestDatabase, queryDatabase as query } from '../helpers/database';
import {
  fixtureContact,
  fixtureConversation,
  writeFixtureLake,
  type FixtureLake,
} from '../helpers/fixture-lake';

type Row = Record<string, unknown>;

/** A JSON column's value: MySQL 8 sends JSON (mysql2 parses it), MariaDB's may arrive as text. */
function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

interface Tables {
  users: Row[];
  conversation: Row[];
  conversation_part: Row[];
  conversation_contact: Row[];
  quarantine: Row[];
}

async function dumpTables(url: string): Promise<Tables> {
  return {
    users: await query(url, 'SELECT * FROM users ORDER BY id'),
    conversation: await query(url, 'SELECT * FROM conversation ORDER BY id'),
    conversation_part: await query(url, 'SELECT * FROM conversation_part ORDER BY id'),
    conversation_contact: await query(
      url,
      'SELECT * FROM conversation_contact ORDER BY conversation_id, contact_id',
    ),
    quarantine: await query(url, 'SELECT stream, record_id, reason, raw FROM quarantine ORDER BY record_id'),
  };
}

const users = [
  fixtureContact(1),
  fixtureContact(2, { name: 'Zoë 🚀👩🏽‍💻', email: '', phone: null, signed_up_at: 2738966400 }),
  fixtureContact(3, {
    name: null,
    location: null,
    last_seen_at: null,
    custom_attributes: { note: '日本語 ✓' },
  }),
  // Every character the SQL literal escaper treats specially, and some it must leave alone.
  fixtureContact(4, { name: `O'Brien \\ "Bob"\n\ttab\u0000nul\u001actrl-z`, external_id: null }),
];
const conversations = [
  fixtureConversation(1, { parts: 4 }),
  // The API returned the 500 most recent parts of 734.
  fixtureConversation(2, {
    parts: 500,
    declaredParts: 734,
    contacts: [users[0]!.id as string, users[1]!.id as string],
  }),
  fixtureConversation(3, { parts: 0, overrides: { statistics: null, title: 'Émoji 🆘 title' } }),
];

describe('full load', () => {
  let db: TestDatabase;
  let lake: FixtureLake;

  beforeEach(async () => {
    db = await createTestDatabase();
    lake = await writeFixtureLake({ users, conversations });
  });
  afterEach(async () => {
    await db.drop();
    await lake.remove();
  });

  it('loads every contact, conversation, part and contact link field for field', async () => {
    const summary = await runLoad({ store: lake.store, databaseUrl: db.url });

    expect(summary).toMatchObject({
      mode: 'full',
      runId: lake.runId,
      // Each fixture contact belongs to one company and carries one tag; each conversation one tag.
      tables: tableRows({
        users: 4,
        contact_tag: 4,
        contact_company: 4,
        conversation: 3,
        conversation_part: 504,
        conversation_contact: 4,
        conversation_tag: 3,
      }),
      quarantined: 0,
      records: perStreamCounts({ users: 4, conversations: 3 }),
    });
    const t = await dumpTables(db.url);
    expect(t.users.map((u) => u.id)).toEqual(users.map((u) => u.id));
    const zoe = t.users[1]!;
    expect(zoe).toMatchObject({
      name: 'Zoë 🚀👩🏽‍💻',
      email: '',
      phone: null,
      role: 'user',
      signed_up_at: '2056-10-17 00:00:00',
      created_at: '2023-02-13 13:57:01',
      last_seen_at: null,
    });
    expect(json(zoe.raw)).toEqual(users[1]);
    expect(json(zoe.tags)).toEqual([{ id: '7800292', type: 'tag', url: '/tags/7800292' }]);
    expect(t.users[2]).toMatchObject({ name: null, location: null });
    expect(json(t.users[2]!.custom_attributes)).toEqual({ note: '日本語 ✓' });
    expect(t.users[0]!.owner_id).toBe(null);
    expect(t.users[3]!.name).toBe(users[3]!.name);
    expect(json(t.users[3]!.raw)).toEqual(users[3]);

    const [c1, c2, c3] = t.conversation;
    expect(c1).toMatchObject({ id: '1001', state: 'closed', open: 0, parts_count: 4, parts_complete: 1 });
    expect(c1!.admin_assignee_id).toBe('4423433');
    expect(c2).toMatchObject({
      id: '1002',
      parts_count: 500,
      parts_complete: 0,
      count_conversation_parts: 734,
    });
    expect(c3).toMatchObject({
      title: 'Émoji 🆘 title',
      parts_count: 0,
      parts_complete: 1,
      time_to_admin_reply: null,
    });
    expect(json(c2!.raw)).toEqual(conversations[1]);

    expect(t.conversation_part.filter((p) => p.conversation_id === '1002')).toHaveLength(500);
    const part = t.conversation_part.find((p) => p.id === '100100001')!;
    expect(part).toMatchObject({
      conversation_id: '1001',
      position: 1,
      part_type: 'comment',
      author_type: 'bot',
      author_name: 'Operator',
      created_at: '2020-12-09 22:34:07',
    });
    expect(t.conversation_contact).toEqual([
      { conversation_id: '1001', contact_id: users[0]!.id },
      { conversation_id: '1002', contact_id: users[0]!.id },
      { conversation_id: '1002', contact_id: users[1]!.id },
      { conversation_id: '1003', contact_id: users[2]!.id },
    ]);
    const collations = await query(
      db.url,
      `SELECT DISTINCT TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '\\_\\_%'`,
    );
    expect(collations.map((r) => String(r.c).startsWith('utf8mb4'))).toEqual(collations.map(() => true));
  });

  it('gives exactly the same tables when run twice, and leaves no twin tables behind', async () => {
    await runLoad({ store: lake.store, databaseUrl: db.url });
    const first = await dumpTables(db.url);
    await runLoad({ store: lake.store, databaseUrl: db.url });
    expect(await dumpTables(db.url)).toEqual(first);
    const tables = await query(db.url, 'SHOW TABLES');
    expect(tables.map((r) => Object.values(r)[0]).sort()).toEqual(MIGRATED_TABLES);
  });

  it('replaces the previous data whole: records gone from the lake are gone from the warehouse', async () => {
    await runLoad({ store: lake.store, databaseUrl: db.url });
    await writeFixtureLake(
      { users: users.slice(0, 1), conversations: conversations.slice(0, 1) },
      lake.folder,
    );
    const summary = await runLoad({ store: lake.store, databaseUrl: db.url });
    expect(summary.tables).toEqual(
      tableRows({
        users: 1,
        contact_tag: 1,
        contact_company: 1,
        conversation: 1,
        conversation_part: 4,
        conversation_contact: 1,
        conversation_tag: 1,
      }),
    );
    expect((await query(db.url, 'SELECT id FROM users')).map((r) => r.id)).toEqual([users[0]!.id]);
  });

  it('writes by LOAD DATA LOCAL INFILE by default, and by INSERT when told, with the same tables', async () => {
    const byLoadData = await runLoad({ store: lake.store, databaseUrl: db.url });
    expect(byLoadData.method).toBe('load-data');
    const reference = await dumpTables(db.url);
    const byInsert = await runLoad({ store: lake.store, databaseUrl: db.url, loadData: false });
    expect(byInsert.method).toBe('insert');
    expect(await dumpTables(db.url)).toEqual(reference);
  });

  it('loads in many small batches on several connections with the same result', async () => {
    await runLoad({ store: lake.store, databaseUrl: db.url });
    const reference = await dumpTables(db.url);
    await runLoad({ store: lake.store, databaseUrl: db.url, batchBytes: 4096, concurrency: 3 });
    expect(await dumpTables(db.url)).toEqual(reference);
  });
});
