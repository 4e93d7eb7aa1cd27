import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { ConfigError } from '../lib/errors';
import type { LauncherConfig } from '../lib/config';
import type { EcsLauncherConfig } from '../lib/launcher/ecs-config';
import { startEcsTask } from '../lib/launcher/ecs-launcher';
import { LaunchRefusedError, TaskAlreadyRunningError } from '../lib/launcher/launch-errors';
import {
  LOCAL_COMMANDS,
  runLocalTask,
  type LocalCommands,
  type LocalRunOptions,
} from '../lib/launcher/local-launcher';
import {
  orchestratedRequestOf,
  startSyncExecution,
  type OrchestratedRequest,
  SYNC_REFINE_JOBS,
} from '../lib/launcher/orchestration';
import { TASK_NAMES, type LocalStep, type TaskName } from '../lib/launcher/task-name';
import type { Logger } from '../lib/logger';
import { captureError } from '../lib/monitoring/sentry';

/** The task was started on Fargate. */
export interface EcsTriggerSuccess {
  statusCode: 200;
  task: TaskName;
  launcher: 'ecs';
  taskArns: string[];
}

/** The task ran on this machine and exited 0. */
export interface LocalTriggerSuccess {
  statusCode: 200;
  task: TaskName;
  launcher: 'local';
  command: string;
  exitCode: 0;
  logTail: string[];
}

/** A sync or backfill execution of the state machine was started. */
export interface ExecutionTriggerSuccess {
  statusCode: 200;
  task: OrchestratedRequest['task'];
  launcher: 'step-functions';
  executionArn: string;
}

/**
 * Every failure has this one shape. 400: the input is wrong; 409: the task still runs;
 * 500: the trigger's configuration is wrong, or a local run exited non-zero; 502: ECS refused.
 */
export interface TriggerFailure {
  statusCode: 400 | 409 | 500 | 502;
  error: string;
  task?: TaskName;
  /** Local runs only: the child's exit code and last output lines. */
  exitCode?: number;
  logTail?: string[];
}

/** What the trigger returns; never throws. */
export type TriggerResponse =
  EcsTriggerSuccess | LocalTriggerSuccess | ExecutionTriggerSuccess | TriggerFailure;

/** Where the trigger starts tasks: ECS RunTask, or child processes on this machine. */
export type TriggerLauncher =
  | {
      kind: 'ecs';
      ecs: ECSClient;
      config: EcsLauncherConfig;
      /** The state machine that runs syncs and backfills (`{"task":"sync","mode":…}`, `{"task":"backfill",…}`). */
      sfn?: SFNClient;
    }
  | { kind: 'local'; options?: LocalRunOptions };

/** The one accepted input: `{"task": "extract" | "load" | "sync"}`, nothing else. */
export const triggerInputSchema = z.strictObject({ task: z.enum(TASK_NAMES) });

const EXPECTED =
  'Send {"task": "extract"}, {"task": "load"} or {"task": "sync"}; {"task": "sync", "mode": "incremental" | "full"} or {"task": "backfill", "since": "YYYY-MM-DD", "until": "YYYY-MM-DD"} for the state machine.';

/** The input is not `{"task": ...}`. */
export class InvalidTriggerInputError extends Error {
  constructor(problem: string) {
    super(`Invalid trigger input: ${problem}. ${EXPECTED}`);
    this.name = 'InvalidTriggerInputError';
  }
}

/**
 * The task named by `event`: a plain object, a JSON string, or an HTTP-style event whose
 * `body` is a JSON string (a function URL).
 *
 * @throws InvalidTriggerInputError naming what is wrong (never echoing the whole payload).
 */
export function parseTriggerInput(event: unknown): TaskName {
  const value = eventValue(event);
  const parsed = triggerInputSchema.safeParse(value);
  if (!parsed.success) throw new InvalidTriggerInputError(describeIssue(parsed.error.issues[0], value));
  return parsed.data.task;
}

/**
 * What `event` asks for: a plain task, or a sync / backfill for the state machine.
 * @throws InvalidTriggerInputError naming what is wrong.
 */
export function parseTriggerRequest(
  event: unknown,
): { kind: 'task'; task: TaskName } | { kind: 'orchestrated'; request: OrchestratedRequest } {
  const value = eventValue(event);
  let request: OrchestratedRequest | undefined;
  try {
    request = orchestratedRequestOf(value);
  } catch (error) {
    throw new InvalidTriggerInputError((error as Error).message);
  }
  return request ? { kind: 'orchestrated', request } : { kind: 'task', task: parseTriggerInput(value) };
}

/** The input inside `event`: itself, parsed from a JSON string, or from an HTTP-style `body`. */
function eventValue(event: unknown): unknown {
  let value = event;
  if (value && typeof value === 'object' && 'body' in value && typeof value.body === 'string') {
    value = value.body;
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvalidTriggerInputError('the input is not JSON');
    }
  }
  return value;
}

// zod/mini carries no messages (that keeps ~400 kB out of the Lambda bundle): word them here,
// naming fields but never echoing the values sent.
function describeIssue(issue: z.core.$ZodIssue | undefined, value: unknown): string {
  if (!issue) return 'unexpected shape';
  if (issue.code === 'unrecognized_keys')
    return `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.path.length === 0) {
    return `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  const field = `"${issue.path.join('.')}"`;
  if (typeof value === 'object' && value !== null && !(String(issue.path[0]) in value))
    return `${field} is missing`;
  return `${field} must be one of ${TASK_NAMES.join(', ')}`;
}

/**
 * The launcher that `config` (from `loadTriggerConfig`) names: child processes on this machine
 * with the configured environment, or ECS with the stack's settings and a client from `makeEcs`.
 */
export function selectLauncher(
  config: LauncherConfig,
  makeEcs: () => ECSClient,
  localOptions: LocalRunOptions = {},
  makeSfn?: () => SFNClient,
): TriggerLauncher {
  if (config.kind === 'local') return { kind: 'local', options: { env: config.taskEnv, ...localOptions } };
  return { kind: 'ecs', config: config.ecs, ecs: makeEcs(), ...(makeSfn && { sfn: makeSfn() }) };
}

/**
 * Validate `event`, start the task it names and describe the outcome. Errors come back as a
 * {@link TriggerFailure}; server-side ones (500, 502) are also logged and sent to Sentry.
 *
 * @param launcher the launcher, or a function that builds it (a ConfigError it throws becomes a 500).
 */
export async function handleTrigger(
  event: unknown,
  launcher: TriggerLauncher | (() => TriggerLauncher),
  log: Logger,
): Promise<TriggerResponse> {
  let task: TaskName;
  try {
    const parsed = parseTriggerRequest(event);
    if (parsed.kind === 'orchestrated') return await handleOrchestrated(parsed.request, launcher, log);
    task = parsed.task;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.warn({ statusCode: 400 }, message);
    return { statusCode: 400, error: message };
  }
  try {
    const chosen = typeof launcher === 'function' ? launcher() : launcher;
    if (chosen.kind === 'ecs') {
      const { taskArns } = await startEcsTask(chosen.ecs, chosen.config, task);
      log.info({ task, taskArns }, 'task started');
      return { statusCode: 200, task, launcher: 'ecs', taskArns };
    }
    const run = await runLocalTask(task, chosen.options);
    if (run.exitCode !== 0) {
      const error = `"${run.command}" exited with code ${run.exitCode}; its last output lines are in logTail.`;
      log.error({ task, exitCode: run.exitCode }, 'local task failed');
      captureError(new Error(`local ${task} task exited with code ${run.exitCode}`), { task });
      return { statusCode: 500, task, error, exitCode: run.exitCode, logTail: run.logTail };
    }
    log.info({ task, exitCode: 0 }, 'local task finished');
    return {
      statusCode: 200,
      task,
      launcher: 'local',
      command: run.command,
      exitCode: 0,
      logTail: run.logTail,
    };
  } catch (error) {
    return failureFor(task, error, log);
  }
}

/**
 * A sync or backfill: on AWS an execution of the state machine (refused while one runs); with the
 * local launcher the same steps as child processes here: extract (incremental, full, or the days),
 * then load, then the refine jobs one after another.
 */
async function handleOrchestrated(
  request: OrchestratedRequest,
  launcher: TriggerLauncher | (() => TriggerLauncher),
  log: Logger,
): Promise<TriggerResponse> {
  const task: TaskName = 'sync';
  try {
    const chosen = typeof launcher === 'function' ? launcher() : launcher;
    if (chosen.kind === 'ecs') {
      const arn = chosen.config.stateMachineArn;
      if (!chosen.sfn || !arn) {
        throw new ConfigError([
          'STATE_MACHINE_ARN is not set; serverless.yml sets it from the stack: deploy again.',
        ]);
      }
      const { executionArn } = await startSyncExecution(chosen.sfn, arn, request);
      log.info({ task: request.task, executionArn }, 'execution started');
      return { statusCode: 200, task: request.task, launcher: 'step-functions', executionArn };
    }
    const extractArgs =
      request.task === 'sync'
        ? ['--mode', request.mode]
        : ['--since', request.since, '--until', request.until];
    const loadArgs = ['--mode', request.task === 'sync' && request.mode === 'full' ? 'full' : 'incremental'];
    const base = chosen.options?.commands ?? LOCAL_COMMANDS;
    const commands = {
      ...base,
      extract: [...base.extract, '--', ...extractArgs],
      load: [...base.load, '--', ...loadArgs],
    };
    const refine = base.refine ?? LOCAL_COMMANDS.refine;
    const steps: [LocalStep, LocalCommands][] = [
      ['extract', commands],
      ['load', commands],
      ...SYNC_REFINE_JOBS.map((job): [LocalStep, LocalCommands] => [
        'refine',
        { ...commands, refine: [...refine, '--', job] },
      ]),
    ];
    const logTail: string[] = [];
    for (const [step, stepCommands] of steps) {
      const run = await runLocalTask(step, { ...chosen.options, commands: stepCommands });
      logTail.push(...run.logTail);
      if (run.exitCode !== 0) {
        const error = `"${run.command}" exited with code ${run.exitCode}; its last output lines are in logTail.`;
        log.error({ task: step, exitCode: run.exitCode }, 'local task failed');
        captureError(new Error(`local ${step} task exited with code ${run.exitCode}`), { task: step });
        return { statusCode: 500, task, error, exitCode: run.exitCode, logTail: run.logTail };
      }
    }
    const command = [
      commands.extract.join(' '),
      commands.load.join(' '),
      ...SYNC_REFINE_JOBS.map((job) => [...refine, '--', job].join(' ')),
    ].join(' && ');
    return { statusCode: 200, task, launcher: 'local', command, exitCode: 0, logTail: logTail.slice(-20) };
  } catch (error) {
    return failureFor(task, error, log);
  }
}

function failureFor(task: TaskName, error: unknown, log: Logger): TriggerFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TaskAlreadyRunningError) {
    log.warn({ task, running: error.running, statusCode: 409 }, 'task already running');
    return { statusCode: 409, task, error: message };
  }
  const statusCode = error instanceof LaunchRefusedError ? 502 : 500;
  const name = error instanceof Error ? error.name : 'Error';
  log.error({ task, err: name, statusCode }, message);
  captureError(error, { task });
  if (error instanceof ConfigError || error instanceof LaunchRefusedError) {
    return { statusCode, task, error: message };
  }
  return { statusCode: 500, task, error: `The trigger failed unexpectedly (${name}: ${message}).` };
}
