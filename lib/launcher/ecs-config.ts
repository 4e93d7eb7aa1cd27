import { ConfigError } from '../errors';
import type { EcsTaskName } from './task-name';

/** Everything RunTask needs; serverless.yml passes each value to the trigger as an env variable. */
export interface EcsLauncherConfig {
  clusterArn: string;
  taskDefinitionArns: Record<EcsTaskName, string>;
  containerNames: Record<EcsTaskName, string>;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
  /** The sync state machine (STATE_MACHINE_ARN), when the stack has one. */
  stateMachineArn?: string;
}

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Read the trigger's ECS settings from `env` (CLUSTER_ARN, EXTRACT_TASK_DEFINITION_ARN,
 * LOAD_TASK_DEFINITION_ARN, EXTRACT_CONTAINER_NAME, LOAD_CONTAINER_NAME, SUBNETS,
 * SECURITY_GROUPS, ASSIGN_PUBLIC_IP, and the optional STATE_MACHINE_ARN).
 *
 * @throws ConfigError listing every missing or malformed value.
 */
export function loadEcsLauncherConfig(env: Record<string, string | undefined>): EcsLauncherConfig {
  const problems: string[] = [];
  const required = (name: string, hint: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set; ${hint}`);
    return value ?? '';
  };
  const fromStack = 'serverless.yml sets it from the stack: deploy again.';
  const clusterArn = required('CLUSTER_ARN', fromStack);
  const extract = required('EXTRACT_TASK_DEFINITION_ARN', fromStack);
  const load = required('LOAD_TASK_DEFINITION_ARN', fromStack);
  const subnets = list(env.SUBNETS);
  if (subnets.length === 0) {
    problems.push(
      'SUBNETS is empty; set the stage parameter `subnets` (comma-separated subnet ids) and deploy again.',
    );
  }
  const securityGroups = list(env.SECURITY_GROUPS);
  if (securityGroups.length === 0) {
    problems.push(
      'SECURITY_GROUPS is empty; set the stage parameter `securityGroups` (comma-separated ids) and deploy again.',
    );
  }
  const assign = (env.ASSIGN_PUBLIC_IP?.trim() || 'DISABLED').toUpperCase();
  if (assign !== 'ENABLED' && assign !== 'DISABLED') {
    problems.push(`ASSIGN_PUBLIC_IP is "${assign}"; use ENABLED or DISABLED.`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    clusterArn,
    taskDefinitionArns: { extract, load },
    containerNames: {
      extract: env.EXTRACT_CONTAINER_NAME?.trim() || 'extract',
      load: env.LOAD_CONTAINER_NAME?.trim() || 'load',
    },
    subnets,
    securityGroups,
    assignPublicIp: assign as 'ENABLED' | 'DISABLED',
    ...(env.STATE_MACHINE_ARN?.trim() && { stateMachineArn: env.STATE_MACHINE_ARN.trim() }),
  };
}
