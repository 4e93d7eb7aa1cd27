import { loadConfig, type Config } from './config';
import { exitCodeFor } from './errors';
import { createLogger, type Logger } from './logger';
import { createTaskMetricsRecorder, emitTaskMetrics, type TaskMetricsRecorder } from './monitoring/metrics';
import { captureError, flushSentry, initSentry } from './monitoring/sentry';
import { redactSecrets } from './redact';

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
 * AWS only) and exit with the code its class maps to (0 only when `body` resolved).
 */
export async function runMain(
  name: string,
  body: (ctx: MainContext) => Promise<void>,
  env: Record<string, string | undefined> = process.env,
): Promise<never> {
  const started = performance.now();
  const log = createLogger({ level: env.LOG_LEVEL });
  // Started before the config is read so that a configuration error is reported too.
  initSentry({
    dsn: env.SENTRY_DSN,
    task: name,
    environment: env.SENTRY_ENVIRONMENT,
    secrets: [env.INTERCOM_ACCESS_TOKEN?.trim(), passwordOf(env.DATABASE_URL?.trim())],
  });
  const metrics = createTaskMetricsRecorder();
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    log.warn({ task: name, signal: sig }, 'stop requested');
    controller.abort(new Error(`${sig} received`));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let code = 0;
  let config: Config | undefined;
  try {
    config = loadConfig(env);
    await body({ config, log, signal: controller.signal, metrics });
  } catch (error) {
    code = exitCodeFor(error);
    const secrets = [config?.intercom.token, passwordOf(config?.databaseUrl ?? env.DATABASE_URL)];
    const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
    log.error({ task: name, err: error instanceof Error ? error.name : 'Error', exitCode: code }, message);
    captureError(error, { task: name, exitCode: code });
  }
  try {
    emitTaskMetrics(name, {
      ...metrics.counts,
      durationMs: performance.now() - started,
      succeeded: code === 0,
    });
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

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
