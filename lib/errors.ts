/**
 * Error classes that tell the caller what to do next.
 *
 * Every error carries a one-paragraph `message` that names the problem and what to do about it.
 * Never put a token, a password or a whole payload in a message.
 */

/** Base of every error this project throws on purpose; `exitCode` is what a task exits with. */
export class SyncError extends Error {
  /** Process exit code that a task maps this error to. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration is wrong: fix it, do not retry. Lists every problem at once. */
export class ConfigError extends SyncError {
  override readonly exitCode = 2;
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(
      `Configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nFix the environment variables (see .env.example) and run again.',
      options,
    );
    this.problems = problems;
  }
}

/** A passing fault (network, 429, 5xx, lock wait): the same call may succeed when retried. */
export class TransientError extends SyncError {
  /** Milliseconds the source asked us to wait before retrying, when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The source API refused the request (401, 403, 404, 400): retrying will not help. */
export class SourceError extends SyncError {
  override readonly exitCode = 3;
  readonly status: number | undefined;
  readonly code: string | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number; code?: string }) {
    super(message, options);
    this.status = options?.status;
    this.code = options?.code;
  }
}

/** This record or file is bad: quarantine it and count it, never drop it silently. */
export class DataError extends SyncError {
  override readonly exitCode = 4;
  /** Where the bad data is (a lake key, a record id), when known. */
  readonly location: string | undefined;
  constructor(message: string, options?: { cause?: unknown; location?: string }) {
    super(message, options);
    this.location = options?.location;
  }
}

/** The exit code a task should end with for `error`. */
export function exitCodeFor(error: unknown): number {
  return error instanceof SyncError ? error.exitCode : 1;
}
