import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { LakeStore } from '../../lib/lake/store';
import { readLoadManifest, readStream } from '../../lib/warehouse/lake-input';
import { CONVERSATIONS } from '../../lib/streams/conversations';
import { USERS } from '../../lib/streams/users';
import { quoteId, type SqlValue } from '../../lib/warehouse/rows';
import { SHAPES } from '../../lib/warehouse/tables';
import { loadDataSql, tsvLine } from '../../lib/warehouse/tsv';

/** The streams the comparison covers: contacts, and conversations with their parts. */
export const BENCH_STREAMS = [USERS, CONVERSATIONS] as const;
/**
 * The data tables the comparison covers: every table of those streams (the users pass also fills
 * contact_tag, the conversations pass conversation_part, conversation_contact and
 * conversation_tag); the quarantine stays empty on sandbox data.
 */
export const DATA_TABLES = BENCH_STREAMS.flatMap((stream) => stream.tables);
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
  const rows = Object.fromEntries(DATA_TABLES.map((t) => [t, 0])) as Record<DataTable, number>;
  const sample = Object.fromEntries(DATA_TABLES.map((t) => [t, []])) as unknown as PreparedRows['sample'];
  const put = async (table: DataTable, row: Record<string, SqlValue>): Promise<void> => {
    rows[table]++;
    if (sample[table].length < sampleSize)
      sample[table].push(SHAPES[table].keys.map((k) => row[k] as SqlValue));
    await writeLine(outs[table], tsvLine(SHAPES[table], row));
  };
  // `raw` as the load takes it: the lake's own line, stringified again only when the reader has none;
  // the rows as the load maps them, with the stream's declaration.
  for (const stream of BENCH_STREAMS) {
    for await (const { value: record, text } of readStream(store, stream.name, manifest)) {
      const mapped = stream.map(record, text ?? JSON.stringify(record));
      for (const table of stream.tables) {
        for (const row of mapped[table] ?? []) await put(table, row);
      }
    }
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
    // A table the sandbox left empty has no rate to give.
    if (prepared.sample[table].length === 0) return 0;
    return prepared.sample[table].length / ((performance.now() - started) / 1000);
  });
}
