import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, type TestDatabase, queryDatabase as query } from '../helpers/database';
import {
  fixtureCompany,
  fixtureContact,
  fixtureConversation,
  fixtureTicket,
  writeFixtureLake,
  type FixtureLake,
} from '../helpers/fixture-lake';
import { tableRows } from '../helpers/warehouse';

describe('upsert load', () => {
  let db: TestDatabase;
  let lake: FixtureLake;

  beforeEach(async () => {
    db = await createTestDatabase();
    lake = await writeFixtureLake({
      users: [fixtureContact(1), fixtureContact(2)],
      conversations: [fixtureConversation(1, { parts: 5, contacts: ['a', 'b'] }), fixtureConversation(2)],
    });
  });
  afterEach(async () => {
    await db.drop();
    await lake.remove();
  });

  it('loads an empty warehouse like a full load does', async () => {
    const summary = await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });
    expect(summary.tables).toEqual(
      tableRows({
        users: 2,
        contact_tag: 2,
        contact_company: 2,
        conversation: 2,
        conversation_part: 8,
        conversation_contact: 3,
        conversation_tag: 2,
      }),
    );
  });

  it('updates changed rows, adds new ones, keeps the others, and replaces a conversation’s parts and links', async () => {
    await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });
    await writeFixtureLake(
      {
        users: [fixtureContact(1, { name: 'Renamed 🎉', email: '' }), fixtureContact(3)],
        conversations: [
          fixtureConversation(1, { parts: 2, contacts: ['b'], overrides: { state: 'snoozed' } }),
        ],
      },
      lake.folder,
    );

    const summary = await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });

    expect(summary.tables).toEqual(
      tableRows({
        users: 3,
        contact_tag: 3,
        contact_company: 3,
        conversation: 2,
        conversation_part: 5,
        conversation_contact: 2,
        conversation_tag: 2,
      }),
    );
    const users = await query(db.url, 'SELECT id, name, email FROM users ORDER BY id');
    expect(users).toEqual([
      { id: fixtureContact(1).id, name: 'Renamed 🎉', email: '' },
      { id: fixtureContact(2).id, name: 'User 2', email: 'user2.sample@gmail.com' },
      { id: fixtureContact(3).id, name: 'User 3', email: 'user3.sample@gmail.com' },
    ]);
    expect(await query(db.url, "SELECT state, parts_count FROM conversation WHERE id = '1001'")).toEqual([
      { state: 'snoozed', parts_count: 2 },
    ]);
    expect(
      await query(db.url, "SELECT id FROM conversation_part WHERE conversation_id = '1001' ORDER BY id"),
    ).toEqual([{ id: '100100000' }, { id: '100100001' }]);
    expect(
      await query(db.url, 'SELECT conversation_id, contact_id FROM conversation_contact ORDER BY 1, 2'),
    ).toEqual([
      { conversation_id: '1001', contact_id: 'b' },
      { conversation_id: '1002', contact_id: fixtureContact(2).id },
    ]);
  });

  it("replaces a contact's company links and a ticket's parts, and updates companies and tickets in place", async () => {
    const withCompanies = (i: number, ids: string[]) =>
      fixtureContact(i, {
        companies: { type: 'list', data: ids.map((id) => ({ type: 'company', id })), has_more: false },
      });
    await writeFixtureLake(
      {
        users: [withCompanies(1, ['c1', 'c2']), withCompanies(2, ['c1'])],
        conversations: [],
        companies: [fixtureCompany(1), fixtureCompany(2)],
        tickets: [fixtureTicket(1, { parts: 3 }), fixtureTicket(2, { parts: 1 })],
      },
      lake.folder,
    );
    await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });
    await writeFixtureLake(
      {
        users: [withCompanies(1, ['c3'])],
        conversations: [],
        companies: [fixtureCompany(1, { name: 'Renamed Co' })],
        tickets: [fixtureTicket(1, { parts: 1 })],
      },
      lake.folder,
    );
    await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });

    expect(await query(db.url, 'SELECT contact_id, company_id FROM contact_company ORDER BY 1, 2')).toEqual([
      { contact_id: fixtureContact(1).id, company_id: 'c3' },
      { contact_id: fixtureContact(2).id, company_id: 'c1' },
    ]);
    expect(await query(db.url, 'SELECT name FROM company ORDER BY id')).toEqual([
      { name: 'Renamed Co' },
      { name: 'Company 2' },
    ]);
    expect(
      await query(db.url, 'SELECT ticket_id, COUNT(*) AS n FROM ticket_part GROUP BY 1 ORDER BY 1'),
    ).toEqual([
      { ticket_id: '634', n: 1 },
      { ticket_id: '635', n: 1 },
    ]);
    expect(await query(db.url, 'SELECT id, parts_count FROM ticket ORDER BY id')).toEqual([
      { id: '634', parts_count: 1 },
      { id: '635', parts_count: 1 },
    ]);
  });

  it('gives the same tables when the same lake is upserted twice', async () => {
    await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });
    const dump = async () => ({
      users: await query(db.url, 'SELECT * FROM users ORDER BY id'),
      conversation: await query(db.url, 'SELECT * FROM conversation ORDER BY id'),
      parts: await query(db.url, 'SELECT * FROM conversation_part ORDER BY id'),
      links: await query(db.url, 'SELECT * FROM conversation_contact ORDER BY 1, 2'),
    });
    const first = await dump();
    await runLoad({
      store: lake.store,
      databaseUrl: db.url,
      mode: 'upsert',
      batchBytes: 2048,
      concurrency: 3,
    });
    expect(await dump()).toEqual(first);
  });

  it('appends quarantined records and counts only this run’s', async () => {
    await writeFixtureLake({ users: [fixtureContact(1), { no: 'id' }], conversations: [] }, lake.folder);
    await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });
    const second = await runLoad({ store: lake.store, databaseUrl: db.url, mode: 'upsert' });
    expect(second.quarantined).toBe(1);
    expect(await query(db.url, 'SELECT COUNT(*) AS n FROM quarantine')).toEqual([{ n: 2 }]);
  });
});
