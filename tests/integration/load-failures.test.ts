import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../../lib/errors';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, type TestDatabase, queryDatabase as query } from '../helpers/database';
import { perStreamCounts, snapshotWarehouse, useFixtureLakes } from '../helpers/warehouse';
import { fixtureContact, fixtureConversation } from '../helpers/fixture-lake';

type Row = Record<string, unknown>;

const goodUsers = [fixtureContact(1), fixtureContact(2)];
const goodConversations = [fixtureConversation(1), fixtureConversation(2)];

describe('load failures', () => {
  let db: TestDatabase;
  const lake = useFixtureLakes();

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it.each([
    { method: 'load-data', loadData: true },
    { method: 'insert', loadData: false },
  ])(
    'quarantines unmappable and refused records with their reasons, counts them, and loads the rest ($method)',
    async ({ method, loadData }) => {
      const users = [
        fixtureContact(1),
        'just a string',
        { type: 'contact', email: 'no-id@example.com' },
        fixtureContact(4, { created_at: 'yesterday' }),
        fixtureContact(1, { name: 'the same id again' }),
      ];
      const badPart = fixtureConversation(2);
      (badPart.conversation_parts as { conversation_parts: Row[] }).conversation_parts[1]!.author = 'nobody';
      const source = await lake({ users, conversations: [fixtureConversation(1), badPart, 7] });

      const summary = await runLoad({ store: source.store, databaseUrl: db.url, loadData });

      expect(summary.method).toBe(method);
      expect(summary.quarantined).toBe(6);
      expect(summary.quarantinedByStream).toEqual(perStreamCounts({ users: 4, conversations: 2 }));
      expect(summary.tables).toMatchObject({ users: 1, conversation: 1, conversation_part: 3 });
      const rows = await query(db.url, 'SELECT stream, record_id, reason, raw FROM quarantine ORDER BY id');
      const reasons = rows.map((r) => [r.stream, r.record_id, r.reason]);
      expect(reasons).toEqual(
        expect.arrayContaining([
          ['users', null, expect.stringContaining('not a JSON object')],
          ['users', null, expect.stringContaining('has no id')],
          ['users', fixtureContact(4).id, expect.stringMatching(/"created_at".*Unix timestamp/)],
          ['users', fixtureContact(1).id, expect.stringContaining('refused it: Duplicate entry')],
          [
            'conversations',
            '1002',
            expect.stringContaining('"conversation_parts.conversation_parts[1].author" should be an object'),
          ],
          ['conversations', null, expect.stringContaining('not a JSON object')],
        ]),
      );
      expect(rows.find((r) => r.raw === '"just a string"')).toBeDefined();
      expect(JSON.parse(String(rows.find((r) => r.record_id === '1002')!.raw))).toEqual(badPart);
    },
  );

  it('quarantines a record too large for the server’s max_allowed_packet, keeping the head of its raw', async () => {
    const [packet] = await query(db.url, 'SELECT @@max_allowed_packet AS bytes');
    const huge = fixtureConversation(2, { parts: 1 });
    const parts = (huge.conversation_parts as { conversation_parts: Row[] }).conversation_parts;
    parts[0]!.body = 'x'.repeat(Number(packet!.bytes) + 1024);
    const source = await lake({ users: goodUsers, conversations: [fixtureConversation(1), huge] });

    const summary = await runLoad({ store: source.store, databaseUrl: db.url });

    expect(summary.tables).toMatchObject({ conversation: 1, conversation_part: 3 });
    expect(summary.quarantinedByStream).toEqual(perStreamCounts({ conversations: 1 }));
    const [row] = await query(db.url, 'SELECT record_id, reason, LENGTH(raw) AS bytes FROM quarantine');
    expect(row).toMatchObject({ record_id: '1002' });
    expect(String(row!.reason)).toMatch(/more than the server's max_allowed_packet.*raw cut to its first/);
    expect(Number(row!.bytes)).toBeLessThan(Number(packet!.bytes));
  });

  it('fails reconciliation without swapping when the manifest counts more records than the file holds', async () => {
    const before = await lake({ users: goodUsers, conversations: goodConversations });
    await runLoad({ store: before.store, databaseUrl: db.url });
    const previous = await snapshotWarehouse(db.url);
    const short = await lake({
      users: goodUsers,
      conversations: goodConversations.slice(0, 1),
      counts: { conversations: 2 },
    });

    const failure = runLoad({ store: short.store, databaseUrl: db.url });

    await expect(failure).rejects.toThrow(DataError);
    await expect(failure).rejects.toThrow(
      /conversations: 1 loaded \+ 0 quarantined = 1, but the manifest counts 2/,
    );
    expect(await snapshotWarehouse(db.url)).toEqual(previous);
  });

  it('leaves the previous tables whole when a lake file is corrupt, and a rerun gives the clean result', async () => {
    const good = await lake({ users: goodUsers, conversations: goodConversations });
    await runLoad({ store: good.store, databaseUrl: db.url });
    const clean = await snapshotWarehouse(db.url);
    const text = `[\n${JSON.stringify(fixtureConversation(1))},\n{"type":"conversation","id":"9`;
    const corrupt = await lake({
      users: goodUsers,
      conversations: goodConversations,
      rawFiles: { conversations: text },
    });

    const failure = runLoad({ store: corrupt.store, databaseUrl: db.url });

    await expect(failure).rejects.toThrow(DataError);
    await expect(failure).rejects.toThrow(/data\/conversations\.json.*corrupt or truncated/);
    expect(await snapshotWarehouse(db.url)).toEqual(clean);
    await runLoad({ store: good.store, databaseUrl: db.url });
    expect(await snapshotWarehouse(db.url)).toEqual(clean);
  });

  it('says which lake file is missing and changes nothing', async () => {
    const good = await lake({ users: goodUsers, conversations: goodConversations });
    await runLoad({ store: good.store, databaseUrl: db.url });
    const previous = await snapshotWarehouse(db.url);
    await rm(path.join(good.folder, 'data', 'users.json'));

    const failure = runLoad({ store: good.store, databaseUrl: db.url });

    await expect(failure).rejects.toThrow(DataError);
    await expect(failure).rejects.toThrow(/"data\/users\.json" was not found/);
    expect(await snapshotWarehouse(db.url)).toEqual(previous);
  });

  it('refuses a lake without a published manifest before touching the database', async () => {
    const good = await lake({ users: goodUsers, conversations: goodConversations });
    await rm(path.join(good.folder, 'data', 'manifest.json'));
    await expect(runLoad({ store: good.store, databaseUrl: db.url })).rejects.toThrow(/data\/manifest\.json/);
    expect(await query(db.url, 'SHOW TABLES')).toEqual([]);
  });

  it('stops when its signal aborts and leaves the previous tables in place', async () => {
    const good = await lake({ users: goodUsers, conversations: goodConversations });
    await runLoad({ store: good.store, databaseUrl: db.url });
    const previous = await snapshotWarehouse(db.url);
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM received'));

    const failure = runLoad({ store: good.store, databaseUrl: db.url, signal: controller.signal });

    await expect(failure).rejects.toThrow(/stopped \(SIGTERM received\)/);
    expect(await snapshotWarehouse(db.url)).toEqual(previous);
  });
});
