/**
 * `sync_state`: what the warehouse holds, one row per stream: the full run it was last refreshed
 * from, the last increment applied on top, and the moment up to which every change is in.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { STREAMS } from '../streams/registry';

type Queryable = Pool | PoolConnection;

/** One stream's row of `sync_state` (times as `YYYY-MM-DD HH:MM:SS` UTC). */
export interface SyncStateRow {
  stream: string;
  fullRunId: string | null;
  incrementRunId: string | null;
  changesThrough: string | null;
}

/** `YYYY-MM-DD HH:MM:SS` of an ISO 8601 time, as a UTC `DATETIME` takes it. */
export function sqlTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
}

/** Every row of `sync_state`, by stream. */
export async function readSyncState(db: Queryable): Promise<Map<string, SyncStateRow>> {
  const [rows] = await db.query<RowDataPacket[]>(
    'SELECT stream, full_run_id, increment_run_id, changes_through FROM sync_state',
  );
  return new Map(
    rows.map((r) => [
      String(r.stream),
      {
        stream: String(r.stream),
        fullRunId: (r.full_run_id as string | null) ?? null,
        incrementRunId: (r.increment_run_id as string | null) ?? null,
        changesThrough: r.changes_through === null ? null : String(r.changes_through),
      },
    ]),
  );
}

/**
 * After a full refresh from run `runId` (started at `startedAt`): every stream holds that run, no
 * increment on top, and every change up to the run's start.
 */
export async function recordFullLoad(
  db: Queryable,
  run: { runId: string; startedAt: string },
  loadedAt: string,
): Promise<void> {
  for (const stream of STREAMS) {
    await db.query(
      `INSERT INTO sync_state (stream, full_run_id, full_loaded_at, increment_run_id, increment_loaded_at, changes_through)
       VALUES (?, ?, ?, NULL, NULL, ?)
       ON DUPLICATE KEY UPDATE full_run_id = VALUES(full_run_id), full_loaded_at = VALUES(full_loaded_at),
         increment_run_id = NULL, increment_loaded_at = NULL, changes_through = VALUES(changes_through)`,
      [stream.name, run.runId, loadedAt, sqlTime(run.startedAt)],
    );
  }
}

/**
 * After increments up to run `runId` were applied: each stream's last increment, and how far its
 * changes reach (`through`, ISO; undefined keeps what the row says).
 */
export async function recordIncrement(
  db: Queryable,
  runId: string,
  through: Partial<Record<string, string>>,
  loadedAt: string,
): Promise<void> {
  for (const stream of STREAMS) {
    const reach = through[stream.name];
    await db.query(
      `INSERT INTO sync_state (stream, increment_run_id, increment_loaded_at, changes_through)
       VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE increment_run_id = VALUES(increment_run_id),
         increment_loaded_at = VALUES(increment_loaded_at),
         changes_through = COALESCE(VALUES(changes_through), changes_through)`,
      [stream.name, runId, loadedAt, reach === undefined ? null : sqlTime(reach)],
    );
  }
}
