/**
 * The one retry-wait policy of the project: exponential backoff with full jitter, a random wait in
 * [0, min(cap, base * 2^(attempt-1))). Full jitter spreads retries of many concurrent requests (or
 * of upsert batches that deadlocked on each other) instead of sending them back together.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 *
 * @param attempt 1 for the first retry.
 */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
