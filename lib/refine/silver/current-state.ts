import {
  dataFileKey,
  deletedIncrementsPrefix,
  incrementsPrefix,
  isDeletedIncrementKey,
  isIncrementKey,
} from '../../lake/keys';
import { DataError } from '../../errors';
import { readIncrementManifest } from '../../lake/increment-manifest';
import { RUNS_PREFIX } from '../../lake/keys';
import { readLatestManifest } from '../../lake/publish';
import type { LakeStore } from '../../lake/store';
import { sqlIdentifier, sqlString, sqlStringList, type Duck } from '../duckdb';
import type { LakeFiles } from '../lake-files';
import type { SilverSource } from './types';

/**
 * The columns of a deletion record in `increments/<stream>/deleted/date=*\/*.json`: the id and when
 * it was found deleted, as Unix seconds or an ISO 8601 time (read as text, converted below). The
 * incremental extract writes that time as `seen_at` (when its sweep or a detail's 404 saw the record
 * gone); `deleted_at` is read too, for files written otherwise.
 */
export const DELETED_COLUMNS = { id: 'VARCHAR', deleted_at: 'VARCHAR', seen_at: 'VARCHAR' } as const;

/** A deletion's time in Unix seconds, from seconds or ISO 8601 text; null when it has none. */
const DELETED_AT_SECONDS =
  'coalesce(TRY_CAST(coalesce(d.deleted_at, d.seen_at) AS BIGINT), CAST(epoch(TRY_CAST(coalesce(d.deleted_at, d.seen_at) AS TIMESTAMPTZ)) AS BIGINT))';

/** What one stream's current state was built from. */
export interface CurrentStateFiles {
  /**
   * The stream's newest whole copy as a local path: `data/<file>`, or the `runs/<id>/<file>` of a
   * later incremental run that copied the stream whole (streams without a cursor); undefined when
   * the lake has none (optional streams only).
   */
  full: string | undefined;
  /** Day files of changed records, oldest day first. */
  increments: string[];
  /** Day files of deletions. */
  deleted: string[];
}

/** `{a: 'T', …}` as DuckDB's `columns={'a': 'T', …}` argument. */
function columnsArgument(columns: Readonly<Record<string, string>>): string {
  return `{${Object.entries(columns)
    .map(([name, type]) => `${sqlString(name)}: ${sqlString(type.replace(/\s+/g, ' '))}`)
    .join(', ')}}`;
}

/** A `read_json` of `paths` (JSON array files) with exactly `columns`, the file's path in `_file`. */
function readJson(paths: readonly string[], columns: Readonly<Record<string, string>>): string {
  return `read_json(${sqlStringList(paths)}, format = 'array', columns = ${columnsArgument(columns)}, filename = '_file')`;
}

/**
 * Find a stream's files: the full copy and every day of increments and deletions.
 * @throws DataError when a required stream has no `data/<file>` (the extract has not run).
 */
export async function findCurrentStateFiles(
  lake: LakeFiles,
  source: SilverSource,
): Promise<CurrentStateFiles> {
  const fullKey = dataFileKey(source.file);
  const wholeKey = await newestWholeCopyKey(lake.store, source.stream);
  const full = (wholeKey && (await lake.localFile(wholeKey))) || (await lake.localFile(fullKey));
  if (!full && !source.optional) {
    throw new DataError(
      `Lake file "${fullKey}" was not found in ${lake.url}. Run the extract (npm run extract) first, or pass the lake with --input.`,
      { location: fullKey },
    );
  }
  const increments = await lake.localFiles(incrementsPrefix(source.stream), (key) =>
    isIncrementKey(source.stream, key),
  );
  const deleted = await lake.localFiles(deletedIncrementsPrefix(source.stream), (key) =>
    isDeletedIncrementKey(source.stream, key),
  );
  return { full, increments, deleted };
}

/**
 * The key of the newest whole copy of `stream` that an incremental run published after the lake's
 * full copy began (such runs copy each stream without a cursor whole), or undefined when none did:
 * the full copy in `data/` is then the newest. Manifests are read newest run first, and only back
 * to the full copy.
 */
export async function newestWholeCopyKey(store: LakeStore, stream: string): Promise<string | undefined> {
  const runIds = (await store.list(RUNS_PREFIX))
    .filter((key) => key.endsWith('/increment.json'))
    .map((key) => key.slice(RUNS_PREFIX.length, -'/increment.json'.length))
    .sort()
    .reverse();
  if (runIds.length === 0) return undefined;
  const full = await readLatestManifest(store).catch(() => undefined);
  for (const runId of runIds) {
    // Run ids begin with their start second: one older than the full copy's second is older than it.
    if (full && runId.slice(0, 16) < full.runId.slice(0, 16)) break;
    const manifest = await readIncrementManifest(store, runId);
    if (!manifest || (full && manifest.startedAt <= full.startedAt)) continue;
    const part = manifest.streams[stream];
    if (part?.kind === 'whole' && part.files[0]) return part.files[0].key;
  }
  return undefined;
}

/**
 * Create `records_<stream>`: the stream's current state, one row per record. It is the
 * full copy plus every later increment, the newest `updatedAt` winning (on a tie, or without an
 * `updatedAt`, the file that sorts last: increments after `data/`, later days and runs after
 * earlier ones), less the ids a deletion file names unless the record changed after that deletion.
 * A missing optional stream gives no rows, with the declared columns.
 *
 * A stream read by one table is a view over its JSON, read once by that table. A stream read by
 * several (conversations: conversations and parts) is materialised once as a table, since parsing
 * the JSON is the expensive part. Staging it as a Parquet file instead measured 23 % slower at 100k
 * contacts (docs/BENCHMARKS.md), though it would not spill at the memory limit.
 * @returns the name of the view or table made.
 */
export async function createCurrentState(
  duck: Duck,
  source: SilverSource,
  files: CurrentStateFiles,
  emptyArrayFile: string,
): Promise<string> {
  const name = sqlIdentifier(`records_${source.stream}`);
  const kind = currentStateKind(source);
  await duck.run(`CREATE OR REPLACE ${kind} ${name} AS ${currentStateQuery(source, files, emptyArrayFile)}`);
  return name;
}

/** Whether a stream's current state is a view (read by one table) or a table (read by several). */
export function currentStateKind(source: SilverSource): 'VIEW' | 'TABLE' {
  return source.tables.length > 1 ? 'TABLE' : 'VIEW';
}

/** The select of a stream's current state (see {@link createCurrentState}). */
function currentStateQuery(source: SilverSource, files: CurrentStateFiles, emptyArrayFile: string): string {
  const columns = Object.keys(source.columns).map(sqlIdentifier).join(', ');
  const reads = [files.full ?? emptyArrayFile, ...files.increments];
  if (files.increments.length === 0 && files.deleted.length === 0) {
    // A full copy alone holds each record once (the extract's count check): no ranking to pay for.
    return `SELECT ${columns} FROM ${readJson(reads, source.columns)}`;
  }
  const key = source.primaryKey.map(sqlIdentifier).join(', ');
  const newest = source.updatedAt ? `${sqlIdentifier(source.updatedAt)} DESC NULLS LAST, ` : '';
  // Deletion files name records by `id`; a stream keyed otherwise (data attributes) has none.
  const keyMatch =
    source.primaryKey.length === 1 ? `d.id = r.${sqlIdentifier(source.primaryKey[0]!)}` : 'FALSE';
  // A deletion without a time is applied; one with a time spares a record changed after it.
  const changedAfter = source.updatedAt
    ? ` AND (r.${sqlIdentifier(source.updatedAt)} IS NULL OR ${DELETED_AT_SECONDS} IS NULL OR ${DELETED_AT_SECONDS} >= r.${sqlIdentifier(source.updatedAt)})`
    : '';
  const deletions =
    files.deleted.length === 0
      ? ''
      : `AND NOT EXISTS (SELECT 1 FROM ${readJson(files.deleted, DELETED_COLUMNS)} AS d WHERE ${keyMatch}${changedAfter})`;
  return `SELECT ${columns} FROM (
      SELECT *, row_number() OVER (PARTITION BY ${key} ORDER BY ${newest}_file DESC) AS _rank
      FROM ${readJson(reads, source.columns)}
    ) AS r
    WHERE _rank = 1 ${deletions}`;
}
