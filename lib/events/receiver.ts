/**
 * The webhook receiver as a Hono app: the Lambda Function URL (handlers/webhook.ts) and
 * `npm run stream` serve the same routes. It verifies the signature over the raw body, puts the
 * notification on the stream and answers; everything slower happens behind the stream.
 * https://developers.intercom.com/docs/webhooks/setting-up-webhooks
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DataError } from '../errors';
import type { Logger } from '../logger';
import { parseNotification, partitionKeyOf, PING_TOPIC, type Notification } from './notification';
import { isValidSignature, SIGNATURE_HEADER } from './signature';

/** The path Intercom posts to (the Function URL serves it too). */
export const WEBHOOK_PATH = '/webhooks/intercom';
/** Intercom's notifications are a few KiB; a conversation item with long parts stays far below this. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the receiver needs, as plain values and functions. */
export interface ReceiverOptions {
  /** The app's client secret; undefined refuses every notification (401). */
  clientSecret: string | undefined;
  /**
   * Put the notification on the stream (its raw bytes and a newline, so that Firehose, which
   * concatenates records, writes one JSON per line); a rejection answers 503 so that Intercom retries.
   */
  publish(body: Uint8Array, partitionKey: string, notification: Notification): Promise<void>;
  log: Logger;
  maxBodyBytes?: number;
}

/**
 * `POST /webhooks/intercom`: 401 without a valid `X-Hub-Signature` (nothing enqueued), 400 for a
 * body that is not a notification_event, 200 for `ping` (nothing enqueued), 200 once the
 * notification is on the stream, 413 past the size cap, 503 when the stream refused it.
 * `HEAD /webhooks/intercom`: 200 (Intercom checks the endpoint with it), and GET says what it is.
 */
export function createReceiverApp(options: ReceiverOptions): Hono {
  const { log } = options;
  const app = new Hono();
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  // Hono answers HEAD with the GET route, less the body.
  app.get(WEBHOOK_PATH, (c) => c.text('Intercom webhook receiver: POST notifications here.', 200));
  app.post(
    WEBHOOK_PATH,
    bodyLimit({
      maxSize: limit,
      onError: (c) => c.json({ error: `The body is larger than ${limit} bytes.` }, 413),
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (!isValidSignature(body, c.req.header(SIGNATURE_HEADER), options.clientSecret)) {
        log.warn({ bytes: body.length }, 'webhook refused: bad or missing signature');
        return c.json({ error: 'The X-Hub-Signature header is missing or does not match the body.' }, 401);
      }
      let notification: Notification;
      try {
        notification = parseNotification(Buffer.from(body).toString('utf8'));
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        return c.json({ error: error.message }, 400);
      }
      if (notification.topic === PING_TOPIC) return c.json({ ok: true, topic: PING_TOPIC }, 200);
      try {
        await options.publish(asRecord(body), partitionKeyOf(notification), notification);
      } catch (error) {
        log.error({ err: error, id: notification.id, topic: notification.topic }, 'webhook not enqueued');
        return c.json({ error: 'The notification could not be queued; send it again.' }, 503);
      }
      return c.json({ ok: true, id: notification.id }, 200);
    },
  );
  return app;
}

const NEWLINE = 0x0a;

/** The body as a stream record: as received, ending with one newline. */
function asRecord(body: Uint8Array): Uint8Array {
  if (body[body.length - 1] === NEWLINE) return body;
  const record = new Uint8Array(body.length + 1);
  record.set(body);
  record[body.length] = NEWLINE;
  return record;
}
