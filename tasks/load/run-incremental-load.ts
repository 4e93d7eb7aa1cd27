/**
 * `npm run load -- --mode incremental`: apply the lake's published increments that the warehouse
 * does not hold yet, in run order, on top of the full copy it was refreshed from.
 */
import type { RowDataPacket } from 'mysql2/promise';
import { TransientError } from '../../lib/errors';
import { readIncrementManifest, type IncrementManifest } from '../../lib/lake/increment-manifest';
import { RUNS_PREFIX } from '../../lib/lake/keys';
import { readLatestManifest } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import { silentLogger, type Logger } from '../../lib/logger';
import { formatDatetime } from '../../lib/records/fields';
import { STREAMS, type StreamName } from '../../lib/streams/registry';
import { WAREHOUSE_TABLES, type StreamDeclaration, type WarehouseTable } from '../../lib/streams/types';
import { applyStreamIncrements, deleteRecords, type RowKey } from '../../lib/warehouse/apply-increments';
import { BatchWriter } from '../../lib/warehouse/batch-writer';
import { openWarehouse, type Warehouse } from '../../lib/warehouse/connection';
import { migrateWarehouse } from '../../lib/warehouse/migrate';
import { countTables } from '../../lib/warehouse/reconcile';
import { readSyncState, recordIncrement } from '../../lib/warehouse/sync-state';
import { targetNames } from '../../lib/warehouse/tables';
import { runLoad, type LoadOptions, type LoadSummary } from './run-load';

/** What an incremental load applied. */
export interface IncrementalLoadSummary extends LoadSummary {
  /** Increment runs applied, in order. */
  runs: string[];
  /** Rows written (upserted) per stream. */
  upserted: Record<string, number>;
  /** Records left out because the warehouse or a later increment holds a newer version. */
  older: number;
  /** Rows deleted from main tables, per stream. */
  deleted: Record<string, number>;
  /** True when the warehouse was first refreshed from the lake's full copy. */
  refreshed: boolean;
}

const LOCK_PREFIX = 'intercom-sync:load:';

/**
 * Apply every published increment (`runs/<id>/increment.json`) newer than what `sync_state` says
 * the warehouse holds. For each stream with a cursor the newest version of each record across
 * those runs is found first, then compared with the warehouse's (`updated_at` in `raw`): a row
 * never goes back to an older version. Each record is upserted with its child rows replaced (a
 * conversation's parts come from its new detail); then the ids found deleted are removed with
 * their child rows; a stream copied whole replaces its table's rows. `sync_state` then names the
 * last run applied and how far its changes reach. A warehouse that holds no full refresh of the
 * lake's `data/` yet gets one first.
 *
 * @throws DataError when a published file is missing or does not match its manifest; what
 *   `runLoad` throws. Rows written before a failure stay; a rerun applies the same runs again.
 */
export async function runIncrementalLoad(options: LoadOptions): Promise<IncrementalLoadSummary> {
  const log = options.log ?? silentLogger();
  const started = performance.now();
  const { store } = options;
  const full = await readLatestManifest(store);
  let refreshed = false;
  let warehouse = await openWarehouse(options.databaseUrl, { connectionLimit: 4 });
  try {
    await migrateWarehouse(warehouse, { log, migrationsFolder: options.migrationsFolder });
    const state = await readSyncState(warehouse.pool);
    const loadedFull = [...state.values()][0]?.fullRunId ?? null;
    if (loadedFull === null || loadedFull < full.runId) {
      await warehouse.close();
      log.info(
        { runId: full.runId, loaded: loadedFull },
        "warehouse lacks the lake's full copy: full refresh first",
      );
      await runLoad({ ...options, mode: 'full' });
      refreshed = true;
      warehouse = await openWarehouse(options.databaseUrl, { connectionLimit: 4 });
    }
    return await applyIncrements(warehouse, options, log, { refreshed, started });
  } finally {
    await warehouse.close().catch(() => undefined);
  }
}

async function applyIncrements(
  warehouse: Warehouse,
  options: LoadOptions,
  log: Logger,
  ctx: { refreshed: boolean; started: number },
): Promise<IncrementalLoadSummary> {
  const { store } = options;
  const control = await warehouse.pool.getConnection();
  const lockName = `${LOCK_PREFIX}${warehouse.settings.database}`;
  try {
    const [locked] = await control.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [lockName]);
    if (locked[0]?.ok !== 1) {
      throw new TransientError(
        `Another load into ${warehouse.label} is running. Wait for it to finish, then run again.`,
      );
    }
    const state = await readSyncState(control);
    const first = [...state.values()][0];
    const full = await readLatestManifest(store).catch(() => undefined);
    // The increment applied last, else the full run loaded (whose start the lake's manifest gives).
    const after = first?.incrementRunId ?? first?.fullRunId ?? '';
    const afterStartedAt = first?.incrementRunId
      ? undefined
      : full?.runId === after
        ? full.startedAt
        : undefined;
    const manifests = await pendingRuns(store, after, afterStartedAt);
    log.info({ runs: manifests.length, after }, 'incremental load started');
    const [packet] = await control.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS bytes');
    const maxPacketBytes = Number(packet[0]?.bytes ?? 4 * 1024 * 1024);
    const writer = new BatchWriter({
      pool: warehouse.pool,
      mode: 'upsert',
      tables: targetNames(''),
      batchBytes: Math.min(1024 * 1024, Math.floor(maxPacketBytes / 2)),
      maxPacketBytes,
      concurrency: 2,
      loadedAt: formatDatetime(Math.floor(Date.now() / 1000)),
      log,
    });
    const upserted: Record<string, number> = {};
    const deleted: Record<string, number> = {};
    let older = 0;
    const toDelete: [StreamDeclaration<StreamName>, RowKey[]][] = [];
    try {
      for (const stream of STREAMS) {
        const result = await applyStreamIncrements(stream, manifests, { store, control, writer });
        upserted[stream.name] = result.upserted;
        older += result.older;
        toDelete.push([stream, result.deleteKeys]);
      }
      await writer.finish();
    } catch (error) {
      await writer.settle();
      throw error;
    }
    // After every upsert is committed, so no queued batch writes a deleted record back.
    for (const [stream, keys] of toDelete) deleted[stream.name] = await deleteRecords(control, stream, keys);
    const last = manifests[manifests.length - 1];
    if (last) {
      const through: Partial<Record<string, string>> = {};
      for (const m of manifests) {
        if (m.mode !== 'incremental') continue;
        for (const [name, s] of Object.entries(m.streams)) through[name] = s.through;
      }
      await recordIncrement(control, last.runId, through, formatDatetime(Math.floor(Date.now() / 1000)));
    }
    const counts = await countTables(control, targetNames(''));
    const summary: IncrementalLoadSummary = {
      mode: 'upsert',
      lake: store.url,
      database: warehouse.label,
      runId: last?.runId,
      tables: Object.fromEntries(WAREHOUSE_TABLES.map((t) => [t, counts.rows[t]])) as Record<
        WarehouseTable,
        number
      >,
      quarantined: Object.values(writer.tally.quarantined).reduce((a, b) => a + b, 0),
      quarantinedByStream: writer.tally.quarantined,
      records: writer.tally.loaded,
      method: 'insert',
      durationMs: Math.round(performance.now() - ctx.started),
      runs: manifests.map((m) => m.runId),
      upserted,
      older,
      deleted,
      refreshed: ctx.refreshed,
    };
    log.info({ runs: summary.runs.length, upserted, deleted, older }, 'incremental load finished');
    return summary;
  } finally {
    await control.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    control.release();
  }
}

/**
 * The published increment manifests of runs after `after` (the run the warehouse holds last; ''
 * for none), in the order they ran. Run ids sort by their start second only, so runs of the same
 * second as `after` are read too and ordered by their manifests' `startedAt`.
 */
async function pendingRuns(
  store: LakeStore,
  after: string,
  afterStartedAt: string | undefined,
): Promise<IncrementManifest[]> {
  const second = after.slice(0, 16);
  const ids = (await store.list(RUNS_PREFIX))
    .filter((key) => key.endsWith('/increment.json'))
    .map((key) => key.slice(RUNS_PREFIX.length, -'/increment.json'.length))
    .filter((id) => id !== after && id.slice(0, 16) >= second);
  const since =
    afterStartedAt ?? (await readIncrementManifest(store, after).catch(() => undefined))?.startedAt;
  const out: IncrementManifest[] = [];
  for (const id of ids) {
    const manifest = await readIncrementManifest(store, id);
    if (!manifest) continue;
    if (id.slice(0, 16) === second && since !== undefined && manifest.startedAt <= since) continue;
    out.push(manifest);
  }
  return out.sort((a, b) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.runId < b.runId ? -1 : 1,
  );
}
