/**
 * The one owner of how credentials are kept out of text that leaves the process (log lines, error
 * messages, Sentry events, summaries): known secret values, URL passwords and bearer tokens.
 */

/** Placeholder that {@link redactText} puts in place of a removed value by default. */
export const REDACTED = '[redacted]';

/** Very short values would blank out ordinary words; no real credential is that short. */
const MIN_SECRET_LENGTH = 4;
/** `scheme://user:password@` in any URL (DATABASE_URL and friends). */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]+@/gi;
/** `Bearer <token>` as it appears in an Authorization header echoed into a message. */
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;

/** `text` with every occurrence of each secret (of at least 4 characters) replaced by `placeholder`. */
export function redactSecrets(
  text: string,
  secrets: readonly (string | undefined)[],
  placeholder = '***',
): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(placeholder);
  }
  return out;
}

/** `text` with every known secret, every URL password and every bearer token replaced by `placeholder`. */
export function redactText(
  text: string,
  secrets: readonly (string | undefined)[] = [],
  placeholder = REDACTED,
): string {
  return redactSecrets(text, secrets, placeholder)
    .replace(URL_PASSWORD, `$1:${placeholder}@`)
    .replace(BEARER, `$1 ${placeholder}`);
}

/** `url` with its password replaced by `***`, for summaries; text without one is returned unchanged. */
export function maskUrl(url: string): string {
  return url.replace(URL_PASSWORD, '$1:***@');
}
