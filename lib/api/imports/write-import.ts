import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { serverErrorOf } from '../../warehouse/connection';
import { ESCAPE, parseTsvLine, tsvField } from '../../warehouse/tsv';
import type { ImportColumn, ImportType } from './column-types';
import { toSqlValue } from './column-types';

/** Rows per INSERT, and the cell bytes after which a batch is sent early (well under max_allowed_packet). */
const BATCH_ROWS = 1_000;
const BATCH_BYTES = 1024 * 1024;

/** `` `schema`.`table` `` for names already checked against the name pattern. */
export function qualified(schema: string, table: string): string {
  return `\`${schema}\`.\`${table}\``;
}

/** Create the import database when missing (utf8mb4, so emoji fit). */
export async function ensureSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(
    `CREATE DATABASE IF NOT EXISTS \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
}

interface ColumnRow extends RowDataPacket {
  name: string;
  dataType: string;
  columnType: string;
  precision: number | string | null;
  scale: number | string | null;
  maxChars: number | string | null;
  nullable: string;
}

const INTEGER_BITS: Record<string, number> = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, bigint: 64 };

/** An existing column as an import column, or undefined for a type imports cannot fill (JSON, BLOB, ...). */
function asImportColumn(row: ColumnRow): ImportColumn | undefined {
  const column = asTypedColumn(row);
  if (column && row.nullable === 'NO') column.limits = { ...column.limits, notNull: true };
  return column;
}

function asTypedColumn(row: ColumnRow): ImportColumn | undefined {
  const { name, dataType, columnType } = row;
  const sqlType = columnType.toUpperCase();
  const known = (type: ImportType, limits?: ImportColumn['limits']): ImportColumn => ({
    name,
    type,
    sqlType,
    limits,
  });
  if (dataType === 'tinyint' && /^tinyint\(1\)/.test(columnType)) return known('boolean');
  const bits = INTEGER_BITS[dataType];
  if (bits !== undefined) {
    const unsigned = columnType.includes('unsigned');
    const min = unsigned ? 0n : -(2n ** BigInt(bits - 1));
    const max = unsigned ? 2n ** BigInt(bits) - 1n : 2n ** BigInt(bits - 1) - 1n;
    return known('integer', { min, max });
  }
  if (dataType === 'decimal') {
    const precision = Number(row.precision);
    const scale = Number(row.scale);
    return known('decimal', { integerDigits: precision - scale, scale });
  }
  if (dataType === 'date') return known('date');
  if (dataType === 'datetime' || dataType === 'timestamp') return known('datetime');
  if (/char|text/.test(dataType)) return known('text', { maxChars: Number(row.maxChars) });
  return undefined;
}

/**
 * The columns of `schema`.`table` when it exists, undefined when it does not; a column of a type
 * imports cannot fill is listed in `unsupported`.
 */
export async function existingColumns(
  pool: Pool,
  schema: string,
  table: string,
): Promise<{ columns: ImportColumn[]; unsupported: string[] } | undefined> {
  const [rows] = await pool.query<ColumnRow[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
            NUMERIC_PRECISION AS \`precision\`, NUMERIC_SCALE AS scale, CHARACTER_MAXIMUM_LENGTH AS maxChars,
            IS_NULLABLE AS nullable
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  if (rows.length === 0) return undefined;
  const columns: ImportColumn[] = [];
  const unsupported: string[] = [];
  for (const row of rows) {
    const column = asImportColumn(row);
    if (column) columns.push(column);
    else unsupported.push(`${row.name} (${row.columnType})`);
  }
  return { columns, unsupported };
}

/** A name for the table a replace fills before swapping it in; random, so two imports never share one. */
export function stagingName(kind: 'new' | 'old'): string {
  return `_import_${kind}_${randomBytes(6).toString('hex')}`;
}

/** CREATE TABLE for the inferred columns (utf8mb4, InnoDB so the rows go in one transaction). */
export async function createTable(
  connection: PoolConnection,
  schema: string,
  table: string,
  columns: readonly ImportColumn[],
): Promise<void> {
  const definitions = columns.map((c) => `\`${c.name}\` ${c.sqlType} NULL`).join(', ');
  await connection.query(
    `CREATE TABLE ${qualified(schema, table)} (${definitions}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  );
}

/** How the rows go in: `LOAD DATA LOCAL INFILE` (fast), or multi-row INSERTs where the server refuses it. */
export type WriteMethod = 'load-data' | 'insert';

/**
 * The server refused `LOAD DATA LOCAL` (local_infile off), or it took a batch with warnings (LOCAL
 * turns a bad value into a warning instead of an error): the caller rolls back and writes by INSERT.
 */
export class LoadDataUnusable extends Error {}

/**
 * ER_NOT_ALLOWED_COMMAND (MySQL 5.7, older MariaDB), MySQL 8's ER_CLIENT_LOCAL_FILES_DISABLED and
 * MariaDB 10.5+'s ER_LOAD_INFILE_CAPABILITY_DISABLED: the statement itself is refused.
 */
const LOAD_DATA_REFUSED = new Set([1148, 3948, 4166]);

/** Bytes of TSV per LOAD DATA statement. */
const LOAD_DATA_BATCH_BYTES = 4 * 1024 * 1024;

/** LOAD DATA's NULL in the TSV format. */
const NULL_FIELD = tsvField(null);

async function loadData(
  connection: PoolConnection,
  target: string,
  columns: readonly ImportColumn[],
  body: () => Readable,
  rows: number,
): Promise<void> {
  let result: ResultSetHeader;
  try {
    [result] = await connection.query<ResultSetHeader>({
      sql:
        `LOAD DATA LOCAL INFILE 'import.tsv' INTO TABLE ${target} CHARACTER SET utf8mb4 ` +
        `FIELDS TERMINATED BY '\\t' ESCAPED BY '${ESCAPE}' LINES TERMINATED BY '\\n' ` +
        `(${columns.map((c) => `\`${c.name}\``).join(', ')})`,
      // Whatever file the server names, it gets these rows and nothing else.
      infileStreamFactory: body,
    });
  } catch (error) {
    if (LOAD_DATA_REFUSED.has(serverErrorOf(error)?.errno ?? -1)) {
      throw new LoadDataUnusable('the server refuses LOAD DATA LOCAL INFILE', { cause: error });
    }
    throw error;
  }
  if (result.warningStatus > 0 || result.affectedRows !== rows) {
    throw new LoadDataUnusable(
      `LOAD DATA took ${result.affectedRows} of ${rows} rows with ${result.warningStatus} warnings`,
    );
  }
}

/** The lines of a TSV file, split on LF only: a CR inside a value is data, not a line break. */
async function* tsvLines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop() as string;
    yield* parts;
  }
  if (rest) yield rest;
}

/**
 * Second pass: write the rows `planImport` saved as TSV (lib/warehouse/tsv.ts's format, cells as
 * given) into `schema`.`table`, inside the caller's transaction. By LOAD DATA LOCAL INFILE: the
 * file itself in one statement when no column needs converting, else batches with booleans and
 * datetimes converted; or by multi-row INSERTs with bound values. Returns the rows written.
 *
 * @throws LoadDataUnusable (method `load-data`) when LOAD DATA is refused or warns: roll back and
 *   call again with `insert`.
 */
export async function insertRows(
  connection: PoolConnection,
  schema: string,
  table: string,
  columns: readonly ImportColumn[],
  tsvFile: string,
  expectedRows: number,
  method: WriteMethod = 'insert',
): Promise<number> {
  const target = qualified(schema, table);
  const convert = columns.map((c) => c.type === 'boolean' || c.type === 'datetime');
  if (method === 'load-data' && !convert.some(Boolean)) {
    await loadData(connection, target, columns, () => createReadStream(tsvFile), expectedRows);
    return expectedRows;
  }
  const head = `INSERT INTO ${target} (${columns.map((c) => `\`${c.name}\``).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  let values: unknown[] = [];
  let lines: string[] = [];
  let rows = 0;
  let batchRows = 0;
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batchRows === 0) return;
    if (method === 'load-data') {
      const bytes = Buffer.from(lines.join(''));
      await loadData(connection, target, columns, () => Readable.from([bytes]), batchRows);
    } else {
      await connection.query(head + Array(batchRows).fill(tuple).join(', '), values);
    }
    values = [];
    lines = [];
    batchRows = 0;
    batchBytes = 0;
  };
  for await (const line of tsvLines(tsvFile)) {
    batchBytes += line.length;
    if (method === 'load-data') {
      const fields = line.split('\t');
      for (let i = 0; i < columns.length; i++) {
        const field = fields[i] as string;
        // Booleans and datetimes never hold an escape: convert them as they stand.
        if (convert[i] && field !== NULL_FIELD)
          fields[i] = String(toSqlValue(field, columns[i] as ImportColumn));
      }
      lines.push(fields.join('\t') + '\n');
    } else {
      const fields = parseTsvLine(line);
      for (let i = 0; i < columns.length; i++) {
        const field = fields[i] ?? null;
        values.push(field !== null && convert[i] ? toSqlValue(field, columns[i] as ImportColumn) : field);
      }
    }
    batchRows += 1;
    rows += 1;
    const full =
      method === 'load-data'
        ? batchBytes >= LOAD_DATA_BATCH_BYTES
        : batchRows >= BATCH_ROWS || batchBytes >= BATCH_BYTES;
    if (full) await flush();
  }
  await flush();
  return rows;
}
