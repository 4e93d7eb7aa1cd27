import { rm } from 'node:fs/promises';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { ApiError } from '../api-error';
import type { Logger } from '../../logger';
import type { ImportType } from './column-types';
import { planImport, type ImportPlan } from './plan-import';
import {
  createTable,
  ensureSchema,
  existingColumns,
  insertRows,
  LoadDataUnusable,
  qualified,
  stagingName,
} from './write-import';

/** A checked import request: the CSV is already in `file`. */
export interface ImportRequest {
  schema: string;
  table: string;
  append: boolean;
  file: string;
}

/** The 201 body of `POST /imports`. */
export interface ImportResult {
  schema: string;
  table: string;
  rows: number;
  mode: 'append' | 'replace';
  columns: { name: string; type: ImportType }[];
}

async function tableExists(pool: Pool, schema: string, table: string): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  return rows.length > 0;
}

/**
 * Every row of `file` into `schema`.`table` in one transaction: by LOAD DATA LOCAL INFILE, and
 * when the server refuses it (local_infile off) or it warns, rolled back and written again by INSERT.
 */
async function writeRows(
  connection: PoolConnection,
  schema: string,
  table: string,
  plan: ImportPlan,
  tsvFile: string,
  log: Logger | undefined,
): Promise<number> {
  for (const method of ['load-data', 'insert'] as const) {
    await connection.beginTransaction();
    try {
      const rows = await insertRows(connection, schema, table, plan.columns, tsvFile, plan.rows, method);
      await connection.commit();
      return rows;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      if (method === 'load-data' && error instanceof LoadDataUnusable) {
        log?.warn({ schema, table, reason: error.message }, 'import falls back from LOAD DATA to INSERT');
        continue;
      }
      throw error;
    }
  }
  throw new Error('unreachable: the INSERT pass returns or throws');
}

/**
 * Import a CSV into `schema`.`table`, in phases: make sure the database exists; read the table's
 * columns when appending; check (and infer types over) the whole file before writing anything;
 * then write. Appending to an existing table inserts in one transaction. Otherwise the rows fill
 * a new table under a staging name, which one `RENAME TABLE` swaps in for the old one (readers see
 * the old table or the new one, never an empty one) before the old one is dropped.
 *
 * @throws ApiError 422 when a row does not fit (nothing is written).
 */
export async function runImport(pool: Pool, request: ImportRequest, log?: Logger): Promise<ImportResult> {
  const { schema, table, append, file } = request;
  await ensureSchema(pool, schema);
  const existing = append ? await existingColumns(pool, schema, table) : undefined;
  if (existing && existing.unsupported.length > 0) {
    throw new ApiError(
      422,
      `Table ${schema}.${table} has columns an import cannot fill; nothing was imported.`,
      {
        rowErrors: existing.unsupported.map((column) => ({
          row: null,
          column: column.split(' ')[0] as string,
          message: `column ${column} is of a type imports do not write; import into another table`,
        })),
      },
    );
  }
  const tsvFile = `${file}.tsv`;
  try {
    const plan = await planImport(file, existing?.columns, tsvFile);
    const rows = await writePlan(
      pool,
      { schema, table, plan, intoExisting: Boolean(existing), tsvFile },
      log,
    );
    return {
      schema,
      table,
      rows,
      mode: append ? 'append' : 'replace',
      columns: plan.columns.map(({ name, type }) => ({ name, type })),
    };
  } finally {
    await rm(tsvFile, { force: true });
  }
}

/** What the write phase needs: the checked plan and where its rows are. */
interface WriteTarget {
  schema: string;
  table: string;
  plan: ImportPlan;
  /** Append to the table as it is; otherwise fill a staging table and swap it in. */
  intoExisting: boolean;
  tsvFile: string;
}

/** The write phase: into the existing table (append), or a staging table swapped in atomically. */
async function writePlan(pool: Pool, target: WriteTarget, log: Logger | undefined): Promise<number> {
  const { schema, table, plan, tsvFile } = target;
  const connection = await pool.getConnection();
  try {
    if (target.intoExisting) return await writeRows(connection, schema, table, plan, tsvFile, log);
    const staging = stagingName('new');
    await createTable(connection, schema, staging, plan.columns);
    try {
      const rows = await writeRows(connection, schema, staging, plan, tsvFile, log);
      if (await tableExists(pool, schema, table)) {
        const old = stagingName('old');
        // One statement renames both: no moment without the table.
        await connection.query(
          `RENAME TABLE ${qualified(schema, table)} TO ${qualified(schema, old)}, ${qualified(schema, staging)} TO ${qualified(schema, table)}`,
        );
        await connection.query(`DROP TABLE ${qualified(schema, old)}`);
      } else {
        await connection.query(`RENAME TABLE ${qualified(schema, staging)} TO ${qualified(schema, table)}`);
      }
      return rows;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      await connection.query(`DROP TABLE IF EXISTS ${qualified(schema, staging)}`).catch(() => undefined);
      throw error;
    }
  } finally {
    connection.release();
  }
}
