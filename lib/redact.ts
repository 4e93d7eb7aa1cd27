/**
 * Helpers that keep credentials out of messages and logs.
 */

/** `url` with any password (and username) replaced by `***`; non-URLs are returned unchanged. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** `text` with every occurrence of each non-empty secret replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
