import path from 'node:path';
import { DataError } from '../../errors';
import { goldPrefix, silverPrefix } from '../../lake/keys';
import { DUCKDB } from '../dialect';
import { sqlIdentifier, sqlStringList } from '../duckdb';
import { copyToParquet } from '../jobs/silver';
import type { GoldJob, JobResult, RefineContext, RefineJob } from '../jobs/types';

/**
 * Make each silver table `job` reads a view of that name over its Parquet files in the input lake.
 * @throws DataError when a table has no files: the silver job has not run on that lake.
 */
export async function viewSilverTables(ctx: RefineContext, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const prefix = silverPrefix(table);
    const files = await ctx.input.localFiles(prefix, (key) => key.endsWith('.parquet'));
    if (files.length === 0) {
      throw new DataError(
        `The lake ${ctx.input.url} has no Parquet files under "${prefix}". Run \`npm run refine -- silver\` on it first.`,
        { location: prefix },
      );
    }
    await ctx.duck.run(
      `CREATE OR REPLACE TEMP VIEW ${sqlIdentifier(table)} AS SELECT * FROM read_parquet(${sqlStringList(files)}, hive_partitioning = false)`,
    );
  }
}

/**
 * Run a gold job on DuckDB: its silver inputs as views, each table's query written as Parquet to
 * `gold/<job>/<table>/part-0.parquet`, and `gold/<job>/` of the output lake replaced with them.
 */
export async function runGoldJob(job: GoldJob, ctx: RefineContext): Promise<JobResult> {
  await viewSilverTables(ctx, job.reads);
  const folder = path.join(ctx.workDir, 'out', 'gold', job.name);
  const outputs: Record<string, number> = {};
  for (const table of job.tables) {
    const rows = await copyToParquet(ctx.duck, table.sql(DUCKDB, ctx.options), path.join(folder, table.name));
    outputs[`${goldPrefix(job.name)}${table.name}/`] = rows;
    ctx.log.info({ job: job.name, table: table.name, rows }, 'gold table written');
  }
  await ctx.output.publishFolder(folder, goldPrefix(job.name));
  return { outputs };
}

/** A gold declaration as a runnable job. */
export function goldJob(job: GoldJob): RefineJob {
  return { name: job.name, description: job.description, run: (ctx) => runGoldJob(job, ctx) };
}
