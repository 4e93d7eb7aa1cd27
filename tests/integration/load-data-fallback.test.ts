import { PassThrough } from 'node:stream';
import mysql from 'mysql2/promise';
import { createLogger } from '../../lib/logger';
import { BatchWriter } from '../../lib/warehouse/batch-writer';
import { CONVERSATIONS } from '../../lib/streams/conversations';
import { USERS } from '../../lib/streams/users';
import { recordUnit } from '../../lib/warehouse/record-unit';
import { targetNames } from '../../lib/warehouse/tables';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, type TestDatabase, queryDatabase as query } from '../helpers/database';
import { fixtureContact, fixtureConversation, writeFixtureLake } from '../helpers/fixture-lake';
import { perStreamCounts } from '../helpers/warehouse';

describe('a server that refuses LOAD DATA LOCAL INFILE', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
    // Migrated, empty tables: a load of an empty lake.
    const empty = await writeFixtureLake({ users: [], conversations: [] });
    try {
      await runLoad({ store: empty.store, databaseUrl: db.url });
    } finally {
      await empty.remove();
    }
  });
  afterEach(async () => {
    await db.drop();
  });

  it('gets every batch written by INSERT instead, with one warning that says what to change', async () => {
    // A client that does not offer the capability is refused by the server exactly as a server
    // with local_infile=0 refuses everyone (MariaDB errno 4166, MySQL 8 errno 3948).
    const pool = mysql.createPool({ uri: db.url, charset: 'utf8mb4', flags: ['-LOCAL_FILES'] });
    const logged = new PassThrough();
    let log = '';
    logged.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      const writer = new BatchWriter({
        pool,
        mode: 'full',
        tables: targetNames(''),
        batchBytes: 8 * 1024,
        maxPacketBytes: 16 * 1024 * 1024,
        concurrency: 2,
        loadedAt: '2026-11-22 00:00:00',
        log: createLogger({ level: 'warn', destination: logged }),
      });
      expect(writer.method).toBe('load-data');
      for (let i = 0; i < 60; i++) {
        const contact = fixtureContact(i);
        const raw = JSON.stringify(contact);
        await writer.add(recordUnit(USERS, contact, raw));
        const conversation = fixtureConversation(i, { parts: 5 });
        const craw = JSON.stringify(conversation);
        await writer.add(recordUnit(CONVERSATIONS, conversation, craw));
      }
      const tally = await writer.finish();

      expect(writer.method).toBe('insert');
      expect(tally).toEqual({
        loaded: perStreamCounts({ users: 60, conversations: 60 }),
        quarantined: perStreamCounts({}),
      });
    } finally {
      await pool.end();
    }
    const counts = await query(
      db.url,
      'SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM conversation) AS conversation, (SELECT COUNT(*) FROM conversation_part) AS parts',
    );
    expect(counts).toEqual([{ users: 60, conversation: 60, parts: 300 }]);
    const [user] = await query(db.url, `SELECT raw FROM users WHERE id = '${String(fixtureContact(7).id)}'`);
    const raw = user!.raw;
    expect(typeof raw === 'string' ? JSON.parse(raw) : raw).toEqual(fixtureContact(7));
    const warnings = log.trim().split('\n').filter(Boolean);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/refuses LOAD DATA LOCAL INFILE.*local_infile=1.*INSERT/);
  });
});

describe('LOAD DATA LOCAL INFILE batches', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('give back every value exactly, the characters of their own format included', async () => {
    const tricky = [
      'tab\there',
      'line\nfeed',
      'carriage\rreturn',
      'nul\0byte',
      'soh\u0001inside',
      '\u0001N',
      '\u0001',
      '\\N',
      'NULL',
      'back\\slash \\t \\\\',
      '"quoted" and \'single\'',
      'emoji 😀 and é',
      '',
    ];
    const users = tricky.map((name, i) => fixtureContact(i, { name, email: `u${i}@example.com` }));
    const source = await writeFixtureLake({ users, conversations: [] });
    try {
      const summary = await runLoad({ store: source.store, databaseUrl: db.url });
      expect(summary.method).toBe('load-data');
      expect(summary.quarantined).toBe(0);
    } finally {
      await source.remove();
    }
    const rows = await query(db.url, 'SELECT id, name, raw FROM users');
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const user of users) {
      const row = byId.get(String(user.id));
      expect(row?.name).toBe(user.name);
      const raw = row?.raw;
      expect(typeof raw === 'string' ? JSON.parse(raw) : raw).toEqual(user);
    }
  });
});
