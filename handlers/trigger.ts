import { ECSClient } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { loadMonitoringConfig, loadTriggerConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { flushSentry, initSentry } from '../lib/monitoring/sentry';
import { handleTrigger, selectLauncher, type TriggerResponse } from './trigger-logic';

// Built once per Lambda container, reused by every warm invocation.
const monitoring = loadMonitoringConfig();
const log = createLogger({ level: monitoring.logLevel });
initSentry({ dsn: monitoring.sentryDsn, task: 'trigger', environment: monitoring.sentryEnvironment });
let ecs: ECSClient | undefined;
let sfn: SFNClient | undefined;

/**
 * Lambda entrypoint: `{"task": "extract" | "load" | "sync"}` (Fargate tasks), or `{"task": "sync",
 * "mode": …}` / `{"task": "backfill", "since", "until"}` (an execution of the sync state machine),
 * in; a {@link TriggerResponse} out. With `TRIGGER_LAUNCHER=local` it runs the same steps here.
 */
export async function handler(event: unknown): Promise<TriggerResponse> {
  const response = await handleTrigger(
    event,
    // Read per invocation, so that a configuration error is answered as a 500, not a crash.
    () =>
      selectLauncher(
        loadTriggerConfig().launcher,
        () => (ecs ??= new ECSClient({})),
        // Show a local run's progress as it happens; the response keeps only the tail.
        { onLine: (line) => process.stderr.write(`${line}\n`) },
        () => (sfn ??= new SFNClient({})),
      ),
    log,
  );
  await flushSentry();
  return response;
}
