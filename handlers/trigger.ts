import { ECSClient } from '@aws-sdk/client-ecs';
import { createLogger } from '../lib/logger';
import { flushSentry, initSentry } from '../lib/monitoring/sentry';
import { handleTrigger, selectLauncher, type TriggerResponse } from './trigger-logic';

// Built once per Lambda container, reused by every warm invocation.
const log = createLogger();
initSentry({ dsn: process.env.SENTRY_DSN, task: 'trigger' });
let ecs: ECSClient | undefined;

/**
 * Lambda entrypoint: `{"task": "extract" | "load" | "sync"}` in, a {@link TriggerResponse} out.
 * Starts Fargate tasks, or with `TRIGGER_LAUNCHER=local` runs them here as child processes.
 */
export async function handler(event: unknown): Promise<TriggerResponse> {
  const response = await handleTrigger(
    event,
    () =>
      selectLauncher(process.env, () => (ecs ??= new ECSClient({})), {
        // Show a local run's progress as it happens; the response keeps only the tail.
        onLine: (line) => process.stderr.write(`${line}\n`),
      }),
    log,
  );
  await flushSentry();
  return response;
}
