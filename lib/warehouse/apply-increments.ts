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
import { recordIdOf } from '../records/record-id';
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
export async function deleteRecords(
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
