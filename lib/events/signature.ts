/**
 * Intercom's webhook signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>`, keyed with
 * the app's client secret.
 * https://developers.intercom.com/docs/webhooks/setting-up-webhooks#signed-notifications
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Intercom signs notifications in (lower case, as Node and Lambda hand headers over). */
export const SIGNATURE_HEADER = 'x-hub-signature';

const SIGNATURE = /^sha1=([0-9a-f]{40})$/i;

/** `sha1=<hex>` of `body` keyed with `secret`: what Intercom sends (and what the sandbox signs with). */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

/**
 * Whether `header` is the signature of exactly these bytes under `secret`, compared in constant time
 * (the comparison takes as long whichever byte differs). A missing, malformed or empty header, or
 * an empty secret, is never valid.
 */
export function isValidSignature(
  body: Uint8Array,
  header: string | undefined,
  secret: string | undefined,
): boolean {
  if (!secret || !header) return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  const expected = createHmac('sha1', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
