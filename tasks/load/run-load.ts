import type { RowDataPacket } from 'mysql2/promise';
import { DataError, SyncError, TransientError } from '../../lib/errors';
import type { LakeStore } from '../../lib/lake/store';
import { silentLogger, type Logger } from '../../lib/logger';
import { LoadProgress } from '../../lib/progress';
import { BatchWriter, type WriteMode } from '../../lib/warehouse/batch-writer';
import { openWarehouse, serverErrorOf, type Warehouse } from '../../lib/warehouse/connection';
import { formatDatetime } from '../../lib/records/fields';
import { createShadowTables, dropShadowTables, swapShadowTables } from '../../lib/warehouse/full-refresh';
import { readLoadManifest, readStream, type LoadManifest } from '../../lib/warehouse/lake-input';
import { migrateWarehouse } from '../../lib/warehouse/migrate';
import {
  childCountsOf,
  countTables,
  reconcile,
  totalsOf,
  type TableCounts,
} from '../../lib/warehouse/reconcile';
import { recordUnit } from '../../lib/warehouse/record-unit';
import { recordFullLoad } from '../../lib/warehouse/sync-state';
import { SHADOW_SUFFIX, targetNames } from '../../lib/warehouse/tables';
import { recordKeyOf } from '../../lib/records/record-id';
import { perStream, STREAMS, type StreamName } from '../../lib/streams/registry';
import { WAREHOUSE_TABLES, type StreamDeclaration, type WarehouseTable } from '../../lib/streams/types';

/** `full`: atomic refresh of every table (the default). `upsert`: insert or update in place. */
export type LoadMode = WriteMode;

/** Everything one load needs, as plain arguments. */
export interface LoadOptions {
  store: LakeStore;
  databaseUrl: string;
  mode?: LoadMode;
  log?: Logger;
  signal?: AbortSignal;
  /**
   * Bytes of rows per batch (default 4 MiB in full mode, 1 MiB in upsert mode; at most half the
   * server's max_allowed_packet).
   */
  batchBytes?: number;
  /** Batches written at once, each on its own connection (default 2). */
  concurrency?: number;
  /**
   * How long a statement waits for a row lock another session holds, in seconds (default: the
   * server's `innodb_lock_wait_timeout`); a batch that times out is retried a few times with backoff.
   */
  lockWaitTimeoutSeconds?: number;
  /** Folder of the drizzle migrations (default drizzle/migrations). */
  migrationsFolder?: string;
  /**
   * Show progress: a bar on a terminal, a `load progress` log line every 15 s otherwise (default
   * true; the tests turn it off).
   */
  progress?: boolean;
  /**
   * Full refresh by `LOAD DATA LOCAL INFILE` (default true; see `BatchWriterOptions.loadData`):
   * false writes every batch by INSERT.
   */
  loadData?: boolean;
}

/** What a load did, for the summary `npm start` prints. */
export interface LoadSummary {
  mode: LoadMode;
  /** Where the lake is. */
  lake: string;
  /** `host:port/database` (no password). */
  database: string;
  /** The extract run whose files were loaded, when the manifest names it. */
  runId: string | undefined;
  /** Rows each table of every stream holds after the load, in registry order. */
  tables: Record<WarehouseTable, number>;
  /** Records quarantined by this load, all streams. */
  quarantined: number;
  /** Records quarantined by this load, per stream. */
  quarantinedByStream: Record<StreamName, number>;
  /** Lake records read per stream. */
  records: Record<StreamName, number>;
  /**
   * How the rows were written: `load-data` (LOAD DATA LOCAL INFILE, a full refresh's default) or
   * `insert` (upsert mode, `loadData: false`, or a server that refuses LOAD DATA LOCAL).
   */
  method: 'load-data' | 'insert';
  durationMs: number;
}

/** Lake records this load wrote to the warehouse: those it read, less those it quarantined. */
export function recordsLoaded(summary: Pick<LoadSummary, 'records' | 'quarantined'>): number {
  return Object.values(summary.records).reduce((sum, n) => sum + n, 0) - summary.quarantined;
}

// Batches of 4 MiB by LOAD DATA, two in flight: a queued batch is held once, as lines in buffers
// outside the JavaScript heap, and four times fewer commits than 1 MiB batches made the full
// refresh of 6k conversations ~10 % faster (1.38 -> 1.16 s in-process, 1 -> 4 MiB). By INSERT
// (upsert mode) a batch is also held as SQL tuples, the joined statement and mysql2's packet, so
// those batches stay at 1 MiB: 2 MiB x 4 had kept ~40 MiB and raised peak RSS by ~27 MiB.
const DEFAULT_BATCH_BYTES = { full: 4 * 1024 * 1024, upsert: 1024 * 1024 };
const DEFAULT_CONCURRENCY = 2;
/** A full refresh of one database at a time: two would drop each other's `__new` tables. */
const LOCK_PREFIX = 'intercom-sync:load:';

/**
 * Load every registered stream's file from the lake's `data/` (`data/users.json`,
 * `data/conversations.json`) into the warehouse tables its declaration names.
 *
 * Migrates first (idempotent). In `full` mode the rows go to fresh `X__new` tables, which are
 * reconciled with the lake manifest (loaded + quarantined = count, per stream; part rows = parts
 * the conversations hold) and then swapped in with one `RENAME TABLE`; any failure before the
 * swap drops the fresh tables and leaves the previous data as it was. In `upsert` mode rows are
 * inserted or updated in place, each conversation with its parts and contact links replaced in
 * one transaction. Records that cannot be mapped, or that the database refuses, are kept in the
 * `quarantine` table with the reason and counted.
 *
 * @throws DataError when a lake file is missing, corrupt or does not match its manifest, or the
 *   load does not reconcile; ConfigError for a wrong DATABASE_URL, user or password, or a warehouse
 *   migrated by a newer version; TransientError when the database cannot be reached, the
 *   connection is lost, another load is running, or `signal` aborts. In full mode the warehouse
 *   is left as it was in every case.
 */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const { store } = options;
  const mode = options.mode ?? 'full';
  const log = options.log ?? silentLogger();
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const started = performance.now();

  // Read the manifest before touching the database: without a finished extract there is nothing to do.
  const manifest = await readLoadManifest(store);
  const warehouse = await openWarehouse(options.databaseUrl, {
    connectionLimit: concurrency + 2,
    lockWaitTimeoutSeconds: options.lockWaitTimeoutSeconds,
  });
  const after =
    mode === 'full'
      ? 'The warehouse tables were left as they were.'
      : 'Rows upserted before the failure stay in the warehouse; a rerun completes them.';
  try {
    await migrateWarehouse(warehouse, { log, migrationsFolder: options.migrationsFolder });
    const control = await warehouse.pool.getConnection();
    const lockName = `${LOCK_PREFIX}${warehouse.settings.database}`;
    try {
      const [locked] = await control.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS ok', [lockName]);
      if (locked[0]?.ok !== 1) {
        throw new TransientError(
          `Another load into ${warehouse.label} is running. Wait for it to finish, then run again.`,
        );
      }
      const [packet] = await control.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS bytes');
      const maxPacketBytes = Number(packet[0]?.bytes ?? 4 * 1024 * 1024);
      const names = targetNames(mode === 'full' ? SHADOW_SUFFIX : '');
      log.info(
        { mode, lake: store.url, database: warehouse.label, runId: manifest.runId, maxPacketBytes },
        'load started',
      );
      if (mode === 'full') await createShadowTables(control);
      const writerLoadedAt = formatDatetime(Math.floor(Date.now() / 1000));
      const writer = new BatchWriter({
        pool: warehouse.pool,
        mode,
        tables: names,
        batchBytes: Math.min(options.batchBytes ?? DEFAULT_BATCH_BYTES[mode], Math.floor(maxPacketBytes / 2)),
        maxPacketBytes,
        // Upsert batches of different conversations run side by side: the sessions are READ
        // COMMITTED (see openWarehouse), so their deletes by conversation_id lock only the rows
        // they delete, not the gaps that made 4 writers deadlock under REPEATABLE READ.
        concurrency,
        loadedAt: writerLoadedAt,
        loadData: options.loadData,
        log,
      });
      let counts: TableCounts;
      const records = perStream(() => 0);
      const progress = new LoadProgress({ log, totals: manifest.streams });
      if (options.progress !== false) progress.start();
      try {
        for (const stream of STREAMS) {
          records[stream.name] = await loadStream(stream, {
            store,
            manifest,
            writer,
            log,
            signal: options.signal,
            progress,
          });
        }
        const tally = await writer.finish();
        progress.stop();
        if (mode === 'full') {
          counts = await countTables(control, names);
          reconcile(manifest, totalsOf(counts), childCountsOf(counts), after);
          throwIfAborted(options.signal);
          await swapShadowTables(control);
          // What the warehouse now holds: this full run, no increment on top (see run-incremental-load.ts).
          if (manifest.runId !== undefined && manifest.startedAt !== undefined) {
            await recordFullLoad(
              control,
              { runId: manifest.runId, startedAt: manifest.startedAt },
              writerLoadedAt,
            );
          }
        } else {
          reconcile(
            manifest,
            perStream(({ name }) => ({ loaded: tally.loaded[name], quarantined: tally.quarantined[name] })),
            undefined,
            after,
          );
          counts = await countTables(control, names);
          counts.quarantined = { ...tally.quarantined };
        }
      } catch (error) {
        progress.stop();
        await writer.settle();
        if (mode === 'full') await dropShadowTables(control).catch(() => undefined);
        throw error;
      }
      const summary: LoadSummary = {
        mode,
        lake: store.url,
        database: warehouse.label,
        runId: manifest.runId,
        tables: Object.fromEntries(WAREHOUSE_TABLES.map((t) => [t, counts.rows[t]])) as Record<
          WarehouseTable,
          number
        >,
        quarantined: STREAMS.reduce((sum, { name }) => sum + counts.quarantined[name], 0),
        quarantinedByStream: counts.quarantined,
        records,
        method: writer.method,
        durationMs: Math.round(performance.now() - started),
      };
      log.info(
        {
          ...summary.tables,
          quarantined: summary.quarantined,
          method: summary.method,
          ms: summary.durationMs,
        },
        'load finished',
      );
      return summary;
    } finally {
      await control.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
      control.release();
    }
  } catch (error) {
    throw asLoadError(error, warehouse, after);
  } finally {
    await warehouse.close().catch(() => undefined);
  }
}

interface StreamContext {
  store: LakeStore;
  manifest: LoadManifest;
  writer: BatchWriter;
  log: Logger;
  signal: AbortSignal | undefined;
  progress: LoadProgress;
}

/** Read, map and queue every record of one stream; returns how many records it read. */
async function loadStream(declaration: StreamDeclaration<StreamName>, ctx: StreamContext): Promise<number> {
  const { writer, log } = ctx;
  const stream = declaration.name;
  const started = performance.now();
  let read = 0;
  for await (const { value: record, text } of readStream(ctx.store, stream, ctx.manifest)) {
    read++;
    ctx.progress.records[stream] = read;
    if (ctx.signal?.aborted) throw stopped(ctx.signal);
    const recordId = recordKeyOf(record, declaration.primaryKey) ?? null;
    // The record's JSON as the lake holds it (the extract wrote it with JSON.stringify): `raw`
    // without stringifying the record a second time.
    const raw = text ?? JSON.stringify(record);
    try {
      await writer.add(recordUnit(declaration, record, raw));
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      await writer.addQuarantine(stream, recordId, raw, error.message);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  log.info({ stream, records: read, perSecond: Math.round(read / Math.max(seconds, 0.001)) }, 'stream read');
  return read;
}

function stopped(signal: AbortSignal): TransientError {
  const why = signal.reason instanceof Error ? signal.reason.message : 'stop requested';
  return new TransientError(`The load was stopped (${why}).`, { cause: signal.reason });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw stopped(signal);
}

function asLoadError(error: unknown, warehouse: Warehouse, after: string): SyncError {
  if (error instanceof SyncError) {
    if (error instanceof TransientError && !error.message.includes(after)) {
      // Stopped, or a writer's lost connection or lock conflict: say what state it left behind.
      return new TransientError(`${error.message} ${after}`, { cause: error });
    }
    return error;
  }
  const server = serverErrorOf(error);
  const detail = server ? `${server.code}: ${server.message.slice(0, 300)}` : String(error).slice(0, 300);
  return new TransientError(
    `The load into ${warehouse.label} failed (${detail}). ${after} Run the load again; if it fails the same way, check the database server's log.`,
    { cause: error },
  );
}
