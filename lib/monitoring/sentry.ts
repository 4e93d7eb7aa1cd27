import { scrubValue } from './scrub';

type SentrySdk = typeof import('./sentry-sdk');
let sdk: SentrySdk | undefined;

/**
 * The Sentry SDK, loaded on first use: only when a DSN is set. Loading it costs ~22 MiB of heap
 * that V8 then marks on every full GC; a task without Sentry (local runs, the benches) keeps
 * that heap and time.
 */
function sentry(): SentrySdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load must be synchronous here: initSentry runs before anything else and returns a boolean.
  sdk ??= require('./sentry-sdk') as SentrySdk;
  return sdk;
}

/** What {@link initSentry} needs; every field but `dsn` is optional. */
export interface SentryOptions {
  /** `SENTRY_DSN`; when undefined or empty nothing is initialised and every call is a no-op. */
  dsn: string | undefined;
  /** Which program reports: `extract`, `load`, `sync`, `trigger`. Sent as the `task` tag. */
  task: string;
  /** Sentry environment, e.g. the deploy stage. */
  environment?: string;
  /** Values that must never leave the process (the Intercom token, the database password). */
  secrets?: readonly (string | undefined)[];
}

let active = false;
let secretsToScrub: readonly (string | undefined)[] = [];

/**
 * Start reporting errors to Sentry when a DSN is set; do nothing otherwise.
 *
 * Every event and breadcrumb goes through `scrubValue` first, so tokens, passwords and
 * `user:password@` parts of URLs are replaced before anything is sent. No PII, no tracing.
 *
 * @returns true when Sentry was initialised.
 * @throws never: a malformed DSN is reported by the Sentry SDK itself as a console warning.
 */
export function initSentry(options: SentryOptions): boolean {
  const dsn = options.dsn?.trim();
  if (!dsn) return false;
  secretsToScrub = options.secrets ?? [];
  sentry().init({
    dsn,
    environment: options.environment,
    // Send the error and its stack, nothing the SDK could collect around it (headers carry the token).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
    },
    initialScope: { tags: { task: options.task } },
    beforeSend: (event) => scrubValue(event, secretsToScrub),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb, secretsToScrub),
  });
  active = true;
  return true;
}

/** True when {@link initSentry} started the SDK in this process. */
export function isSentryActive(): boolean {
  return active;
}

/** Report `error` (scrubbed) when Sentry is active; a no-op otherwise. Never throws. */
export function captureError(error: unknown, extra?: Record<string, unknown>): void {
  if (!active) return;
  try {
    sentry().captureException(error, extra ? { extra: scrubValue(extra, secretsToScrub) } : undefined);
  } catch {
    // Reporting must never turn one failure into two.
  }
}

/** Wait up to `timeoutMs` for queued events to be sent; resolves at once when inactive. */
export async function flushSentry(timeoutMs = 2000): Promise<void> {
  if (!active) return;
  try {
    await sentry().flush(timeoutMs);
  } catch {
    // A slow or unreachable Sentry must not change the exit code.
  }
}
