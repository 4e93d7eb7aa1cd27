import { ECSClient } from '@aws-sdk/client-ecs';
import { loadMonitoringConfig, loadTriggerConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { flushSentry, initSentry } from '../lib/monitoring/sentry';
import { handleTrigger, selectLauncher, type TriggerResponse } from './trigger-logic';

// Built once per Lambda container, reused by every warm invocation.
const monitoring = loadMonitoringConfig();
const log = createLogger({ level: monitoring.logLevel });
initSentry({ dsn: monitoring.sentryDsn, task: 'trigger', environment: monitoring.sentryEnvironment });
let ecs: ECSClient | undefined;

/**
 * Lambda entrypoint: `{"task": "extract" | "load" | "sync"}` in, a {@link TriggerResponse} out.
 * Starts Fargate tasks, or with `TRIGGER_LAUNCHER=local` runs them here as child processes.
 */
export async function handler(event: unknown): Promise<TriggerResponse> {
  const response = await handleTrigger(
    event,
    // Read per invocation, so that a configuration error is answered as a 500, not a crash.
    () =>
      selectLauncher(loadTriggerConfig().launcher, () => (ecs ??= new ECSClient({})), {
        // Show a local run's progress as it happens; the response keeps only the tail.
        onLine: (line) => process.stderr.write(`${line}\n`),
      }),
    log,
  );
  await flushSentry();
  return response;
}
