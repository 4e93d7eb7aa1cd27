/**
 * What a silver declaration says, as data: which lake stream it reads, the columns DuckDB reads
 * from its JSON (explicit, never guessed from a sample) and the typed tables it makes. The silver
 * job (lib/refine/jobs/silver.ts) loops over these; none of its code names a stream.
 */

/** A silver table made from a stream's current state. */
export interface SilverTableDeclaration {
  /** Table name: `silver/<name>/` in the lake, the Glue table's name. */
  name: string;
  /**
   * A DuckDB `SELECT` over the relation `records` (the stream's current state, one row per record,
   * with the declared columns). Timestamps come out as `TIMESTAMP` (UTC), ids as `VARCHAR`, nested
   * structures that no column serves as JSON text.
   */
  select: string;
  /**
   * A `TIMESTAMP` column of the select whose month (`YYYY-MM`) partitions the table into
   * `month=YYYY-MM/` folders (Athena prunes on them).
   */
  partitionByMonthOf?: string;
  /**
   * The table's columns and their types as the select gives them, where a Glue table is declared
   * over it (serverless.yml); tests check them against the Parquet files the select writes.
   */
  columns?: Readonly<Record<string, string>>;
}

/** One stream as the silver job reads it. */
export interface SilverSource {
  /** Lake stream name (`conversations`): `data/<file>`, `increments/<stream>/`. */
  stream: string;
  /** File under `data/` (`conversations.json`). */
  file: string;
  /**
   * True when an older lake may lack the file (streams added after the first extract): a missing
   * `data/<file>` then gives empty tables instead of an error.
   */
  optional: boolean;
  /** Columns that identify a record (`['id']`; data attributes have none but model and name). */
  primaryKey: readonly string[];
  /** Column that grows on every change (`updated_at`); without it, the latest file wins. */
  updatedAt?: string;
  /** `read_json` columns: every field the tables use, with its DuckDB type. Other fields are ignored. */
  columns: Readonly<Record<string, string>>;
  tables: readonly [SilverTableDeclaration, ...SilverTableDeclaration[]];
}

/** `declaration`, checked by the compiler. */
export function defineSilverSource(declaration: SilverSource): SilverSource {
  return declaration;
}

/**
 * A Unix-seconds column as a UTC `TIMESTAMP`, null kept null. `make_timestamp` of microseconds is
 * plain arithmetic; `to_timestamp(x)::TIMESTAMP` gave the same values in a UTC process but went
 * through ICU's time zone conversion (about 30 times slower, docs/BENCHMARKS.md) and would have
 * shifted every value by the process's `TimeZone` anywhere else.
 */
export function ts(column: string): string {
  return `make_timestamp(${column} * 1000000)`;
}

/** Struct fields of an Intercom reference (`{ "type": "admin", "id": "1" }`). */
export const REFERENCE = 'STRUCT(type VARCHAR, id VARCHAR)';
/** Struct fields of a message author. */
export const AUTHOR = 'STRUCT(type VARCHAR, id VARCHAR, name VARCHAR, email VARCHAR)';
