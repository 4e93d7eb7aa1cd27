/**
 * One stream's part of an incremental load: the newest version of each record across the runs to
 * apply, checked against the warehouse's version, upserted with its children; the ids to delete;
 * a stream copied whole replacing its table. tasks/load/run-incremental-load.ts runs it per stream.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { DataError } from '../errors';
import type { IncrementManifest } from '../lake/increment-manifest';
import { readJsonArrayElements } from '../lake/json-array-reader';
import type { LakeStore } from '../lake/store';
import { KEY_SEPARATOR, recordIdOf, recordKeyOf } from '../records/record-id';
import type { StreamName } from '../streams/registry';
import type { StreamDeclaration } from '../streams/types';
import type { BatchWriter } from './batch-writer';
import { recordUnit } from './record-unit';
import { quoteId } from './rows';
import { SHAPES } from './tables';

/** Ids per `IN (...)` lookup of the warehouse's versions, and per delete. */
const LOOKUP_CHUNK = 1_000;

/** Where a record's newest version is: run, file and position in it. */
interface Newest {
  updated: number | undefined;
  run: number;
  file: number;
  at: number;
}

/**
 * A record's key as its main table's key columns hold it, one value per column (`['42']`, or
 * `['contact', 'email']` for a data attribute keyed by model and name).
 */
export type RowKey = string[];

/** One stream's files to apply: `[run index, key, sha256]`. */
type FileRef = [number, string, string];

/** What applying a stream's increments needs. */
export interface StreamApply {
  store: LakeStore;
  control: PoolConnection;
  writer: BatchWriter;
}

/**
 * One stream's part of the increments: pass 1 finds each record's newest version across the runs
 * and drops those the warehouse holds newer; pass 2 reads the files again and upserts exactly
 * those versions. Returns the ids to delete (found deleted in a run after their newest version).
 */
export async function applyStreamIncrements(
  stream: StreamDeclaration<StreamName>,
  manifests: IncrementManifest[],
  ctx: StreamApply,
): Promise<{ upserted: number; older: number; deleteKeys: RowKey[] }> {
  const keyOf = (record: unknown): string | undefined => recordKeyOf(record, stream.primaryKey);
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
        // A deletion file names records by `id`: only streams keyed by it are swept.
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
      const id = keyOf(value);
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
    const columns = keyColumns(stream);
    const keys = [...newest.keys()];
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      const [rows] = await ctx.control.query<RowDataPacket[]>(
        `SELECT ${columns.map(quoteId).join(', ')}, JSON_EXTRACT(raw, ?) AS _held FROM ${quoteId(main)} WHERE (${columns.map(quoteId).join(', ')}) IN (?)`,
        [`$.${field}`, keys.slice(i, i + LOOKUP_CHUNK).map((key) => splitKey(key, columns.length))],
      );
      for (const row of rows) {
        const held = Number(row._held);
        const key = rowKeyOf(row, columns).join(KEY_SEPARATOR);
        const candidate = newest.get(key);
        if (candidate?.updated !== undefined && Number.isFinite(held) && held > candidate.updated) {
          newest.delete(key);
          older++;
        }
      }
    }
  }
  // Deleted after its newest version: goes. A version from a run after the deletion stays (never
  // expected: Intercom does not reuse ids), and so does the row.
  const deleteKeys: RowKey[] = [];
  for (const [id, run] of deletions) {
    const candidate = newest.get(id);
    if (candidate && candidate.run > run) continue;
    newest.delete(id);
    deleteKeys.push([id]);
  }
  // Pass 2: upsert exactly the chosen versions.
  let upserted = 0;
  for (const [index, [, key, sha256]] of files.entries()) {
    let at = 0;
    for await (const { value, text } of readJsonArrayElements(await ctx.store.get(key), {
      key,
      expectedSha256: sha256,
    })) {
      const id = keyOf(value);
      const chosen = id === undefined ? undefined : newest.get(id);
      if (id === undefined || (chosen && chosen.file === index && chosen.at === at)) {
        upserted += await writeRecord(stream, value, text ?? JSON.stringify(value), ctx.writer);
      }
      at++;
    }
  }
  return { upserted, older, deleteKeys };
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
    await writer.addQuarantine(
      stream.name,
      recordKeyOf(record, stream.primaryKey) ?? null,
      raw,
      error.message,
    );
    return 0;
  }
}

/** Whether a run after `run` copied `day` of `stream` again (a backfill that replaced the day's files). */
function replacedLater(manifests: IncrementManifest[], run: number, stream: string, day: string): boolean {
  return manifests.slice(run + 1).some((m) => m.streams[stream]?.files.some((f) => f.day === day));
}

/**
 * A stream copied whole: upsert every record, then delete the rows whose key the copy lacks. Keys
 * are the stream's `primaryKey` (model and name for data attributes, whose standard ones have no
 * id), compared with the main table's key columns.
 */
async function replaceWhole(
  stream: StreamDeclaration<StreamName>,
  [, key, sha256]: FileRef,
  ctx: StreamApply,
): Promise<{ upserted: number; older: number; deleteKeys: RowKey[] }> {
  const keep = new Set<string>();
  let upserted = 0;
  for await (const { value, text } of readJsonArrayElements(await ctx.store.get(key), {
    key,
    expectedSha256: sha256,
  })) {
    const key = recordKeyOf(value, stream.primaryKey);
    if (key !== undefined) keep.add(key);
    upserted += await writeRecord(stream, value, text ?? JSON.stringify(value), ctx.writer);
  }
  const main = stream.tables[0];
  const columns = keyColumns(stream);
  const [rows] = await ctx.control.query<RowDataPacket[]>(
    `SELECT ${columns.map(quoteId).join(', ')} FROM ${quoteId(main)}`,
  );
  const deleteKeys = rows
    .map((row) => rowKeyOf(row, columns))
    .filter((key) => !keep.has(key.join(KEY_SEPARATOR)));
  return { upserted, older: 0, deleteKeys };
}

/**
 * Delete records `keys` of `stream` (values of its main table's key columns): their main rows and
 * the child rows they own (declared for streams keyed by one column only). Returns main rows deleted.
 */
export async function deleteRecords(
  control: PoolConnection,
  stream: StreamDeclaration<StreamName>,
  keys: RowKey[],
): Promise<number> {
  const main = stream.tables[0];
  const columns = keyColumns(stream);
  let deleted = 0;
  for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
    const chunk = keys.slice(i, i + LOOKUP_CHUNK);
    await control.query('START TRANSACTION');
    try {
      if (columns.length === 1) {
        for (const child of stream.replaceChildrenOf?.tables ?? []) {
          await control.query(
            `DELETE FROM ${quoteId(child)} WHERE ${quoteId(stream.replaceChildrenOf?.column ?? '')} IN (?)`,
            [chunk.map((key) => key[0])],
          );
        }
      }
      const [result] = await control.query(
        `DELETE FROM ${quoteId(main)} WHERE (${columns.map(quoteId).join(', ')}) IN (?)`,
        [chunk],
      );
      deleted += (result as { affectedRows?: number }).affectedRows ?? 0;
      await control.query('COMMIT');
    } catch (error) {
      await control.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  return deleted;
}

/**
 * The key columns of a stream's main table, one per field of its `primaryKey`, in its order.
 * @throws Error when the table's key and the stream's disagree in length (a declaration bug).
 */
function keyColumns(stream: StreamDeclaration<StreamName>): string[] {
  const columns = [...SHAPES[stream.tables[0]].primaryKey];
  const fields = typeof stream.primaryKey === 'string' ? [stream.primaryKey] : stream.primaryKey;
  if (columns.length !== fields.length) {
    throw new Error(
      `Stream ${stream.name} is keyed by ${fields.join(', ')} but its table ${stream.tables[0]} by ${columns.join(', ')}: declare the same key for both.`,
    );
  }
  return columns;
}

/** A row's key columns as strings, in order. */
function rowKeyOf(row: RowDataPacket, columns: readonly string[]): RowKey {
  return columns.map((column) => String(row[column]));
}

/** A key string of {@link recordKeyOf} back into `parts` values (the last part keeps any separator). */
function splitKey(key: string, parts: number): RowKey {
  if (parts === 1) return [key];
  const values = key.split(KEY_SEPARATOR);
  return [...values.slice(0, parts - 1), values.slice(parts - 1).join(KEY_SEPARATOR)];
}

function cursorOf(record: unknown, field: string): number | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const value = (record as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
