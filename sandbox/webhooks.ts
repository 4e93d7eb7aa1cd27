/**
 * Signed webhook notifications as Intercom sends them, for the sandbox's own changes
 * (`npm run sandbox -- --webhooks-to URL`) and for tests and the bench: the envelope
 * `{ type: 'notification_event', id, topic, app_id, created_at, data: { type: 'notification_event_data', item } }`
 * signed with `X-Hub-Signature: sha1=<HMAC-SHA1 of the body>` under the app's client secret.
 * https://developers.intercom.com/docs/references/2.14/webhooks/webhook-models
 */
import { randomUUID } from 'node:crypto';
import { signBody } from '../lib/events/signature';

/** The sandbox's app id (`GET /me` answers `app.id_code: sandbox1`). */
export const SANDBOX_APP_ID = 'sandbox1';

/** A notification body as Intercom builds it. */
export interface NotificationBody {
  type: 'notification_event';
  id: string;
  topic: string;
  app_id: string;
  created_at: number;
  delivery_attempts: number;
  first_sent_at: number;
  data: { type: 'notification_event_data'; item: Record<string, unknown> };
  [extra: string]: unknown;
}

/** A notification of `topic` about `item`, with a fresh `notif_<uuid>` id unless one is given. */
export function notificationOf(
  topic: string,
  item: Record<string, unknown>,
  options: { id?: string; now?: number } = {},
): NotificationBody {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return {
    type: 'notification_event',
    id: options.id ?? `notif_${randomUUID()}`,
    topic,
    app_id: SANDBOX_APP_ID,
    created_at: now,
    delivery_attempts: 1,
    first_sent_at: now,
    data: { type: 'notification_event_data', item },
  };
}

/** The answer to one delivery. */
export interface DeliveryAnswer {
  status: number;
  /** Milliseconds from sending to the whole answer. */
  ms: number;
}

/**
 * POST `body` (an object, or the exact text to send) to `url`, signed with `secret` (no header
 * when `secret` is null; `signature` overrides the header).
 */
export async function deliverNotification(
  url: string,
  body: NotificationBody | string,
  secret: string | null,
  options: { signature?: string } = {},
): Promise<DeliveryAnswer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'intercom-sandbox',
  };
  const signature = options.signature ?? (secret === null ? undefined : signBody(text, secret));
  if (signature !== undefined) headers['X-Hub-Signature'] = signature;
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body: text });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}
