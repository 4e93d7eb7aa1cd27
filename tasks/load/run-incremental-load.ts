/**
 * `npm run load -- --mode incremental`: apply the lake's published increments that the warehouse
 * does not hold yet, in run order, on top of the full copy it was refreshed from.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { DataError, TransientError } from '../../lib/errors';
import { readIncrementManifest, type IncrementManifest } from '../../lib/lake/increment-manifest';
import { readJsonArrayElements } from '../../lib/lake/json-array-reader';
import { RUNS_PREFIX } from '../../lib/lake/keys';
import { readLatestManifest } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import { silentLogger, type Logger } from '../../lib/logger';
import { formatDatetime } from '../../lib/records/fields';
import { recordIdOf } from '../../lib/records/record-id';
import { STREAMS, type StreamName } from '../../lib/streams/registry';
import { WAREHOUSE_TABLES, type StreamDeclaration, type WarehouseTable } from '../../lib/streams/types';
import { BatchWriter } from '../../lib/warehouse/batch-writer';
import { openWarehouse, type Warehouse } from '../../lib/warehouse/connection';
import { migrateWarehouse } from '../../lib/warehouse/migrate';
import { countTables } from '../../lib/warehouse/reconcile';
import { recordUnit } from '../../lib/warehouse/record-unit';
import { quoteId } from '../../lib/warehouse/rows';
import { readSyncState, recordIncrement } from '../../lib/warehouse/sync-state';
import { SHAPES, targetNames } from '../../lib/warehouse/tables';
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
/** Ids per `IN (...)` lookup of the warehouse's versions. */
const LOOKUP_CHUNK = 1_000;

/** Where a record's newest version is: run, file and position in it. */
interface Newest {
  updated: number | undefined;
  run: number;
  file: number;
  at: number;
}

/** One stream's files to apply: `[run index, key, sha256]`. */
type FileRef = [number, string, string];

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
    const toDelete: [StreamDeclaration<StreamName>, string[]][] = [];
    try {
      for (const stream of STREAMS) {
        const result = await applyStream(stream, manifests, { store, control, writer });
        upserted[stream.name] = result.upserted;
        older += result.older;
        toDelete.push([stream, result.deleteIds]);
      }
      await writer.finish();
    } catch (error) {
      await writer.settle();
      throw error;
    }
    // After every upsert is committed, so no queued batch writes a deleted record back.
    for (const [stream, ids] of toDelete) deleted[stream.name] = await deleteRecords(control, stream, ids);
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

interface StreamApply {
  store: LakeStore;
  control: PoolConnection;
  writer: BatchWriter;
}

/**
 * One stream's part of the increments: pass 1 finds each record's newest version across the runs
 * and drops those the warehouse holds newer; pass 2 reads the files again and upserts exactly
 * those versions. Returns the ids to delete (found deleted in a run after their newest version).
 */
async function applyStream(
  stream: StreamDeclaration<StreamName>,
  manifests: IncrementManifest[],
  ctx: StreamApply,
): Promise<{ upserted: number; older: number; deleteIds: string[] }> {
  const field = stream.incremental?.cursorField;
  const files: FileRef[] = [];
  const deletions = new Map<string, number>();
  let whole: FileRef | undefined;
  for (const [run, manifest] of manifests.entries()) {
    const part = manifest.streams[stream.name];
    if (!part) continue;
    if (part.kind === 'whole') {
      whole = part.files[0] && [run, part.files[0].key, part.files[0].sha256];
      continue;
    }
    for (const file of part.files) {
      if (await ctx.store.exists(file.key)) files.push([run, file.key, file.sha256]);
      else if (!replacedLater(manifests, run, stream.name, file.day)) {
        throw new DataError(
          `Increment file "${file.key}" of run ${manifest.runId} is missing from ${ctx.store.url}, and no later run copied its day again. Run a backfill of ${file.day} (npm run extract -- --since ${file.day} --until ${file.day}), then load again.`,
          { location: file.key },
        );
      }
    }
    for (const file of part.deleted) {
      for await (const { value } of readJsonArrayElements(await ctx.store.get(file.key), {
        key: file.key,
        expectedSha256: file.sha256,
      })) {
        const id = recordIdOf(value);
        if (id !== undefined) deletions.set(id, run);
      }
    }
  }
  if (whole) return replaceWhole(stream, whole, ctx);

  // Pass 1: the newest version of each record (ties: the later file).
  const newest = new Map<string, Newest>();
  for (const [index, [run, key, sha256]] of files.entries()) {
    let at = 0;
    for await (const { value } of readJsonArrayElements(await ctx.store.get(key), {
      key,
      expectedSha256: sha256,
    })) {
      const id = recordIdOf(value);
      const updated = field ? cursorOf(value, field) : undefined;
      if (id !== undefined) {
        const seen = newest.get(id);
        if (!seen || seen.updated === undefined || updated === undefined || updated >= seen.updated) {
          newest.set(id, { updated, run, file: index, at });
        }
      }
      at++;
    }
  }
  // The warehouse's versions: a row is never taken back to an older one.
  let older = 0;
  if (field) {
    const main = stream.tables[0];
    const idColumn = SHAPES[main].primaryKey[0] as string;
    const ids = [...newest.keys()];
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const [rows] = await ctx.control.query<RowDataPacket[]>(
        `SELECT ${quoteId(idColumn)} AS id, JSON_EXTRACT(raw, ?) AS v FROM ${quoteId(main)} WHERE ${quoteId(idColumn)} IN (?)`,
        [`$.${field}`, ids.slice(i, i + LOOKUP_CHUNK)],
      );
      for (const row of rows) {
        const held = Number(row.v);
        const candidate = newest.get(String(row.id));
        if (candidate?.updated !== undefined && Number.isFinite(held) && held > candidate.updated) {
          newest.delete(String(row.id));
          older++;
        }
      }
    }
  }
  // Deleted after its newest version: goes. A version from a run after the deletion stays (never
  // expected: Intercom does not reuse ids), and so does the row.
  const deleteIds: string[] = [];
  for (const [id, run] of deletions) {
    const candidate = newest.get(id);
    if (candidate && candidate.run > run) continue;
    newest.delete(id);
    deleteIds.push(id);
  }
  // Pass 2: upsert exactly the chosen versions.
  let upserted = 0;
  for (const [index, [, key, sha256]] of files.entries()) {
    let at = 0;
    for await (const { value, text } of readJsonArrayElements(await ctx.store.get(key), {
      key,
      expectedSha256: sha256,
    })) {
      const id = recordIdOf(value);
      const chosen = id === undefined ? undefined : newest.get(id);
      if (id === undefined || (chosen && chosen.file === index && chosen.at === at)) {
        upserted += await writeRecord(stream, value, text ?? JSON.stringify(value), ctx.writer);
      }
      at++;
    }
  }
  return { upserted, older, deleteIds };
}

/** Queue one record's rows; a record that cannot be mapped is quarantined. Returns 1 when written. */
async function writeRecord(
  stream: StreamDeclaration<StreamName>,
  record: unknown,
  raw: string,
  writer: BatchWriter,
): Promise<number> {
  try {
    await writer.add(recordUnit(stream, record, raw));
    return 1;
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    await writer.addQuarantine(stream.name, recordIdOf(record) ?? null, raw, error.message);
    return 0;
  }
}

/** Whether a run after `run` copied `day` of `stream` again (a backfill that replaced the day's files). */
function replacedLater(manifests: IncrementManifest[], run: number, stream: string, day: string): boolean {
  return manifests.slice(run + 1).some((m) => m.streams[stream]?.files.some((f) => f.day === day));
}

/** A stream copied whole: upsert every record, then delete the rows of ids the copy lacks. */
async function replaceWhole(
  stream: StreamDeclaration<StreamName>,
  [, key, sha256]: FileRef,
  ctx: StreamApply,
): Promise<{ upserted: number; older: number; deleteIds: string[] }> {
  const keep = new Set<string>();
  let upserted = 0;
  for await (const { value, text } of readJsonArrayElements(await ctx.store.get(key), {
    key,
    expectedSha256: sha256,
  })) {
    const id = recordIdOf(value);
    if (id !== undefined) keep.add(id);
    upserted += await writeRecord(stream, value, text ?? JSON.stringify(value), ctx.writer);
  }
  const main = stream.tables[0];
  const idColumn = SHAPES[main].primaryKey[0] as string;
  const [rows] = await ctx.control.query<RowDataPacket[]>(
    `SELECT ${quoteId(idColumn)} AS id FROM ${quoteId(main)}`,
  );
  const deleteIds = rows.map((r) => String(r.id)).filter((id) => !keep.has(id));
  return { upserted, older: 0, deleteIds };
}

/** Delete records `ids` of `stream`: their main rows and the child rows they own. Returns main rows deleted. */
async function deleteRecords(
  control: PoolConnection,
  stream: StreamDeclaration<StreamName>,
  ids: string[],
): Promise<number> {
  const main = stream.tables[0];
  const idColumn = SHAPES[main].primaryKey[0] as string;
  let deleted = 0;
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
    const chunk = ids.slice(i, i + LOOKUP_CHUNK);
    await control.query('START TRANSACTION');
    try {
      for (const child of stream.replaceChildrenOf?.tables ?? []) {
        await control.query(
          `DELETE FROM ${quoteId(child)} WHERE ${quoteId(stream.replaceChildrenOf?.column ?? '')} IN (?)`,
          [chunk],
        );
      }
      const [result] = await control.query(`DELETE FROM ${quoteId(main)} WHERE ${quoteId(idColumn)} IN (?)`, [
        chunk,
      ]);
      deleted += (result as { affectedRows?: number }).affectedRows ?? 0;
      await control.query('COMMIT');
    } catch (error) {
      await control.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  return deleted;
}

function cursorOf(record: unknown, field: string): number | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const value = (record as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
