import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { silverPrefix } from '../../lake/keys';
import { sqlIdentifier, sqlString, type Duck } from '../duckdb';
import { createCurrentState, currentStateKind, findCurrentStateFiles } from '../silver/current-state';
import { SILVER_SOURCES } from '../silver/registry';
import type { SilverSource, SilverTableDeclaration } from '../silver/types';
import type { JobResult, RefineContext, RefineJob } from './types';

/** The Parquet writer's options for every refine output. */
export const PARQUET_OPTIONS = 'FORMAT parquet, COMPRESSION zstd';

/**
 * Write `select` as Parquet under `folder`: `month=YYYY-MM/part-*.parquet` by the month of
 * `partitionByMonthOf`, or one `part-0.parquet`.
 * @returns rows written.
 */
export async function copyToParquet(
  duck: Duck,
  select: string,
  folder: string,
  partitionByMonthOf?: string,
): Promise<number> {
  await mkdir(folder, { recursive: true });
  const rows = partitionByMonthOf
    ? await duck.all(`COPY (SELECT *, strftime(${sqlIdentifier(partitionByMonthOf)}, '%Y-%m') AS month FROM (${select}))
        TO ${sqlString(folder)} (${PARQUET_OPTIONS}, PARTITION_BY (month), FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE)`)
    : await duck.all(
        `COPY (${select}) TO ${sqlString(path.join(folder, 'part-0.parquet'))} (${PARQUET_OPTIONS})`,
      );
  return Number(rows[0]?.Count ?? 0);
}

/**
 * Refine every declared stream into its silver tables: the current state of the stream (full copy
 * plus increments, see lib/refine/silver/current-state.ts), then each table's select written as
 * Parquet and published to `silver/<table>/` of the output lake, replacing what was there.
 */
export async function refineSilver(
  ctx: RefineContext,
  sources: readonly SilverSource[] = SILVER_SOURCES,
): Promise<JobResult> {
  const emptyArrayFile = path.join(ctx.workDir, 'empty.json');
  await writeFile(emptyArrayFile, '[]\n');
  const outputs: Record<string, number> = {};
  for (const source of sources) {
    const files = await findCurrentStateFiles(ctx.input, source);
    const records = await createCurrentState(ctx.duck, source, files, emptyArrayFile);
    await ctx.duck.run(`CREATE OR REPLACE TEMP VIEW records AS SELECT * FROM ${records}`);
    for (const table of source.tables) {
      outputs[silverPrefix(table.name)] = await writeSilverTable(ctx, table);
    }
    await ctx.duck.run(`DROP VIEW records`);
    await ctx.duck.run(`DROP ${currentStateKind(source)} ${records}`);
    ctx.log.info(
      {
        stream: source.stream,
        fullCopy: files.full !== undefined,
        incrementFiles: files.increments.length,
        deletionFiles: files.deleted.length,
      },
      'stream refined',
    );
  }
  return { outputs };
}

async function writeSilverTable(ctx: RefineContext, table: SilverTableDeclaration): Promise<number> {
  const folder = path.join(ctx.workDir, 'out', 'silver', table.name);
  const rows = await copyToParquet(ctx.duck, table.select, folder, table.partitionByMonthOf);
  await ctx.output.publishFolder(folder, silverPrefix(table.name));
  ctx.log.info({ table: table.name, rows }, 'silver table written');
  return rows;
}

/** `npm run refine -- silver`. */
export const SILVER_JOB: RefineJob = {
  name: 'silver',
  description:
    'every stream as typed Parquet under silver/<table>/, the current state (full copy + increments)',
  run: (ctx) => refineSilver(ctx),
};
