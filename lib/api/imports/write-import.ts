import { randomBytes } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { ImportColumn, ImportType } from './column-types';
import { toSqlValue } from './column-types';
import { readCsv } from './read-csv';

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
}

const INTEGER_BITS: Record<string, number> = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, bigint: 64 };

/** An existing column as an import column, or undefined for a type imports cannot fill (JSON, BLOB, ...). */
function asImportColumn(row: ColumnRow): ImportColumn | undefined {
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
            NUMERIC_PRECISION AS \`precision\`, NUMERIC_SCALE AS scale, CHARACTER_MAXIMUM_LENGTH AS maxChars
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

/**
 * Second pass over the CSV: insert every row into `schema`.`table` in batches of multi-row
 * INSERTs with bound values, inside the caller's transaction. Returns the rows inserted.
 */
export async function insertRows(
  connection: PoolConnection,
  schema: string,
  table: string,
  columns: readonly ImportColumn[],
  file: string,
): Promise<number> {
  const head = `INSERT INTO ${qualified(schema, table)} (${columns.map((c) => `\`${c.name}\``).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  let values: unknown[] = [];
  let rows = 0;
  let batchRows = 0;
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batchRows === 0) return;
    await connection.query(head + Array(batchRows).fill(tuple).join(', '), values);
    values = [];
    batchRows = 0;
    batchBytes = 0;
  };
  let header = true;
  for await (const { cells } of readCsv(file)) {
    if (header) {
      header = false;
      continue;
    }
    for (let i = 0; i < columns.length; i++) {
      const cell = cells[i] as string;
      batchBytes += cell.length;
      values.push(toSqlValue(cell, columns[i] as ImportColumn));
    }
    batchRows += 1;
    rows += 1;
    if (batchRows >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return rows;
}
