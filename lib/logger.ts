import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Paths that pino replaces with `[redacted]` wherever they appear in a log object. */
const REDACT_PATHS = [
  'token',
  'password',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.token',
  '*.password',
  '*.authorization',
];

/**
 * The one logger: JSON lines in the cloud or when piped, readable lines on a terminal. `level` is
 * `Config.monitoring.logLevel` (`LOG_LEVEL`); `info` when not given.
 * Pass `destination` in tests to capture output.
 */
export function createLogger(
  options: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = options.level ?? 'info';
  const usePretty = options.pretty ?? (Boolean(process.stderr.isTTY) && !options.destination);
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined };
  if (usePretty) {
    return pino(
      base,
      pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }),
    );
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
