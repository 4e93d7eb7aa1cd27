import { ConfigError } from '../../errors';
import { ANOMALIES } from '../gold/anomalies';
import { ADMIN_METRICS, TEAM_METRICS } from '../gold/assignee-metrics';
import { CONVERSATION_METRICS } from '../gold/conversation-metrics';
import { goldJob } from '../gold/run-gold';
import { TOP_VOLUME } from '../gold/top-volume';
import { REPORT_JOB } from '../report/report-job';
import { SILVER_JOB } from './silver';
import type { GoldJob, RefineJob } from './types';

/** The gold jobs, as declarations (the Athena engine runs the same ones). */
export const GOLD_JOBS: readonly GoldJob[] = [
  CONVERSATION_METRICS,
  ADMIN_METRICS,
  TEAM_METRICS,
  TOP_VOLUME,
  ANOMALIES,
];

/** Every refine job, in the order a full refresh runs them (silver first, the report last). */
export const REFINE_JOBS: readonly RefineJob[] = [SILVER_JOB, ...GOLD_JOBS.map(goldJob), REPORT_JOB];

/**
 * The job called `name`.
 * @throws ConfigError naming the jobs there are.
 */
export function refineJobNamed(name: string, jobs: readonly RefineJob[] = REFINE_JOBS): RefineJob {
  const job = jobs.find((j) => j.name === name);
  if (!job) {
    throw new ConfigError([
      `"${name}" is not a refine job; the jobs are ${jobs.map((j) => j.name).join(', ')}. Usage: npm run refine -- <job> [--input URL] [--output URL]`,
    ]);
  }
  return job;
}
