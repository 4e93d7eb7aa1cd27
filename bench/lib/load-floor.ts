import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { LakeStore } from '../../lib/lake/store';
import { readLoadManifest, readStream } from '../../lib/warehouse/lake-input';
import { mapConversation } from '../../lib/records/map-conversation';
import { mapUser } from '../../lib/records/map-user';
import { quoteId, type SqlValue } from '../../lib/warehouse/rows';
import { SHAPES } from '../../lib/warehouse/tables';
import { loadDataSql, tsvLine } from '../../lib/warehouse/tsv';

/** The four data tables the comparison covers (the quarantine stays empty on sandbox data). */
export const DATA_TABLES = ['users', 'conversation', 'conversation_part', 'conversation_contact'] as const;
export type DataTable = (typeof DATA_TABLES)[number];

/** TSV files of every table's rows, and the first rows kept for the one-row-at-a-time inserts. */
export interface PreparedRows {
  files: Record<DataTable, string>;
  rows: Record<DataTable, number>;
  sample: Record<DataTable, SqlValue[][]>;
}

async function writeLine(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

/**
 * Map the lake's records with the load's own mappers and write each table's rows as a file in
 * `folder`, in the load's own LOAD DATA format (lib/warehouse/tsv.ts), so LOAD DATA reads the very
 * bytes the load sends (not timed: this is the input LOAD DATA needs); keep the first `sampleSize` rows.
 */
export async function prepareRows(
  store: LakeStore,
  folder: string,
  sampleSize: number,
): Promise<PreparedRows> {
  const manifest = await readLoadManifest(store);
  const files = Object.fromEntries(DATA_TABLES.map((t) => [t, path.join(folder, `${t}.tsv`)])) as Record<
    DataTable,
    string
  >;
  const outs = Object.fromEntries(DATA_TABLES.map((t) => [t, createWriteStream(files[t])])) as Record<
    DataTable,
    WriteStream
  >;
  const rows = { users: 0, conversation: 0, conversation_part: 0, conversation_contact: 0 };
  const sample = {
    users: [],
    conversation: [],
    conversation_part: [],
    conversation_contact: [],
  } as PreparedRows['sample'];
  const put = async (table: DataTable, row: Record<string, SqlValue>): Promise<void> => {
    rows[table]++;
    if (sample[table].length < sampleSize)
      sample[table].push(SHAPES[table].keys.map((k) => row[k] as SqlValue));
    await writeLine(outs[table], tsvLine(SHAPES[table], row));
  };
  // `raw` as the load takes it: the lake's own line, stringified again only when the reader has none.
  for await (const { value: record, text } of readStream(store, 'users', manifest)) {
    await put('users', mapUser(record, text ?? JSON.stringify(record)));
  }
  for await (const { value: record, text } of readStream(store, 'conversations', manifest)) {
    const mapped = mapConversation(record, text ?? JSON.stringify(record));
    await put('conversation', mapped.conversation);
    for (const part of mapped.parts) await put('conversation_part', part);
    for (const link of mapped.contacts) await put('conversation_contact', link);
  }
  await Promise.all(
    DATA_TABLES.map(async (t) => {
      outs[t].end();
      await once(outs[t], 'finish');
    }),
  );
  return { files, rows, sample };
}

/**
 * `measure` each data table on one connection, its session strict and in UTC, each time into an empty
 * copy of the live table (`<table>__bench`, created for the measurement and dropped after it).
 */
async function measureEachTable(
  databaseUrl: string,
  measure: (connection: mysql.Connection, table: DataTable, copy: string) => Promise<number>,
): Promise<Record<DataTable, number>> {
  const connection = await mysql.createConnection({ uri: databaseUrl, charset: 'utf8mb4' });
  const figures = {} as Record<DataTable, number>;
  try {
    await connection.query(
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'",
    );
    for (const table of DATA_TABLES) {
      const copy = `${table}__bench`;
      await connection.query(`DROP TABLE IF EXISTS ${quoteId(copy)}`);
      await connection.query(`CREATE TABLE ${quoteId(copy)} LIKE ${quoteId(table)}`);
      figures[table] = await measure(connection, table, copy);
      await connection.query(`DROP TABLE ${quoteId(copy)}`);
    }
  } finally {
    await connection.end();
  }
  return figures;
}

/** Seconds `LOAD DATA LOCAL INFILE` takes for each table's TSV file, into an empty table. */
export function timeLoadData(
  databaseUrl: string,
  prepared: PreparedRows,
): Promise<Record<DataTable, number>> {
  return measureEachTable(databaseUrl, async (connection, table, copy) => {
    const started = performance.now();
    await connection.query({
      sql: loadDataSql(copy, SHAPES[table]),
      // The statement names a placeholder file (the load sends its batches from memory): send this one.
      infileStreamFactory: () => createReadStream(prepared.files[table]),
    });
    return (performance.now() - started) / 1000;
  });
}

/** Rows per second of one parameterised INSERT per row (autocommit), timed on each table's sample. */
export function timeRowInserts(
  databaseUrl: string,
  prepared: PreparedRows,
): Promise<Record<DataTable, number>> {
  return measureEachTable(databaseUrl, async (connection, table, copy) => {
    const sql = `INSERT INTO ${quoteId(copy)} (${SHAPES[table].columns.map(quoteId).join(',')}) VALUES (?)`;
    const started = performance.now();
    for (const values of prepared.sample[table]) await connection.query(sql, [values]);
    return prepared.sample[table].length / ((performance.now() - started) / 1000);
  });
}
