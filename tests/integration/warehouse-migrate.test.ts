import { MIGRATED_TABLES } from '../helpers/warehouse';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../lib/errors';
import { openWarehouse } from '../../lib/warehouse/connection';
import { migrateWarehouse, MIGRATIONS_FOLDER } from '../../lib/warehouse/migrate';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, queryServer, type TestDatabase } from '../helpers/database';
import { fixtureContact, fixtureConversation, writeFixtureLake } from '../helpers/fixture-lake';

async function tablesOf(name: string): Promise<string[]> {
  const rows = await queryServer<{ t: string }>(
    'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1',
    [name],
  );
  return rows.map((r) => r.t).sort();
}

/** A copy of the migrations folder with one more (newer) migration, as a later version would ship. */
async function newerMigrations(): Promise<{ folder: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
    entries: { idx: number; when: number; tag: string; breakpoints: boolean; version: string }[];
  };
  const last = journal.entries[journal.entries.length - 1]!;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: '9999_future' });
  await writeFile(journalPath, JSON.stringify(journal));
  await writeFile(path.join(folder, '9999_future.sql'), 'ALTER TABLE `users` ADD `future` int;');
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

describe('warehouse migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('creates every table once and does nothing the second time', async () => {
    const warehouse = await openWarehouse(db.url);
    try {
      const first = await migrateWarehouse(warehouse);
      const second = await migrateWarehouse(warehouse);
      expect(first.applied).toBe(first.known);
      expect(second.applied).toBe(0);
    } finally {
      await warehouse.close();
    }
    expect(await tablesOf(db.name)).toEqual(MIGRATED_TABLES);
  });

  it('refuses, changing nothing, a warehouse migrated by a newer version', async () => {
    const newer = await newerMigrations();
    const warehouse = await openWarehouse(db.url);
    try {
      await migrateWarehouse(warehouse, { migrationsFolder: newer.folder });
      const before = await queryServer(`SELECT * FROM \`${db.name}\`.__drizzle_migrations ORDER BY id`);

      const error = await migrateWarehouse(warehouse).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/migrated by a newer version.*Upgrade this sync/);
      expect(await queryServer(`SELECT * FROM \`${db.name}\`.__drizzle_migrations ORDER BY id`)).toEqual(
        before,
      );
    } finally {
      await warehouse.close();
      await newer.remove();
    }
  });

  it('refuses to load into a warehouse migrated by a newer version, leaving its data as it was', async () => {
    const lake = await writeFixtureLake({
      users: [fixtureContact(1)],
      conversations: [fixtureConversation(1)],
    });
    const newer = await newerMigrations();
    try {
      await runLoad({ store: lake.store, databaseUrl: db.url, migrationsFolder: newer.folder });
      const before = await queryServer(`SELECT id, name FROM \`${db.name}\`.users`);
      await expect(runLoad({ store: lake.store, databaseUrl: db.url })).rejects.toThrow(ConfigError);
      expect(await queryServer(`SELECT id, name FROM \`${db.name}\`.users`)).toEqual(before);
    } finally {
      await lake.remove();
      await newer.remove();
    }
  });

  it('npm run db:migrate exits 0 twice on the same database, and 2 with a clear error for a wrong password', () => {
    const run = (url: string) =>
      spawnSync('npm', ['run', '--silent', 'db:migrate'], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'info' },
        encoding: 'utf8',
        timeout: 30_000,
      });
    expect(run(db.url).status).toBe(0);
    const again = run(db.url);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('"applied":0');
    const denied = run(db.url.replace('root@', 'root:not-the-password@'));
    expect(denied.status).toBe(2);
    expect(denied.stderr).toContain('refused user');
    expect(denied.stderr).not.toContain('not-the-password');
  });
});
