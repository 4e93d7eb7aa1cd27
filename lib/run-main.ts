import { loadConfig, loadMonitoringConfig, type Config, type Env } from './config';
import { exitCodeFor } from './errors';
import { createLogger, type Logger } from './logger';
import {
  createTaskMetricsRecorder,
  emitTaskMetrics,
  metricsWriter,
  type TaskMetricsRecorder,
} from './monitoring/metrics';
import { captureError, flushSentry, initSentry } from './monitoring/sentry';
import { redactSecrets } from './redact';

/** After SIGTERM/SIGINT the body has this long to save its state before the process exits anyway. */
export const STOP_GRACE_MS = 20_000;
/** Exit code when the grace period ran out: 128 + SIGTERM's number, as a shell reports it. */
const STOP_EXIT_CODE = 143;

/** What an entrypoint's body gets: the validated config, the logger and an abort signal (SIGTERM/SIGINT). */
export interface MainContext {
  config: Config;
  log: Logger;
  signal: AbortSignal;
  /** Add records, requests and 429s here; they are emitted as CloudWatch metrics when the task ends. */
  metrics: TaskMetricsRecorder;
}

/**
 * Run an entrypoint: read config once, build the logger, run `body`, log any error once (without
 * secrets), report it to Sentry when `SENTRY_DSN` is set, emit the task's metrics (EMF, inside
 * AWS only) and exit with the code its class maps to (0 only when `body` resolved). On SIGTERM or
 * SIGINT the signal is aborted and `body` gets {@link STOP_GRACE_MS} to save its state and throw;
 * after that the process exits with 143.
 *
 * @param env the environment to read (tests pass a plain object); the process's when undefined.
 */
export async function runMain(
  name: string,
  body: (ctx: MainContext) => Promise<void>,
  env?: Env,
): Promise<never> {
  const started = performance.now();
  // Read before the rest of the config so that a configuration error is logged and reported too.
  const monitoring = loadMonitoringConfig(env);
  const log = createLogger({ level: monitoring.logLevel });
  initSentry({
    dsn: monitoring.sentryDsn,
    task: name,
    environment: monitoring.sentryEnvironment,
    secrets: monitoring.secrets,
  });
  const metrics = createTaskMetricsRecorder();
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    log.warn({ task: name, signal: sig, graceMs: STOP_GRACE_MS }, 'stop requested');
    controller.abort(new Error(`${sig} received`));
    // The body saves its state and returns on abort; if something hangs, still stop well before
    // Fargate's SIGKILL (issue 6: exit within 25 s), never with 0 because the work is unfinished.
    setTimeout(() => {
      log.error({ task: name, signal: sig }, 'did not stop in time after the signal; exiting');
      process.exit(STOP_EXIT_CODE);
    }, STOP_GRACE_MS).unref();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let code = 0;
  try {
    const config = loadConfig(env);
    await body({ config, log, signal: controller.signal, metrics });
  } catch (error) {
    code = exitCodeFor(error);
    const message = redactSecrets(error instanceof Error ? error.message : String(error), monitoring.secrets);
    log.error({ task: name, err: error instanceof Error ? error.name : 'Error', exitCode: code }, message);
    captureError(error, { task: name, exitCode: code });
  }
  try {
    emitTaskMetrics(
      name,
      { ...metrics.counts, durationMs: performance.now() - started, succeeded: code === 0 },
      { write: metricsWriter(monitoring.emitMetrics) },
    );
  } catch (error) {
    // A bad count must not change the outcome of the run it describes.
    log.warn(
      { task: name, err: error instanceof Error ? error.message : String(error) },
      'metrics not emitted',
    );
  }
  await flushSentry();
  process.exit(code);
}
