/**
 * The lake key layout: the only contract between extract and load (docs/architecture.md).
 * Every lake key in the project is built here and nowhere else; a stream's file name comes from
 * its declaration (lib/streams).
 */
import { assertDay } from '../days';
import { streamNamed, type StreamName } from '../streams/registry';

export { assertDay } from '../days';

export type { StreamName } from '../streams/registry';

/** Folder of the latest complete run. */
export const DATA_PREFIX = 'data/';
/** Folder of every run, each kept immutable. */
export const RUNS_PREFIX = 'runs/';
export const MANIFEST_FILE = 'manifest.json';

/**
 * `data/<file>` of a stream (`data/users.json`).
 * @throws Error when `stream` is not a registered stream.
 */
export function dataKey(stream: StreamName): string {
  return `${DATA_PREFIX}${streamNamed(stream).file}`;
}

/** `data/manifest.json`: the manifest of the run whose files `data/` holds; written last. */
export function dataManifestKey(): string {
  return `${DATA_PREFIX}${MANIFEST_FILE}`;
}

/** `runs/<runId>/` */
export function runPrefix(runId: string): string {
  assertRunId(runId);
  return `${RUNS_PREFIX}${runId}/`;
}

/**
 * `runs/<runId>/<file>` of a stream (`runs/<runId>/users.json`).
 * @throws Error when `stream` is not a registered stream or `runId` not a run id.
 */
export function runKey(runId: string, stream: StreamName): string {
  return `${runPrefix(runId)}${streamNamed(stream).file}`;
}

/** `runs/<runId>/manifest.json`. */
export function runManifestKey(runId: string): string {
  return `${runPrefix(runId)}${MANIFEST_FILE}`;
}

/** A new run id that sorts by start time: `20261122T023700Z-3f9a1c`. */
export function newRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** @throws Error when `runId` is not of the form `newRunId` makes (it would escape `runs/`). */
export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new Error(`"${runId}" is not a run id such as 20261122T023700Z-3f9a1c`);
}

/** Folder of a run's segments: the pieces its stream files are assembled from. */
const SEGMENTS_FOLDER = 'segments/';
const CHECKPOINT_FILE = 'checkpoint.json';

/**
 * `runs/<runId>/segments/users-000001.json`: the `index`-th piece (from 1) of a stream, a JSON array
 * in the same one-element-per-line layout as the final file. Zero-padded so keys sort in order.
 */
export function runSegmentKey(runId: string, stream: StreamName, index: number): string {
  streamNamed(stream);
  if (!Number.isInteger(index) || index < 1 || index > 999_999) {
    throw new Error(`segment index ${index} is not a whole number from 1 to 999999`);
  }
  return `${runPrefix(runId)}${SEGMENTS_FOLDER}${stream}-${String(index).padStart(6, '0')}.json`;
}

/** `runs/<runId>/segments/`: every segment of a run, for cleaning up after assembly. */
export function runSegmentsPrefix(runId: string): string {
  return `${runPrefix(runId)}${SEGMENTS_FOLDER}`;
}

/** `runs/<runId>/checkpoint.json`: how far an unfinished run got; see lib/lake/checkpoint.ts. */
export function runCheckpointKey(runId: string): string {
  return `${runPrefix(runId)}${CHECKPOINT_FILE}`;
}

/**
 * The run id of a `runs/<runId>/checkpoint.json` key, or undefined for any other key (used to find
 * unfinished runs in a listing of `runs/`).
 */
export function runIdOfCheckpointKey(key: string): string | undefined {
  if (!key.startsWith(RUNS_PREFIX) || !key.endsWith(`/${CHECKPOINT_FILE}`)) return undefined;
  const runId = key.slice(RUNS_PREFIX.length, -CHECKPOINT_FILE.length - 1);
  return RUN_ID.test(runId) ? runId : undefined;
}

/** `locks/extract.json`: the lease one extract holds on the lake while it runs; see lib/lake/lease.ts. */
export function extractLockKey(): string {
  return 'locks/extract.json';
}

/**
 * `locks/extract-takeover/<digest>-<generation>.json`: the claim, made with a conditional write,
 * that lets exactly one extract replace the stale lease whose text hashes to `digest`; a claimer
 * that died before finishing is passed by the next generation. See lib/lake/lease.ts.
 */
export function extractLockTakeoverKey(digest: string, generation: number): string {
  if (!/^[0-9a-f]{8,64}$/.test(digest)) throw new Error(`"${digest}" is not a hex digest`);
  if (!Number.isInteger(generation) || generation < 1) throw new Error(`takeover generation ${generation} is not a whole number from 1`);
  return `locks/extract-takeover/${digest}-${generation}.json`;
}

/** Folder of the CSV files the API's reports write. */
export const REPORTS_PREFIX = 'reports/';
const REPORT_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const REPORT_STAMP = /^\d{8}T\d{9}Z$/;

/** The stamp of a report file written at `at`, to the millisecond: `20261202T221500123Z`. */
export function reportStamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/**
 * `reports/<name>/<stamp>.csv`: one run of a report (see {@link reportStamp}).
 * @throws Error when `name` or `stamp` would not make a plain key under `reports/`.
 */
export function reportKey(name: string, stamp: string): string {
  if (!REPORT_NAME.test(name)) throw new Error(`"${name}" is not a report name (lower-case letters, digits and dashes)`);
  if (!REPORT_STAMP.test(stamp)) throw new Error(`"${stamp}" is not a report stamp such as 20261202T221500123Z`);
  return `${REPORTS_PREFIX}${name}/${stamp}.csv`;
}

/** Where CSV uploads wait for `POST /imports?upload=<id>` (files too large for a request body in AWS). */
export const IMPORT_UPLOADS_PREFIX = 'imports/incoming/';
/** An upload's id: 32 lower-case hex digits, made by the API; nothing a caller names. */
export const IMPORT_UPLOAD_ID = /^[0-9a-f]{32}$/;

/**
 * `imports/incoming/<id>.csv`: one uploaded CSV waiting to be imported.
 * @throws Error when `id` is not 32 lower-case hex digits (a path, a dot, a slash).
 */
export function importUploadKey(id: string): string {
  if (!IMPORT_UPLOAD_ID.test(id)) throw new Error(`"${id}" is not an upload id (32 lower-case hex digits)`);
  return `${IMPORT_UPLOADS_PREFIX}${id}.csv`;
}

/** Folder of every stream's changes, by UTC day of `updated_at`. */
export const INCREMENTS_PREFIX = 'increments/';
/** The UTC day (`YYYY-MM-DD`) of Unix seconds `t`: the day folder a record changed at `t` goes to. */
export function utcDayOf(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** `increments/<stream>/date=<day>/`: the files of one day, one per run that wrote it. */
export function incrementDayPrefix(stream: StreamName, day: string): string {
  assertDay(day);
  return `${incrementsPrefix(stream)}date=${day}/`;
}

/**
 * `increments/<stream>/date=<day>/<runId>.json`: the records of `stream` changed on `day` (UTC, by
 * `updated_at`) that run `runId` found, as the API returned them.
 */
export function incrementKey(stream: StreamName, day: string, runId: string): string {
  assertRunId(runId);
  return `${incrementDayPrefix(stream, day)}${runId}.json`;
}

/**
 * `increments/<stream>/deleted/date=<day>/<runId>.json`: ids run `runId` found deleted or merged
 * away on `day` (UTC, when the run saw it), each with when.
 */
export function incrementDeletedKey(stream: StreamName, day: string, runId: string): string {
  assertDay(day);
  assertRunId(runId);
  return `${incrementsPrefix(stream)}deleted/date=${day}/${runId}.json`;
}

/** The run id of any `increments/…/<runId>.json` key, or undefined for another key. */
export function runIdOfIncrementKey(key: string): string | undefined {
  if (!key.startsWith(INCREMENTS_PREFIX) || !key.endsWith('.json')) return undefined;
  const runId = key.slice(key.lastIndexOf('/') + 1, -'.json'.length);
  return RUN_ID.test(runId) ? runId : undefined;
}

/**
 * `runs/<runId>/increment.json`: the manifest of an incremental or backfill run (its day files,
 * deletion files and what its bookmarks became). Written after every file it names, before the
 * bookmarks move: a run without it was never published, and the load leaves its files alone.
 */
export function incrementManifestKey(runId: string): string {
  return `${runPrefix(runId)}increment.json`;
}

/** `state/bookmarks.json`: per stream, the `updated_at` up to which every change is in the lake. */
export function bookmarksKey(): string {
  return 'state/bookmarks.json';
}

/**
 * `state/ids/<stream>.json`: the ids the last deletion sweep of `stream` listed (or the last full
 * copy held), the baseline the next sweep compares with.
 */
export function sweptIdsKey(stream: StreamName): string {
  streamNamed(stream);
  return `state/ids/${stream}.json`;
}

/**
 * `data/<file>` of a stream the registry may not declare yet (the refine reads `data/admins.json`
 * from a lake a newer extract wrote); `file` is a bare file name.
 * @throws Error when `file` is not a bare `.json` file name.
 */
export function dataFileKey(file: string): string {
  if (!/^[a-z0-9_]+\.json$/.test(file)) throw new Error(`"${file}" is not a lake stream file name (lower-case letters, digits and _, then .json)`);
  return `${DATA_PREFIX}${file}`;
}

/** `increments/<stream>/`: every day of a stream's changed records (and its `deleted/` folder). */
export function incrementsPrefix(stream: string): string {
  assertLakeName(stream);
  return `${INCREMENTS_PREFIX}${stream}/`;
}

/** `increments/<stream>/deleted/`: ids found deleted or merged away, by day. */
export function deletedIncrementsPrefix(stream: string): string {
  return `${incrementsPrefix(stream)}deleted/`;
}

/** Whether `key` is a day file of changed records: `increments/<stream>/date=YYYY-MM-DD/<run_id>.json`. */
export function isIncrementKey(stream: string, key: string): boolean {
  return new RegExp(`^increments/${stream}/date=\\d{4}-\\d{2}-\\d{2}/[^/]+\\.json$`).test(key);
}

/** Whether `key` is a day file of deletions: `increments/<stream>/deleted/date=YYYY-MM-DD/<run_id>.json`. */
export function isDeletedIncrementKey(stream: string, key: string): boolean {
  return new RegExp(`^increments/${stream}/deleted/date=\\d{4}-\\d{2}-\\d{2}/[^/]+\\.json$`).test(key);
}

/** `silver/<table>/`: a silver table's Parquet files (conversations and parts by `month=YYYY-MM/`). */
export function silverPrefix(table: string): string {
  assertLakeName(table);
  return `silver/${table}/`;
}

/** `gold/<job>/`: a gold job's Parquet files. */
export function goldPrefix(job: string): string {
  assertLakeName(job);
  return `gold/${job}/`;
}

/** `gold/report.html`: the self-contained report page. */
export function goldReportKey(): string {
  return 'gold/report.html';
}

/** @throws Error when `name` could escape its folder (not lowercase letters, digits, `_` or `-`). */
function assertLakeName(name: string): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new Error(`"${name}" is not a lake table or job name`);
}

/** Folder of the raw webhook notifications, by UTC day of receipt (what Firehose writes in AWS). */
export const EVENTS_PREFIX = 'events/';

/**
 * `events/date=YYYY-MM-DD/<name>.json`: one delivery of raw notifications received on that UTC day,
 * one JSON per line. `name` is the delivery's own (a time stamp and a random suffix), so that
 * deliveries never replace each other.
 * @throws Error when `name` is not a plain file name.
 */
export function eventsKey(receivedAt: Date, name: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(name)) throw new Error(`"${name}" is not an events file name`);
  return `${eventsDayPrefix(receivedAt)}${name}.json`;
}

/** `events/date=YYYY-MM-DD/`: the notifications received on `day` (UTC). */
export function eventsDayPrefix(day: Date): string {
  return `${EVENTS_PREFIX}date=${day.toISOString().slice(0, 10)}/`;
}
