/**
 * The full refresh's table dance: fill `X__new` twins, then swap them in with one `RENAME TABLE`,
 * so readers never see an empty or half-filled table and a failure leaves the old data in place.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { TransientError } from '../errors';
import { quoteId } from './rows';
import { LOAD_TABLES, OLD_SUFFIX, SHADOW_SUFFIX } from './tables';

/** How long the swap waits for readers' metadata locks before giving up (MySQL waits a year by default). */
const SWAP_LOCK_WAIT_SECONDS = 120;

async function existingTables(connection: PoolConnection): Promise<Set<string>> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
  );
  return new Set(rows.map((r) => String(r.name)));
}

/** Drop every `__new` and `__old` twin; a killed run may have left some behind. */
export async function dropShadowTables(connection: PoolConnection): Promise<void> {
  const names = LOAD_TABLES.flatMap((t) => [`${t}${SHADOW_SUFFIX}`, `${t}${OLD_SUFFIX}`]);
  await connection.query(`DROP TABLE IF EXISTS ${names.map(quoteId).join(', ')}`);
}

/**
 * Drop leftover twins and create empty `X__new` tables exactly like the live ones (columns,
 * indexes, checks). The live tables must exist: the migrations create them.
 */
export async function createShadowTables(connection: PoolConnection): Promise<void> {
  await dropShadowTables(connection);
  for (const table of LOAD_TABLES) {
    await connection.query(`CREATE TABLE ${quoteId(`${table}${SHADOW_SUFFIX}`)} LIKE ${quoteId(table)}`);
  }
}

/**
 * Swap every `X__new` in for `X` with a single `RENAME TABLE` (atomic on MySQL and MariaDB: readers
 * see the old set or the new set, never a mix), then drop the old tables.
 * @throws TransientError when readers hold the tables for longer than two minutes; nothing is
 *   swapped then.
 */
export async function swapShadowTables(connection: PoolConnection): Promise<void> {
  const present = await existingTables(connection);
  const renames = LOAD_TABLES.flatMap((t) => {
    const live = quoteId(t);
    const pairs = [`${quoteId(`${t}${SHADOW_SUFFIX}`)} TO ${live}`];
    if (present.has(t)) pairs.unshift(`${live} TO ${quoteId(`${t}${OLD_SUFFIX}`)}`);
    return pairs;
  });
  const [before] = await connection.query<RowDataPacket[]>('SELECT @@SESSION.lock_wait_timeout AS v');
  await connection.query('SET SESSION lock_wait_timeout = ?', [SWAP_LOCK_WAIT_SECONDS]);
  try {
    await connection.query(`RENAME TABLE ${renames.join(', ')}`);
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_LOCK_WAIT_TIMEOUT') {
      throw new TransientError(
        `The swap of the freshly loaded tables waited ${SWAP_LOCK_WAIT_SECONDS} s for readers to release the warehouse tables. The old data is still in place; run the load again when long queries have finished.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await connection.query('SET SESSION lock_wait_timeout = ?', [Number(before[0]?.v ?? 31536000)]);
  }
  await connection.query(
    `DROP TABLE IF EXISTS ${LOAD_TABLES.map((t) => quoteId(`${t}${OLD_SUFFIX}`)).join(', ')}`,
  );
}
