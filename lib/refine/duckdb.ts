import { mkdir } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A JSON-safe value DuckDB returns (BIGINT and DECIMAL as strings, timestamps as ISO-like text). */
export type DuckValue = string | number | boolean | null | DuckValue[] | { [key: string]: DuckValue };

/** A row of a query, column name to value. */
export type DuckRow = Record<string, DuckValue>;

/** How the refine's DuckDB is bounded; see docs/BENCHMARKS.md for the measurements behind the defaults. */
export interface DuckSettings {
  /** `memory_limit`, e.g. `1GB`. DuckDB treats it as soft: peak RSS is about this plus 100–170 MB. */
  memoryLimit: string;
  /** Where DuckDB spills when the limit is reached (Fargate ephemeral storage). */
  tempDirectory: string;
  /** Worker threads; the task's vCPUs. */
  threads: number;
}

/** One DuckDB database in memory with its connection. */
export interface Duck {
  /** Run statements that return nothing worth reading. */
  run(sql: string): Promise<void>;
  /** Run a query and read every row as JSON-safe values. */
  all(sql: string): Promise<DuckRow[]>;
  close(): void;
}

/**
 * An in-memory DuckDB with `settings` applied. No extension is loaded: `httpfs` is not built in
 * and cannot be downloaded at run time, so S3 objects are staged on local disk (lib/refine/lake-files.ts).
 */
export async function openDuck(settings: DuckSettings): Promise<Duck> {
  await mkdir(settings.tempDirectory, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: settings.memoryLimit,
    temp_directory: settings.tempDirectory,
    threads: String(settings.threads),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    preserve_insertion_order: 'false',
  });
  const connection: DuckDBConnection = await instance.connect();
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async all(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as DuckRow[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** `text` as a SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `paths` as a SQL list of string literals. */
export function sqlStringList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

/** `name` as a quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
