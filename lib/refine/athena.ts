import {
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { DataError, TransientError } from '../errors';
import { goldPrefix } from '../lake/keys';
import type { LakeStore } from '../lake/store';
import type { Logger } from '../logger';
import { ATHENA } from './dialect';
import { sqlString } from './duckdb';
import type { GoldJob, JobResult, RefineOptions } from './jobs/types';

/** How often a running query is asked about. */
export const ATHENA_POLL_MS = 2000;

/** Where the gold queries run on Athena. */
export interface AthenaTarget {
  client: AthenaClient;
  /** Workgroup with its result location and bytes-scanned cutoff (serverless.yml). */
  workgroup: string;
  /** Glue database holding the silver tables. */
  database: string;
  /** The lake, to clear `gold/<job>/` before UNLOAD (which refuses a non-empty location). */
  lake: LakeStore;
  /** `s3://bucket/prefix` of that lake. */
  lakeUrl: string;
  log: Logger;
  /** Wait between polls (tests pass 0). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The UNLOAD statement that writes `select` as ZSTD Parquet under `location`. */
export function unloadStatement(select: string, location: string): string {
  return `UNLOAD (${select}) TO ${sqlString(location)} WITH (format = 'PARQUET', compression = 'ZSTD')`;
}

/**
 * Run a gold job on Athena: the same queries as on DuckDB in Athena's dialect (lib/refine/dialect.ts),
 * each unloaded to `gold/<job>/<table>/` of the lake, which is emptied first.
 * @throws DataError when a query fails (its reason included); TransientError when it was cancelled.
 */
export async function runGoldJobOnAthena(
  job: GoldJob,
  options: RefineOptions,
  target: AthenaTarget,
): Promise<JobResult> {
  const prefix = goldPrefix(job.name);
  for (const key of await target.lake.list(prefix)) await target.lake.delete(key);
  const outputs: Record<string, number> = {};
  for (const table of job.tables) {
    const location = `${target.lakeUrl.replace(/\/+$/, '')}/${prefix}${table.name}/`;
    const id = await startQuery(target, unloadStatement(table.sql(ATHENA, options), location));
    await waitForQuery(target, id, `${job.name}/${table.name}`);
    // UNLOAD reports no row count; the key is listed with -1 rows.
    outputs[`${prefix}${table.name}/`] = -1;
    target.log.info({ job: job.name, table: table.name, queryExecutionId: id }, 'gold table unloaded');
  }
  return { outputs };
}

async function startQuery(target: AthenaTarget, sql: string): Promise<string> {
  const started = await target.client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: target.workgroup,
      QueryExecutionContext: { Database: target.database },
    }),
  );
  if (!started.QueryExecutionId)
    throw new TransientError('Athena started no query execution; run the job again.');
  return started.QueryExecutionId;
}

async function waitForQuery(target: AthenaTarget, id: string, what: string): Promise<void> {
  const sleep = target.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const { QueryExecution } = await target.client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state: QueryExecutionState | undefined = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') return;
    const reason = QueryExecution?.Status?.StateChangeReason ?? 'no reason given';
    if (state === 'FAILED') {
      throw new DataError(`Athena query ${id} for ${what} failed: ${reason}. See docs/ATHENA.md.`, {
        location: what,
      });
    }
    if (state === 'CANCELLED') {
      throw new TransientError(
        `Athena query ${id} for ${what} was cancelled (${reason}); run the job again.`,
      );
    }
    await sleep(target.pollMs ?? ATHENA_POLL_MS);
  }
}
