import { REDACTED, redactText } from '../redact';

/**
 * Removes credentials from anything about to leave the process (Sentry events, error reports).
 */

/** Keys whose values are credentials wherever they appear, compared case-insensitively. */
const SECRET_KEYS =
  /^(token|access_?token|password|passwd|secret|authorization|cookie|set-cookie|x-api-key|intercom_access_token|database_url)$/i;

/** `text` with every known secret, every URL password and every bearer token replaced (by lib/redact). */
export function scrubText(text: string, secrets: readonly (string | undefined)[] = []): string {
  return redactText(text, secrets, REDACTED);
}

/**
 * A deep copy of `value` with credential-named keys blanked and every string passed through
 * {@link scrubText}. Cycles are cut, so it is safe on any event object.
 */
export function scrubValue<T>(value: T, secrets: readonly (string | undefined)[] = []): T {
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v, secrets);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      const copy: unknown[] = [];
      seen.set(v, copy);
      for (const item of v) copy.push(walk(item));
      return copy;
    }
    const copy: Record<string, unknown> = {};
    seen.set(v, copy);
    for (const [key, item] of Object.entries(v)) {
      copy[key] = SECRET_KEYS.test(key) && item != null ? REDACTED : walk(item);
    }
    return copy;
  };
  return walk(value) as T;
}
