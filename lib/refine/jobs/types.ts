import type { Logger } from '../../logger';
import type { Duck } from '../duckdb';
import type { LakeFiles } from '../lake-files';
import type { Dialect } from '../dialect';

/** What a job is given: its lakes, a DuckDB, a private work folder and the CLI's options. */
export interface RefineContext {
  /** Where the job reads (`--input`, default `LAKE_URL`). */
  input: LakeFiles;
  /** Where the job writes (`--output`, default `LAKE_URL`). */
  output: LakeFiles;
  duck: Duck;
  /** An empty folder of the job's own, removed after the run. */
  workDir: string;
  log: Logger;
  options: RefineOptions;
}

/** Options of `npm run refine`. */
export interface RefineOptions {
  /** First day (UTC, `YYYY-MM-DD`) of the window of top-volume and anomalies; undefined = from the first conversation. */
  since?: string;
  /** Last day (UTC, inclusive); undefined = to the last conversation. */
  until?: string;
  /** The run's time, written into the report (tests pass a fixed one). */
  now: Date;
}

/** What a job wrote: rows per output table (or file) key. */
export interface JobResult {
  outputs: Record<string, number>;
}

/** One refine job, declared once; `npm run refine -- <name>` runs it alone. */
export interface RefineJob {
  name: string;
  /** One line for `npm run refine -- --help` and docs. */
  description: string;
  run(ctx: RefineContext): Promise<JobResult>;
}

/** A gold table: one SQL query, written as the same text for DuckDB and Athena through `dialect`. */
export interface GoldTable {
  /** Table name: `gold/<job>/<name>/` in the lake, the Glue table's name. */
  name: string;
  sql(dialect: Dialect, options: RefineOptions): string;
}

/** A gold job: the silver tables it reads and the tables it writes, each a query. */
export interface GoldJob {
  name: string;
  description: string;
  /** Silver tables read; each is a view of that name while the queries run. */
  reads: readonly string[];
  tables: readonly [GoldTable, ...GoldTable[]];
}
