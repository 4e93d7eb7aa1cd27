import { DataError } from '../../lib/errors';
import type { IntercomClient } from '../../lib/intercom/client';
import { readBookmarks, writeBookmarks, type Bookmark, type Bookmarks } from '../../lib/lake/bookmarks';
import {
  writeIncrementManifest,
  type IncrementManifest,
  type StreamIncrement,
} from '../../lib/lake/increment-manifest';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import {
  dataKey,
  INCREMENTS_PREFIX,
  incrementManifestKey,
  newRunId,
  runIdOfIncrementKey,
  runSegmentsPrefix,
  sweptIdsKey,
} from '../../lib/lake/keys';
import { acquireExtractLease } from '../../lib/lake/lease';
import { readLatestManifest } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import { recordIdOf } from '../../lib/records/record-id';
import { STREAMS, type StreamName } from '../../lib/streams/registry';
import {
  copyChanges,
  copyWhole,
  LOOKBACK_S,
  sweepDeletes,
  writeDeleted,
  type StreamRun,
} from './increment-phases';
import { sweepable } from '../../lib/intercom/stream-source';
import { requestsSoFar } from './requests-so-far';

/** Everything an incremental or backfill extract needs, as plain arguments. */
export interface IncrementalOptions {
  client: IntercomClient;
  store: LakeStore;
  log: Logger;
  apiUrl: string;
  apiVersion: string;
  signal?: AbortSignal;
  /** Records per segment object (default 1,000). */
  segmentRecords?: number;
  /** Lease length; default `LEASE_TTL_MS` of lib/lake/lease.ts. */
  leaseTtlMs?: number;
  /**
   * Sweep ids for deletions: list pages only, one call per 150 records of each stream with a
   * cursor. `auto` (the default) sweeps a stream when that costs at most as many calls as its
   * changes did (or {@link AUTO_SWEEP_MIN_PAGES} pages), never more than doubling the run, and holds
   * at most {@link AUTO_SWEEP_MAX_IDS} ids. Without
   * a sweep, deleted and merged records stay in the warehouse until a sweep or the next full run
   * (see README).
   */
  sweepDeletes?: boolean | 'auto';
  /** Id for the run (tests); default a new one. */
  runId?: string;
}

/** Records per segment object, as in a full run. */
export const SEGMENT_RECORDS = 1_000;

/** An `auto` sweep of up to this many list pages (3,000 records) always runs: it costs seconds. */
export const AUTO_SWEEP_MIN_PAGES = 20;

/**
 * Largest stream an `auto` sweep takes on: the sweep holds every id of the stream (the last sweep's,
 * and the listed ones) in memory, and 1,000,000 ids ran out of the extract's 192 MiB heap where
 * 500,000 fit (measured with `node --max-old-space-size=192`).
 */
export const AUTO_SWEEP_MAX_IDS = 500_000;

/**
 * The bookmarks a run starts from: the lake's, or, on a lake whose last full copy has none yet,
 * that copy's start for every stream with a cursor (its catch-up pass copied every change made
 * after it started).
 * @throws DataError when the lake holds neither bookmarks nor a full copy (run a full extract first).
 */
export async function startingBookmarks(store: LakeStore): Promise<Bookmarks> {
  const saved = await readBookmarks(store);
  if (saved && STREAMS.every((s) => !s.incremental || saved[s.name])) return saved;
  let full;
  try {
    full = await readLatestManifest(store);
  } catch (error) {
    throw new DataError(
      `An incremental extract copies what changed since the last run, but ${store.url} holds no full copy yet. Run a full extract first (npm run extract -- --mode full, or npm start).`,
      { cause: error, location: 'data/manifest.json' },
    );
  }
  const fromFull: Bookmark = { through: full.startedAt, runId: full.runId, recent: {} };
  const out: Bookmarks = { ...saved };
  for (const stream of STREAMS) if (stream.incremental && !out[stream.name]) out[stream.name] = fromFull;
  return out;
}

/**
 * Copy what changed since each stream's bookmark into `increments/` (see lib/lake/keys.ts): for a
 * stream with a cursor, the records its search finds changed since the bookmark less
 * {@link LOOKBACK_S}, each with its detail (a conversation's parts), by UTC day of `updated_at`;
 * a stream without a cursor whole; for each stream with a cursor whose ids can be paged (a list,
 * or a search matching every record), the ids swept for deletions. Then the run's manifest (`runs/<id>/increment.json`) is written, which publishes
 * it, and only then the bookmarks move to the run's start.
 *
 * A crash at any point leaves the bookmarks where they were: the next run copies the same changes
 * again (the load's version guard makes that harmless); the files of a run that never published
 * its manifest are deleted by the next run and never loaded.
 *
 * @throws DataError when the lake holds no full copy yet; whatever the requests or the store throw.
 */
export async function runIncrementalExtract(options: IncrementalOptions): Promise<IncrementManifest> {
  const { client, store, log } = options;
  await client.me();
  const runId = options.runId ?? newRunId();
  const lease = await acquireExtractLease(store, {
    runId,
    log,
    ttlMs: options.leaseTtlMs,
    signal: options.signal,
  });
  try {
    const startedAt = new Date();
    const bookmarks = await startingBookmarks(store);
    await removeUnpublished(store, runId, log);
    log.info({ runId, lake: store.url, mode: 'incremental' }, 'incremental extract started');
    const run: StreamRun = {
      client,
      store,
      log,
      runId,
      segmentRecords: options.segmentRecords ?? SEGMENT_RECORDS,
      signal: anySignal([options.signal, lease.lost]),
    };
    const through = Math.floor(startedAt.getTime() / 1000);
    const timings: Record<string, number> = {};
    const streams: Record<string, StreamIncrement> = {};
    const nextBookmarks: Bookmarks = { ...bookmarks };
    const baselines: Partial<Record<StreamName, string[]>> = {};
    const sweep = options.sweepDeletes ?? 'auto';
    await Promise.all(
      STREAMS.map(async (stream) => {
        const started = performance.now();
        if (!stream.incremental) {
          const file = await copyWhole(run, stream, startedAt.toISOString().slice(0, 10));
          streams[stream.name] = {
            kind: 'whole',
            through: startedAt.toISOString(),
            files: [file],
            deleted: [],
            swept: false,
          };
        } else {
          const bookmark = bookmarks[stream.name] as Bookmark;
          const from = Math.floor(Date.parse(bookmark.through) / 1000) - LOOKBACK_S;
          const copied = await copyChanges(
            run,
            stream,
            { from },
            { skip: bookmark.recent, recentFrom: through - LOOKBACK_S },
          );
          let deletedIds = copied.vanished;
          let swept = sweep !== false && sweepable(stream);
          if (swept && sweep === 'auto') {
            const known = await knownCount(store, stream.name);
            const pages = Math.ceil(known / stream.pageSize);
            const cheap = pages <= Math.max(copied.changedIds.size, AUTO_SWEEP_MIN_PAGES);
            swept = cheap && known <= AUTO_SWEEP_MAX_IDS;
            if (!swept) {
              log.info(
                { stream: stream.name, pages, changed: copied.changedIds.size, ids: known },
                cheap
                  ? 'deletion sweep skipped: the stream has more ids than the extract task holds in memory; the next full run finds deletions'
                  : 'deletion sweep skipped: it would cost more calls than the changes did; the next full run or --deletes finds deletions',
              );
            }
          }
          if (swept) {
            const baseline = await readIds(store, stream.name);
            const result = await sweepDeletes(run, stream, baseline, copied.changedIds);
            deletedIds = [...new Set([...deletedIds, ...result.deleted])];
            baselines[stream.name] = result.ids;
          }
          const deleted = await writeDeleted(run, stream.name, deletedIds, startedAt);
          streams[stream.name] = {
            kind: 'changes',
            since: new Date(from * 1000).toISOString(),
            through: startedAt.toISOString(),
            files: copied.files,
            deleted: deleted ? [deleted] : [],
            swept,
          };
          nextBookmarks[stream.name] = { through: startedAt.toISOString(), runId, recent: copied.recent };
        }
        timings[stream.name] = Math.round(performance.now() - started);
      }),
    );
    const manifest: IncrementManifest = {
      runId,
      mode: 'incremental',
      apiUrl: options.apiUrl,
      apiVersion: options.apiVersion,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      streams,
      timings,
      requests: requestsSoFar(client),
    };
    await lease.assertHeld();
    await writeIncrementManifest(store, manifest);
    // Published: only now may the bookmarks pass the changes it holds.
    await writeBookmarks(store, nextBookmarks);
    for (const [name, ids] of Object.entries(baselines)) await writeIds(store, name as StreamName, ids);
    for (const key of await store.list(runSegmentsPrefix(runId))) await store.delete(key);
    log.info(
      {
        runId,
        ...Object.fromEntries(
          Object.entries(streams).map(([name, s]) => [name, s.files.reduce((n, f) => n + f.count, 0)]),
        ),
        deleted: Object.values(streams).reduce((n, s) => n + s.deleted.reduce((m, f) => m + f.count, 0), 0),
        requests: manifest.requests.total,
      },
      'incremental extract finished',
    );
    return manifest;
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * Delete the increment files and segments of runs that never published their manifest (killed
 * runs): the load would never read them, and a later run has copied the same changes.
 */
async function removeUnpublished(store: LakeStore, current: string, log: Logger): Promise<void> {
  const byRun = new Map<string, string[]>();
  for (const key of await store.list(INCREMENTS_PREFIX)) {
    const runId = runIdOfIncrementKey(key);
    if (runId === undefined || runId === current) continue;
    byRun.set(runId, [...(byRun.get(runId) ?? []), key]);
  }
  for (const [runId, keys] of byRun) {
    if (await store.exists(incrementManifestKey(runId))) continue;
    for (const key of [...keys, ...(await store.list(runSegmentsPrefix(runId)))]) await store.delete(key);
    log.info({ runId, files: keys.length }, 'removed files of an unfinished incremental run');
  }
}

/** How many records `stream` had at the last sweep, or in the last full copy (its manifest's count). */
async function knownCount(store: LakeStore, stream: StreamName): Promise<number> {
  if (await store.exists(sweptIdsKey(stream))) return (await readIds(store, stream)).length;
  return (await readLatestManifest(store)).streams[stream].count;
}

/** The ids the last sweep of `stream` listed, or those of the last full copy when no sweep ran since. */
async function readIds(store: LakeStore, stream: StreamName): Promise<string[]> {
  const key = (await store.exists(sweptIdsKey(stream))) ? sweptIdsKey(stream) : dataKey(stream);
  const ids: string[] = [];
  for await (const value of readJsonArray(await store.get(key), { key })) {
    const id = typeof value === 'string' ? value : recordIdOf(value);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

async function writeIds(store: LakeStore, stream: StreamName, ids: string[]): Promise<void> {
  async function* each(): AsyncGenerator<unknown> {
    yield* ids;
  }
  await store.put(sweptIdsKey(stream), jsonArrayChunks(each()));
}

/** A signal that aborts when any of `signals` does. */
export function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
