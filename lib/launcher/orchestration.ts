/**
 * Syncs run by the Step Functions state machine of serverless.yml (extract, then load, then the
 * refine jobs, retried, backfills as a Map over days): the requests the trigger accepts for it, the execution input it
 * sends, and the one rule it keeps: never two syncs at once.
 */
import {
  ListExecutionsCommand,
  StartExecutionCommand,
  type SFNClient,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { daysBetween, isDay } from '../days';
import { TaskAlreadyRunningError } from './launch-errors';

/** `{"task":"sync","mode":…}` or `{"task":"backfill","since":…,"until":…}`. */
export type OrchestratedRequest =
  { task: 'sync'; mode: 'incremental' | 'full' } | { task: 'backfill'; since: string; until: string };

/**
 * The refine jobs the state machine runs after the load, in an order that runs each after what it
 * reads: silver, the gold jobs (in parallel in AWS), the report. The names of lib/refine's jobs,
 * kept here so the trigger's bundle does not carry DuckDB; a unit test holds the two lists equal.
 */
export const SYNC_REFINE_JOBS = [
  'silver',
  'conversation-metrics',
  'admin-metrics',
  'team-metrics',
  'top-volume',
  'anomalies',
  'report',
] as const;

/** Longest backfill one execution takes (a Map state's items stay well inside the 256 KB input). */
export const MAX_BACKFILL_DAYS = 366;

/**
 * The request `value` makes, when it is one for the state machine: `task` `backfill`, or `sync`
 * with a `mode`. Undefined for any other input (the trigger's plain tasks).
 * @throws Error naming the problem when it is such a request but malformed.
 */
export function orchestratedRequestOf(value: unknown): OrchestratedRequest | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const extra = (allowed: string[]): string[] => Object.keys(v).filter((k) => !allowed.includes(k));
  if (v.task === 'sync' && 'mode' in v) {
    const unknown = extra(['task', 'mode']);
    if (unknown.length > 0) throw new Error(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')}`);
    if (v.mode !== 'incremental' && v.mode !== 'full') throw new Error('"mode" must be incremental or full');
    return { task: 'sync', mode: v.mode };
  }
  if (v.task === 'backfill') {
    const unknown = extra(['task', 'since', 'until']);
    if (unknown.length > 0) throw new Error(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')}`);
    for (const field of ['since', 'until'] as const) {
      if (typeof v[field] !== 'string' || !isDay(v[field])) {
        throw new Error(`"${field}" must be a day written YYYY-MM-DD (UTC)`);
      }
    }
    const since = v.since as string;
    const until = v.until as string;
    if (since > until) throw new Error(`"since" ${since} is after "until" ${until}`);
    if (daysBetween(since, until).length > MAX_BACKFILL_DAYS) {
      throw new Error(`a backfill runs at most ${MAX_BACKFILL_DAYS} days; split the range`);
    }
    return { task: 'backfill', since, until };
  }
  return undefined;
}

/**
 * The execution input the state machine reads: `mode` for a sync; for a backfill the `days` its
 * Map state runs one by one (then an incremental load).
 */
export function executionInput(request: OrchestratedRequest): Record<string, unknown> {
  return request.task === 'sync'
    ? { task: 'sync', mode: request.mode }
    : { task: 'backfill', mode: 'incremental', days: daysBetween(request.since, request.until) };
}

/** The exact StartExecution input for `request` at `now` (exported so a test can compare it whole). */
export function startExecutionInput(
  stateMachineArn: string,
  request: OrchestratedRequest,
  now: Date,
): StartExecutionCommandInput {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const what =
    request.task === 'sync' ? `sync-${request.mode}` : `backfill-${request.since}-${request.until}`;
  return { stateMachineArn, name: `${what}-${stamp}`, input: JSON.stringify(executionInput(request)) };
}

/**
 * Start an execution of the state machine for `request`, unless one is running: a second sync
 * would race the first on the lake's bookmarks and the warehouse.
 * @throws TaskAlreadyRunningError naming the running execution; what Step Functions throws.
 */
export async function startSyncExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  request: OrchestratedRequest,
  now: Date = new Date(),
): Promise<{ executionArn: string }> {
  const running = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }),
  );
  const arns = (running.executions ?? []).map((e) => e.executionArn ?? '').filter(Boolean);
  if (arns.length > 0) throw new TaskAlreadyRunningError('sync', arns);
  const started = await sfn.send(
    new StartExecutionCommand(startExecutionInput(stateMachineArn, request, now)),
  );
  return { executionArn: started.executionArn ?? '' };
}
