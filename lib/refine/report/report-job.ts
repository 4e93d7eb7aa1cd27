import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dataManifestKey, goldReportKey } from '../../lake/keys';
import { readManifest } from '../../lake/manifest';
import { DUCKDB } from '../dialect';
import type { DuckRow } from '../duckdb';
import { ANOMALIES } from '../gold/anomalies';
import { TEAM_METRICS } from '../gold/assignee-metrics';
import { viewSilverTables } from '../gold/run-gold';
import { TOP_VOLUME } from '../gold/top-volume';
import type { GoldJob, GoldTable, JobResult, RefineContext, RefineJob } from '../jobs/types';
import { renderReport, type ReportData } from './render';

/** The gold queries the page shows, run here on silver so the report depends on no other job's run. */
const SHOWN: readonly GoldJob[] = [ANOMALIES, TEAM_METRICS, TOP_VOLUME];

function table(job: GoldJob, name: string): GoldTable {
  const found = job.tables.find((t) => t.name === name);
  if (!found) throw new Error(`gold job ${job.name} has no table ${name}`);
  return found;
}

/** When `data/` was last filled by a finished extract, or undefined for a lake without a manifest. */
async function dataFinishedAt(ctx: RefineContext): Promise<string | undefined> {
  if (!(await ctx.input.store.exists(dataManifestKey()))) return undefined;
  return (await readManifest(ctx.input.store, dataManifestKey())).finishedAt;
}

/** Gather what the page shows: daily volume and anomalies per team, team response times, top companies and tags. */
export async function gatherReportData(ctx: RefineContext): Promise<ReportData> {
  await viewSilverTables(ctx, [...new Set(SHOWN.flatMap((job) => job.reads))]);
  const query = (t: GoldTable): Promise<DuckRow[]> => ctx.duck.all(t.sql(DUCKDB, ctx.options));
  // One connection runs one query at a time.
  const daily = await query(table(ANOMALIES, 'team_daily'));
  const anomalies = await query(table(ANOMALIES, 'anomalies'));
  const teams = await query(table(TEAM_METRICS, 'team_metrics'));
  const top = await query(table(TOP_VOLUME, 'top_volume'));
  return {
    generatedAt: ctx.options.now.toISOString(),
    dataFinishedAt: await dataFinishedAt(ctx),
    window: { since: ctx.options.since, until: ctx.options.until },
    daily: daily.map((r) => ({
      teamId: String(r.team_id),
      teamName: r.team_name === null ? null : String(r.team_name),
      day: String(r.day),
      conversations: Number(r.conversations),
      medianFirstResponseMinutes:
        r.median_time_to_first_response_minutes === null
          ? null
          : Number(r.median_time_to_first_response_minutes),
    })),
    anomalies: anomalies.map((r) => ({
      teamId: String(r.team_id),
      day: String(r.day),
      metric: String(r.metric),
      value: Number(r.value),
      median: Number(r.median),
      mad: Number(r.mad),
      score: Number(r.score),
    })),
    teams: teams.map((r) => ({
      teamId: String(r.team_id),
      name: r.name === null ? null : String(r.name),
      medianFirstResponseMinutes:
        r.median_time_to_first_response_minutes === null
          ? null
          : Number(r.median_time_to_first_response_minutes),
      conversations: Number(r.conversations),
    })),
    top: top.map((r) => ({
      kind: String(r.kind),
      id: String(r.id),
      name: r.name === null ? null : String(r.name),
      conversations: Number(r.conversations),
    })),
  };
}

/** `npm run refine -- report`: `gold/report.html`, one self-contained page with the charts. */
export const REPORT_JOB: RefineJob = {
  name: 'report',
  description:
    'gold/report.html: daily volume per team with anomalies, response times, top companies and tags, freshness',
  async run(ctx): Promise<JobResult> {
    const data = await gatherReportData(ctx);
    const file = path.join(ctx.workDir, 'out', 'report.html');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, renderReport(data));
    await ctx.output.publishFile(file, goldReportKey());
    ctx.log.info(
      { key: goldReportKey(), days: new Set(data.daily.map((d) => d.day)).size },
      'report written',
    );
    return { outputs: { [goldReportKey()]: 1 } };
  },
};
