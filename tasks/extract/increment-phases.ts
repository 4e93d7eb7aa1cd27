/**
 * The per-stream phases of an incremental or backfill run: copy what changed into day files, copy a
 * stream without a cursor whole, and sweep ids for deletions. run-incremental.ts calls them.
 */
import { recordKeyOf } from '../../lib/records/record-id';
import type { IntercomClient } from '../../lib/intercom/client';
import { fetchStreamItem, searchStream, type StreamItem } from '../../lib/intercom/stream-source';
import type { IntercomRecord } from '../../lib/intercom/types';
import type { Bookmark } from '../../lib/lake/bookmarks';
import { emptyStreamCheckpoint, type SegmentInfo } from '../../lib/lake/checkpoint';
import type { DayFile } from '../../lib/lake/increment-manifest';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { incrementDeletedKey, incrementKey, runKey, utcDayOf } from '../../lib/lake/keys';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import { listSource, listStream } from '../../lib/intercom/stream-source';
import type { StreamName } from '../../lib/streams/registry';
import type { StreamDeclaration } from '../../lib/streams/types';
import { changedIn, cursorOf, inWindow, type ChangeWindow } from './change-window';
import { writeSegmentedStream } from './segmented-stream';

/**
 * How far back each run searches before its bookmark. Intercom's search index lags its writes: a
 * contact created a moment ago can be missing from search for a few minutes, so a run that started
 * then would never see it if the next searched from exactly where it stopped. Versions found
 * again in this window are skipped by id and `updated_at` (the bookmark's `recent`).
 */
export const LOOKBACK_S = 15 * 60;

/** What one stream's part of a run shares. */
export interface StreamRun {
  client: IntercomClient;
  store: LakeStore;
  log: Logger;
  runId: string;
  segmentRecords: number;
  signal?: AbortSignal;
}

/** What copying one stream's changes wrote. */
export interface ChangesCopied {
  files: DayFile[];
  /** Ids of the records written (their newest version is in a day file). */
  changedIds: Set<string>;
  /** Ids found by the search but gone (404) when their detail was fetched: deleted meanwhile. */
  vanished: string[];
  /** Versions in the lookback window before `through`, for the next run's bookmark. */
  recent: Record<string, number>;
}

function processItems(client: IntercomClient, stream: StreamDeclaration) {
  return (items: AsyncIterable<IntercomRecord>): AsyncIterable<StreamItem> =>
    client.mapConcurrent(items, (item) => fetchStreamItem(client, stream, item));
}

/**
 * Copy the records of `stream` whose cursor lies in `window` into `increments/<stream>/date=<day>/
 * <runId>.json`, one file per UTC day of `updated_at`, each record once in the version its detail
 * request returned. Records the search finds that `skip` names in the same version (found by the
 * last run's lookback) are neither fetched nor written. Segments under `runs/<runId>/segments/`
 * hold the records until they are split by day (the caller deletes them after publishing).
 *
 * @param days when given, only records of these days are written (a backfill of one day).
 * @throws whatever the search, the detail requests or the store throw.
 */
export async function copyChanges(
  run: StreamRun,
  stream: StreamDeclaration<StreamName>,
  window: ChangeWindow,
  options: { skip?: Bookmark['recent']; recentFrom?: number; days?: ReadonlySet<string> } = {},
): Promise<ChangesCopied> {
  const incremental = stream.incremental;
  if (!incremental) throw new Error(`stream ${stream.name} has no cursor`);
  const field = incremental.cursorField;
  const skip = options.skip ?? {};
  const recentFrom = options.recentFrom ?? Number.POSITIVE_INFINITY;
  const found = new Set<string>();
  const recent: Record<string, number> = {};
  for (const [id, updated] of Object.entries(skip)) if (updated >= recentFrom) recent[id] = updated;

  // A calendar-day search finds up to two days more than the window: newest first, the pages past
  // the window's start are never asked for. An exact search finds only the window: no order needed.
  const newestFirst = incremental.match === 'calendar-day';
  async function* changed(): AsyncGenerator<IntercomRecord & { id: string }> {
    const sort = newestFirst ? { field, order: 'descending' as const } : undefined;
    for await (const item of searchStream(run.client, stream, changedIn(incremental!, window), sort)) {
      const id = recordKeyOf(item, stream.primaryKey) ?? '';
      const updated = cursorOf(item, field);
      if (newestFirst && updated !== undefined && updated < window.from) return;
      // A search re-sorted by a change while it is paged can repeat a record.
      if (found.has(id)) continue;
      if (!inWindow(window, updated)) continue;
      if (updated !== undefined && skip[id] === updated) continue;
      found.add(id);
      yield { ...item, id };
    }
  }

  const state = emptyStreamCheckpoint();
  const counts = new Map<string, number>();
  const changedIds = new Set<string>();
  const vanished: string[] = [];
  const fallbackDay = utcDayOf(window.from);
  const dayOf = (record: unknown): string => {
    const updated = cursorOf(record, field);
    return updated === undefined ? fallbackDay : utcDayOf(updated);
  };
  await writeSegmentedStream({
    store: run.store,
    runId: run.runId,
    stream: stream.name,
    state,
    list: changed,
    process: processItems(run.client, stream),
    segmentRecords: run.segmentRecords,
    onItem: (item) => {
      if (item.record === undefined) {
        vanished.push(item.id);
        return;
      }
      changedIds.add(item.id);
      const day = dayOf(item.record);
      counts.set(day, (counts.get(day) ?? 0) + 1);
      const updated = cursorOf(item.record, field);
      if (updated !== undefined && updated >= recentFrom) recent[item.id] = updated;
    },
    // The run keeps no checkpoint: a crashed incremental run is simply run again from its bookmark.
    save: () => Promise.resolve(),
    signal: run.signal,
    log: run.log,
  });

  const files: DayFile[] = [];
  for (const day of [...counts.keys()].sort()) {
    if (options.days && !options.days.has(day)) continue;
    const key = incrementKey(stream.name, day, run.runId);
    let count = 0;
    const written = await run.store.put(
      key,
      jsonArrayChunks(
        recordsOfDay(run.store, state.segments, (r) => dayOf(r) === day),
        () => {
          count++;
        },
      ),
    );
    files.push({ key, day, count, ...written });
  }
  run.log.info(
    { stream: stream.name, changed: changedIds.size, vanished: vanished.length, days: files.length },
    'changes copied',
  );
  return { files, changedIds, vanished, recent };
}

/** The records of `segments` that `keep` accepts, in order, each segment checked against its sha256. */
async function* recordsOfDay(
  store: LakeStore,
  segments: readonly SegmentInfo[],
  keep: (record: unknown) => boolean,
): AsyncGenerator<unknown> {
  for (const segment of segments) {
    for await (const record of readJsonArray(await store.get(segment.key), {
      key: segment.key,
      expectedSha256: segment.sha256,
    })) {
      if (keep(record)) yield record;
    }
  }
}

/**
 * Copy a stream without a cursor whole into `runs/<runId>/<file>` (admins, teams, tags: small
 * enough that copying them is cheaper than tracking their changes).
 */
export async function copyWhole(
  run: StreamRun,
  stream: StreamDeclaration<StreamName>,
  day: string,
): Promise<DayFile> {
  const key = runKey(run.runId, stream.name);
  async function* records(): AsyncGenerator<unknown> {
    for await (const item of processItems(run.client, stream)(listStream(run.client, stream))) {
      if (item.record !== undefined) yield item.record;
    }
  }
  let count = 0;
  const written = await run.store.put(
    key,
    jsonArrayChunks(records(), () => {
      count++;
    }),
  );
  run.log.info({ stream: stream.name, count }, 'copied whole');
  return { key, day, count, ...written };
}

/** Ids per `IN` filter of a confirming search. */
const CONFIRM_CHUNK = 100;

/** What a deletion sweep found. */
export interface SweepResult {
  /** Ids gone from Intercom: neither listed nor found by id. */
  deleted: string[];
  /** Every id Intercom holds now, sorted: the next sweep's baseline. */
  ids: string[];
}

/**
 * Find the records of `stream` deleted (or merged away) since `baseline` was taken: list every id
 * (list pages only, 150 ids a call, no details), and take the ids of `baseline` and `changed` that
 * the list lacks. A list read while records change can miss one that moved, so each such id is
 * looked up by a search on `id` before it counts as deleted (a merged contact is gone from search
 * as from the list).
 */
export async function sweepDeletes(
  run: StreamRun,
  stream: StreamDeclaration<StreamName>,
  baseline: Iterable<string>,
  changed: Iterable<string>,
): Promise<SweepResult> {
  const listed = new Set<string>();
  // The stream's own list, not its search ranges: search lags behind the list (a new record).
  for await (const item of listSource(run.client, stream))
    listed.add(recordKeyOf(item, stream.primaryKey) ?? '');
  const candidates = new Set<string>();
  for (const source of [baseline, changed]) for (const id of source) if (!listed.has(id)) candidates.add(id);
  const alive = new Set<string>();
  const ids = [...candidates];
  for (let at = 0; at < ids.length; at += CONFIRM_CHUNK) {
    const chunk = ids.slice(at, at + CONFIRM_CHUNK);
    for await (const item of searchStream(run.client, stream, {
      field: 'id',
      operator: 'IN',
      value: chunk,
    })) {
      alive.add(recordKeyOf(item, stream.primaryKey) ?? '');
    }
  }
  for (const id of alive) listed.add(id);
  const deleted = ids.filter((id) => !alive.has(id));
  run.log.info({ stream: stream.name, listed: listed.size, deleted: deleted.length }, 'ids swept');
  return { deleted, ids: [...listed].sort() };
}

/** Write the deletion file of `stream`: one `{ id, seen_at }` per id, the day being the run's. */
export async function writeDeleted(
  run: StreamRun,
  stream: StreamName,
  ids: readonly string[],
  seenAt: Date,
): Promise<DayFile | undefined> {
  if (ids.length === 0) return undefined;
  const day = seenAt.toISOString().slice(0, 10);
  const key = incrementDeletedKey(stream, day, run.runId);
  const when = seenAt.toISOString();
  async function* rows(): AsyncGenerator<unknown> {
    for (const id of ids) yield { id, seen_at: when };
  }
  const written = await run.store.put(key, jsonArrayChunks(rows()));
  return { key, day, count: ids.length, ...written };
}
