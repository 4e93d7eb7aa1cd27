import { loadConfig, type Config } from './config';
import { exitCodeFor } from './errors';
import { createLogger, type Logger } from './logger';
import { redactSecrets } from './redact';

/** What an entrypoint's body gets: the validated config, the logger and an abort signal (SIGTERM/SIGINT). */
export interface MainContext {
  config: Config;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Run an entrypoint: read config once, build the logger, run `body`, log any error once (without
 * secrets) and exit with the code its class maps to (0 only when `body` resolved).
 */
export async function runMain(
  name: string,
  body: (ctx: MainContext) => Promise<void>,
  env: Record<string, string | undefined> = process.env,
): Promise<never> {
  const log = createLogger({ level: env.LOG_LEVEL });
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
    await body({ config, log, signal: controller.signal });
  } catch (error) {
    code = exitCodeFor(error);
    const secrets = [config?.intercom.token, passwordOf(config?.databaseUrl ?? env.DATABASE_URL)];
    const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
    log.error({ task: name, err: error instanceof Error ? error.name : 'Error', exitCode: code }, message);
  }
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
