/**
 * The applying half of the consumer: writes what a notification changes into the warehouse, in one
 * transaction with its `webhook_event` row, so each notification id is applied exactly once.
 * Imports the warehouse, never the Intercom client (eslint.config.mjs).
 */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataError } from '../../errors';
import { formatDatetime, MAX_DATETIME_SECONDS } from '../../records/fields';
import { streamNamed } from '../../streams/registry';
import type { RecordUnit } from '../../warehouse/batch-writer';
import { recordUnit } from '../../warehouse/record-unit';
import { quoteId, toTuple } from '../../warehouse/rows';
import { LOAD_TABLES, SHAPES } from '../../warehouse/tables';
import { insertStatementParts } from '../../warehouse/upsert-statement';
import type { EventChange, FetchedEvent } from '../change';

/** What applying one notification did. */
export interface ApplyOutcome {
  /** `duplicate`: the id was applied before; nothing was written. */
  status: 'applied' | 'duplicate';
  /** Records written (inserted or updated). */
  upserted: number;
  /** Records removed (rows that were there). */
  deleted: number;
  /** Records not written because the warehouse holds a newer `updated_at` (a late or reordered notification). */
  stale: number;
  /** Records the mapper refused: kept in `quarantine` with the reason. */
  quarantined: number;
}

/** Tries of a transaction that meets a deadlock (two shards changing rows near each other). */
const LOCK_ATTEMPTS = 4;
const LOCK_CONFLICTS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/** Whether notification `id` is in `webhook_event` already (checked before fetching, to spare a request). */
export async function isEventApplied(pool: Pool, id: string): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT 1 FROM `webhook_event` WHERE `id` = ?', [id]);
  return rows.length > 0;
}

/**
 * Write `event`'s changes and its `webhook_event` row (`applied_at` = `now`) in one transaction.
 * An upsert writes the record's rows exactly as the upsert load does (the stream's mapper, children
 * replaced) unless the warehouse holds the record with a later `updated_at`; a delete removes the
 * record's main row and its children. A record the mapper refuses goes to `quarantine`.
 *
 * @throws TransientError / mysql2 errors when the database fails (nothing is written then; the
 *   notification is retried by the stream).
 */
export async function applyEvent(
  pool: Pool,
  event: FetchedEvent,
  now: Date = new Date(),
): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    const connection = await pool.getConnection();
    try {
      return await applyOnce(connection, event, now);
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      if (!LOCK_CONFLICTS.has(code) || attempt >= LOCK_ATTEMPTS) throw error;
      await sleep(20 * 2 ** attempt * Math.random());
    } finally {
      connection.release();
    }
  }
}

async function applyOnce(connection: PoolConnection, event: FetchedEvent, now: Date): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { status: 'applied', upserted: 0, deleted: 0, stale: 0, quarantined: 0 };
  const appliedAt = formatDatetime(Math.floor(now.getTime() / 1000));
  const { notification } = event;
  await connection.query('START TRANSACTION');
  try {
    try {
      await connection.query(
        'INSERT INTO `webhook_event` (`id`, `topic`, `item_type`, `item_id`, `created_at`, `applied_at`, `raw`) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          notification.id,
          notification.topic,
          notification.itemType?.slice(0, 64) ?? null,
          notification.itemId !== null && notification.itemId.length <= 64 ? notification.itemId : null,
          createdAtOf(notification.createdAt),
          appliedAt,
          event.raw,
        ],
      );
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ER_DUP_ENTRY') throw error;
      await connection.query('ROLLBACK');
      return { ...outcome, status: 'duplicate' };
    }
    for (const change of event.changes) {
      if (change.kind === 'delete') outcome.deleted += await deleteRecord(connection, change);
      else await upsertRecord(connection, change, appliedAt, outcome);
    }
    for (const stream of new Set(event.changes.map((c) => c.stream))) {
      await connection.query(
        'INSERT INTO `sync_state` (`stream`, `last_event_id`, `last_event_applied_at`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `last_event_id` = VALUES(`last_event_id`), `last_event_applied_at` = VALUES(`last_event_applied_at`)',
        [stream, notification.id, appliedAt],
      );
    }
    await connection.query('COMMIT');
    return outcome;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function createdAtOf(seconds: number | null): string | null {
  return seconds === null || seconds < 0 || seconds > MAX_DATETIME_SECONDS
    ? null
    : formatDatetime(Math.trunc(seconds));
}

/** Remove the record's children (the tables an upsert replaces) and its main row; 1 when it was there. */
async function deleteRecord(
  connection: PoolConnection,
  change: Extract<EventChange, { kind: 'delete' }>,
): Promise<number> {
  const stream = streamNamed(change.stream);
  for (const table of stream.replaceChildrenOf?.tables ?? []) {
    await connection.query(
      `DELETE FROM ${quoteId(table)} WHERE ${quoteId(stream.replaceChildrenOf?.column ?? '')} = ?`,
      [change.id],
    );
  }
  const main = stream.tables[0];
  const [result] = await connection.query<ResultSetHeader>(
    `DELETE FROM ${quoteId(main)} WHERE ${quoteId(SHAPES[main].primaryKey[0] as string)} = ?`,
    [change.id],
  );
  return result.affectedRows;
}

async function upsertRecord(
  connection: PoolConnection,
  change: Extract<EventChange, { kind: 'upsert' }>,
  appliedAt: string,
  outcome: ApplyOutcome,
): Promise<void> {
  const stream = streamNamed(change.stream);
  const raw = JSON.stringify(change.record);
  let unit: RecordUnit;
  try {
    unit = recordUnit(stream, change.record, raw);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    await connection.query(
      'INSERT INTO `quarantine` (`stream`, `record_id`, `reason`, `raw`, `loaded_at`) VALUES (?, ?, ?, ?, ?)',
      [stream.name, change.id.slice(0, 255), `webhook: ${error.message}`, raw, appliedAt],
    );
    outcome.quarantined += 1;
    return;
  }
  const main = unit.main;
  const shape = SHAPES[main];
  const mainRow = unit.rows[main]?.[0];
  const key = shape.primaryKey[0] as string;
  // Lock the row (or the gap where it would be) so a concurrent apply of the same record waits.
  const [current] = await connection.query<RowDataPacket[]>(
    `SELECT DATE_FORMAT(\`updated_at\`, '%Y-%m-%d %H:%i:%s') AS updated_at FROM ${quoteId(main)} WHERE ${quoteId(key)} = ? FOR UPDATE`,
    [change.id],
  );
  const held = current[0]?.updated_at as string | null | undefined;
  const incoming = mainRow?.updatedAt;
  if (typeof held === 'string' && typeof incoming === 'string' && held > incoming) {
    outcome.stale += 1;
    return;
  }
  if (unit.replace) {
    for (const table of unit.replace.tables) {
      await connection.query(`DELETE FROM ${quoteId(table)} WHERE ${quoteId(unit.replace.column)} = ?`, [
        change.id,
      ]);
    }
  }
  for (const table of LOAD_TABLES) {
    const rows = unit.rows[table as keyof typeof unit.rows];
    if (!rows || rows.length === 0) continue;
    const { head, tail } = insertStatementParts(table, SHAPES[table], true);
    await connection.query(head + rows.map((row) => toTuple(SHAPES[table], row)).join(',') + tail);
  }
  outcome.upserted += 1;
}
