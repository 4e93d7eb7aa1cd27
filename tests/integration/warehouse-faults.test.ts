import mysql from 'mysql2/promise';
import { TransientError } from '../../lib/errors';
import { WAREHOUSE_TABLES } from '../../lib/streams/types';
import { runLoad, type LoadSummary } from '../../tasks/load/run-load';
import {
  createTestDatabase,
  queryServer,
  startCuttableProxy,
  type TestDatabase,
  queryDatabase as query,
} from '../helpers/database';
import { snapshotWarehouse, useFixtureLakes } from '../helpers/warehouse';
import { fixtureContact, fixtureConversation } from '../helpers/fixture-lake';

/** Settle `promise` to its value or its error, so a test can look at either. */
function outcomeOf<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.then(
    (value) => value,
    (error: unknown) => error as Error,
  );
}

/** Wait until a session of `db` runs a statement matching `like`; returns its connection id. */
async function waitForStatement(
  db: TestDatabase,
  like: string,
  until: Promise<unknown>,
): Promise<number | undefined> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    const busy = await query(
      db.url,
      'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ? AND ID <> CONNECTION_ID()',
      [db.name, like],
    );
    if (busy[0]) return Number(busy[0].ID);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return undefined;
}

/** Deadlocks the server has detected since it started (MariaDB's Innodb_deadlocks). */
async function deadlockCount(): Promise<number> {
  const rows = await queryServer<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
  return Number(rows[0]?.Value ?? 0);
}

const BIG = {
  users: Array.from({ length: 400 }, (_, i) => fixtureContact(i)),
  conversations: Array.from({ length: 400 }, (_, i) => fixtureConversation(i, { parts: 20 })),
};
/** Rows per table of BIG: each fixture contact and conversation carries one tag; each contact belongs to one company;
 * the other streams are empty. */
const BIG_TABLES = {
  ...Object.fromEntries(WAREHOUSE_TABLES.map((table) => [table, 0])),
  users: 400,
  contact_tag: 400,
  contact_company: 400,
  conversation: 400,
  conversation_part: 8000,
  conversation_contact: 400,
  conversation_tag: 400,
};

/** Both ways a full refresh writes, each with the statement a test waits for before it strikes. */
const METHODS = [
  { method: 'LOAD DATA', loadData: true, statement: 'LOAD DATA LOCAL INFILE % INTO TABLE `conversation%' },
  { method: 'INSERT', loadData: false, statement: 'INSERT INTO `conversation%' },
];

describe('warehouse faults', () => {
  let db: TestDatabase;
  const lake = useFixtureLakes();

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it.each(METHODS)(
    'writes the batch again on a new connection when its connection is killed mid-load, and ends with exactly the clean result ($method)',
    async ({ loadData, statement }) => {
      const big = await lake(BIG);
      const load = outcomeOf(
        runLoad({ store: big.store, databaseUrl: db.url, batchBytes: 16 * 1024, concurrency: 2, loadData }),
      );
      const id = await waitForStatement(db, statement, load);
      expect(id).toBeDefined();
      await query(db.url, `KILL ${Number(id)}`).catch(() => undefined);
      const result = await load;

      expect(result).not.toBeInstanceOf(Error);
      expect((result as LoadSummary).tables).toEqual(BIG_TABLES);
      expect(await query(db.url, 'SELECT COUNT(DISTINCT id) AS n FROM conversation_part')).toEqual([
        { n: 8000 },
      ]);
      const clean = await lake(BIG);
      const before = await snapshotWarehouse(db.url);
      await runLoad({ store: clean.store, databaseUrl: db.url });
      expect(await snapshotWarehouse(db.url)).toEqual(before);
    },
  );

  it.each(METHODS)(
    'fails clearly with the previous tables intact when the server goes away mid-load and stays away ($method)',
    async ({ loadData, statement }) => {
      const small = await lake({ users: [fixtureContact(1)], conversations: [fixtureConversation(1)] });
      await runLoad({ store: small.store, databaseUrl: db.url });
      const previous = await snapshotWarehouse(db.url);
      const big = await lake(BIG);
      const proxy = await startCuttableProxy(db.name);
      try {
        const load = outcomeOf(
          runLoad({
            store: big.store,
            databaseUrl: proxy.url,
            batchBytes: 16 * 1024,
            concurrency: 2,
            loadData,
          }),
        );
        expect(await waitForStatement(db, statement, load)).toBeDefined();
        await proxy.cut();
        const error = await load;

        expect(error).toBeInstanceOf(TransientError);
        expect((error as Error).message).toMatch(
          /connection to the warehouse was lost.*table (users|contact_\w+|conversation\w*).*[Rr]un the load again.*left as they were/,
        );
      } finally {
        await proxy.close();
      }
      // The fresh `__new` tables stay behind with the server gone; the next load drops them first.
      expect(await snapshotWarehouse(db.url, { liveOnly: true })).toEqual(previous);
    },
  );

  it('retries an upsert batch that timed out waiting for a row lock, and finishes once the lock is released', async () => {
    const first = await lake({ users: [fixtureContact(1), fixtureContact(2)], conversations: [] });
    await runLoad({ store: first.store, databaseUrl: db.url, mode: 'upsert' });
    const next = await lake({
      users: [fixtureContact(1, { name: 'Renamed' }), fixtureContact(2)],
      conversations: [],
    });
    const holder = await mysql.createConnection(db.url);
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [fixtureContact(1).id]);
      const load = outcomeOf(
        runLoad({ store: next.store, databaseUrl: db.url, mode: 'upsert', lockWaitTimeoutSeconds: 1 }),
      );
      // Held past the first 1 s timeout, so the batch fails once and is retried.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await holder.query('ROLLBACK');
      const result = await load;
      expect(result).not.toBeInstanceOf(Error);
      expect((result as LoadSummary).tables.users).toBe(2);
    } finally {
      await holder.end();
    }
    expect(await query(db.url, 'SELECT name FROM users WHERE id = ?', [fixtureContact(1).id])).toEqual([
      { name: 'Renamed' },
    ]);
  });

  it('gives up after a bounded number of lock wait timeouts with an error naming the table and what to do', async () => {
    const first = await lake({ users: [fixtureContact(1)], conversations: [fixtureConversation(1)] });
    await runLoad({ store: first.store, databaseUrl: db.url, mode: 'upsert' });
    const previous = await snapshotWarehouse(db.url);
    const holder = await mysql.createConnection(db.url);
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT id FROM users FOR UPDATE');
      const error = await outcomeOf(
        runLoad({ store: first.store, databaseUrl: db.url, mode: 'upsert', lockWaitTimeoutSeconds: 1 }),
      );
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toMatch(
        /Writing table users waited too long for locks held by another session 4 times in a row \(ER_LOCK_WAIT_TIMEOUT\).*INNODB_TRX.*run the load again/,
      );
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await snapshotWarehouse(db.url)).toEqual(previous);
  });

  it('writes an upsert batch again when the server picks it as a deadlock victim', async () => {
    const users = Array.from({ length: 6 }, (_, i) => fixtureContact(i));
    const conversations = Array.from({ length: 40 }, (_, i) => fixtureConversation(i));
    const first = await lake({ users, conversations });
    await runLoad({ store: first.store, databaseUrl: db.url, mode: 'upsert' });
    const next = await lake({ users: users.map((u) => ({ ...u, name: 'Again' })), conversations: [] });
    const deadlocksBefore = await deadlockCount();
    const holder = await mysql.createConnection(db.url);
    try {
      await holder.query('START TRANSACTION');
      // Many changed rows make the holder the heavier transaction, so the server rolls back the load's.
      await holder.query("UPDATE conversation SET title = CONCAT(COALESCE(title, ''), '!')");
      await holder.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [users[5]?.id]);
      const load = outcomeOf(runLoad({ store: next.store, databaseUrl: db.url, mode: 'upsert' }));
      const waiting = await waitForStatement(db, 'INSERT INTO `users`%', load);
      expect(waiting).toBeDefined();
      // The load holds users 0-4 and waits for user 5; asking for user 0 closes the cycle.
      await holder.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [users[0]?.id]);
      await holder.query('ROLLBACK');
      const result = await load;
      expect(result).not.toBeInstanceOf(Error);
    } finally {
      await holder.end();
    }
    expect(await deadlockCount()).toBeGreaterThan(deadlocksBefore);
    expect(await query(db.url, "SELECT COUNT(*) AS n FROM users WHERE name = 'Again'")).toEqual([{ n: 6 }]);
  });
});
