import path from 'node:path';
import { drizzle } from 'drizzle-orm/mysql2';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import type { RowDataPacket } from 'mysql2/promise';
import { ConfigError, TransientError } from '../errors';
import type { Logger } from '../logger';
import { connectionError, type Warehouse } from './connection';

/** Set by scripts/build-tasks.ts in the task bundles (dist/ sits one folder higher than this file); undeclared from source. */
declare const BUNDLED_MIGRATIONS_DIR: string | undefined;
/** Where drizzle-kit writes the migrations (drizzle.config.ts `out`), found from source or from a bundle in dist/. */
export const MIGRATIONS_FOLDER = path.resolve(
  __dirname,
  typeof BUNDLED_MIGRATIONS_DIR === 'string' ? BUNDLED_MIGRATIONS_DIR : '../../drizzle/migrations',
);
/** drizzle-orm's bookkeeping table. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';
const LOCK_WAIT_SECONDS = 60;

/** What `migrateWarehouse` did. */
export interface MigrateResult {
  /** Migrations applied now (0 when the warehouse was up to date). */
  applied: number;
  /** Migrations this code knows. */
  known: number;
}

/**
 * Bring the warehouse schema up to date with drizzle-orm's mysql2 migrator; safe to run again and
 * from two processes at once (a named lock serialises them).
 *
 * @throws ConfigError, before changing anything, when the warehouse holds a migration this code
 *   does not know (a newer version migrated it): upgrade instead of loading with an old schema.
 * @throws TransientError when another process holds the migration lock for a minute, or the
 *   connection fails.
 */
export async function migrateWarehouse(
  warehouse: Warehouse,
  options: { migrationsFolder?: string; log?: Logger } = {},
): Promise<MigrateResult> {
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  const known = readMigrationFiles({ migrationsFolder });
  const knownTimes = new Set(known.map((m) => m.folderMillis));
  const connection = await warehouse.pool.getConnection().catch((error: unknown) => {
    throw connectionError(error, warehouse.settings);
  });
  const lockName = `intercom-sync:migrate:${warehouse.settings.database}`;
  try {
    const [locked] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [
      lockName,
      LOCK_WAIT_SECONDS,
    ]);
    if (locked[0]?.ok !== 1) {
      throw new TransientError(
        `Another process has been migrating ${warehouse.label} for over ${LOCK_WAIT_SECONDS} s. Wait for it to finish, then run again.`,
      );
    }
    try {
      const before = await appliedMigrations(connection, warehouse.settings.database);
      const unknown = before.filter((m) => !knownTimes.has(m.createdAt));
      if (unknown.length > 0) {
        throw new ConfigError([
          `The warehouse ${warehouse.label} was migrated by a newer version of this sync (${unknown.length} migration${unknown.length === 1 ? '' : 's'} this version does not know, the latest from ${new Date(Math.max(...unknown.map((m) => m.createdAt))).toISOString()}). Upgrade this sync to the newest version; nothing was changed.`,
        ]);
      }
      await migrate(drizzle({ client: connection }), { migrationsFolder, migrationsTable: MIGRATIONS_TABLE });
      const after = await appliedMigrations(connection, warehouse.settings.database);
      const applied = after.length - before.length;
      options.log?.info({ database: warehouse.label, applied, known: known.length }, 'warehouse migrated');
      return { applied, known: known.length };
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    }
  } catch (error) {
    throw connectionError(error, warehouse.settings);
  } finally {
    connection.release();
  }
}

async function appliedMigrations(
  connection: { query: Warehouse['pool']['query'] },
  database: string,
): Promise<{ createdAt: number }[]> {
  const [tables] = await connection.query<RowDataPacket[]>(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, MIGRATIONS_TABLE],
  );
  if (tables.length === 0) return [];
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT created_at AS createdAt FROM \`${MIGRATIONS_TABLE}\``,
  );
  return rows.map((row) => ({ createdAt: Number(row.createdAt) }));
}
