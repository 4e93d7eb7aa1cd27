import {
  ListTasksCommand,
  RunTaskCommand,
  type ECSClient,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import type { EcsLauncherConfig } from './ecs-config';
import { LaunchRefusedError, TaskAlreadyRunningError } from './launch-errors';
import type { EcsTaskName, TaskName } from './task-name';

/** What {@link startEcsTask} started. */
export interface EcsLaunchResult {
  task: TaskName;
  /** ARNs of the Fargate tasks RunTask started (one). */
  taskArns: string[];
}

/**
 * The `startedBy` tag of each run. A sync's extract carries `trigger/sync`, which is what the
 * EventBridge rule in serverless.yml matches to start load when that extract stops with exit code 0.
 * RunTask allows at most 36 characters here.
 */
export const STARTED_BY: Record<TaskName, string> = {
  extract: 'trigger/extract',
  load: 'trigger/load',
  sync: 'trigger/sync',
};

/** `intercom-lake-sync-prod-extract` from `arn:aws:ecs:...:task-definition/intercom-lake-sync-prod-extract:3`. */
export function familyOf(taskDefinitionArn: string): string {
  const name = taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1);
  return name.replace(/:\d+$/, '');
}

/** The exact RunTask input for `task` (exported so a test can compare it whole). */
export function runTaskInput(config: EcsLauncherConfig, task: TaskName): RunTaskCommandInput {
  const definition: EcsTaskName = task === 'sync' ? 'extract' : task;
  return {
    cluster: config.clusterArn,
    taskDefinition: config.taskDefinitionArns[definition],
    launchType: 'FARGATE',
    count: 1,
    startedBy: STARTED_BY[task],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: config.subnets,
        securityGroups: config.securityGroups,
        assignPublicIp: config.assignPublicIp,
      },
    },
  };
}

async function runningTasks(ecs: ECSClient, config: EcsLauncherConfig, task: TaskName): Promise<string[]> {
  // A sync must not start while either half runs: its load would follow a second extract.
  const definitions: EcsTaskName[] = task === 'sync' ? ['extract', 'load'] : [task];
  const arns: string[] = [];
  for (const definition of definitions) {
    // desiredStatus RUNNING also lists tasks still PROVISIONING or PENDING.
    const out = await ecs.send(
      new ListTasksCommand({
        cluster: config.clusterArn,
        family: familyOf(config.taskDefinitionArns[definition]),
        desiredStatus: 'RUNNING',
      }),
    );
    arns.push(...(out.taskArns ?? []));
  }
  return arns;
}

/**
 * Start `task` on Fargate with ECS RunTask. `sync` starts extract tagged so that load follows it.
 *
 * @throws TaskAlreadyRunningError when the same task (for sync: extract or load) still runs.
 * @throws LaunchRefusedError when ECS answers with an error or with `failures` and no task
 *   (no capacity, a bad subnet, missing permissions).
 */
export async function startEcsTask(
  ecs: ECSClient,
  config: EcsLauncherConfig,
  task: TaskName,
): Promise<EcsLaunchResult> {
  let running: string[];
  try {
    running = await runningTasks(ecs, config, task);
  } catch (error) {
    throw new LaunchRefusedError(task, `ECS ListTasks failed (${describe(error)}). ${HINT}`, {
      cause: error,
    });
  }
  if (running.length > 0) throw new TaskAlreadyRunningError(task, running);

  let out;
  try {
    out = await ecs.send(new RunTaskCommand(runTaskInput(config, task)));
  } catch (error) {
    throw new LaunchRefusedError(task, `ECS RunTask failed (${describe(error)}). ${HINT}`, { cause: error });
  }
  const taskArns = (out.tasks ?? []).map((t) => t.taskArn).filter((a): a is string => Boolean(a));
  if (taskArns.length === 0) {
    const reasons = (out.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(': '));
    throw new LaunchRefusedError(
      task,
      `ECS RunTask started no task (${reasons.join('; ') || 'no reason given'}). ${HINT}`,
    );
  }
  return { task, taskArns };
}

const HINT =
  'Check the subnets, security groups and assignPublicIp stage parameters and the trigger role, then invoke the trigger again.';

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
