/**
 * `npm run sandbox -- --webhooks-to URL`: every change of the sandbox's live workspace (its own
 * timer's, and the moveWhilePaging fault's) is sent as a signed notification, as Intercom sends
 * one for each change in a workspace.
 */
import type { LiveChange, LiveWorkspace } from './live-workspace';
import { hash32, Rng } from './prng';
import { deliverNotification, notificationOf } from './webhooks';

/** Where and how often. */
export interface WebhookSenderOptions {
  live: LiveWorkspace;
  /** The receiver's URL (`http://127.0.0.1:8788/webhooks/intercom`). */
  url: string;
  /** The client secret the receiver checks (`INTERCOM_CLIENT_SECRET` there). */
  secret: string;
  /** Change one record this often (0 = only send what other changes make). */
  everyMs: number;
  seed?: number;
  /** Told about each delivery that did not get a 200 (or did not get through). */
  onFailure?(topic: string, status: number | string): void;
}

/** Counts since start. */
export interface WebhookSenderStats {
  sent: number;
  accepted: number;
  failed: number;
}

/** A running sender. */
export interface WebhookSender {
  stats: WebhookSenderStats;
  /** Stop changing records and wait for deliveries in flight. */
  close(): Promise<void>;
}

/** The topic Intercom sends for a change of this kind. */
function topicOf(change: LiveChange): string {
  if (change.kind === 'contact')
    return change.action === 'created' ? 'contact.user.created' : 'contact.user.updated';
  return change.action === 'created' ? 'conversation.user.created' : 'conversation.admin.replied';
}

/** Start sending; see {@link WebhookSenderOptions}. */
export function startWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { live } = options;
  const rng = new Rng(hash32(options.seed ?? 1, 0x3b3b));
  const stats: WebhookSenderStats = { sent: 0, accepted: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  let lastNow = 0;

  const send = (change: LiveChange): void => {
    const item = change.kind === 'contact' ? live.contactAt(change.index) : live.conversationAt(change.index);
    const topic = topicOf(change);
    stats.sent += 1;
    const delivery = deliverNotification(
      options.url,
      notificationOf(topic, item as unknown as Record<string, unknown>),
      options.secret,
    )
      .then(({ status }) => {
        if (status === 200) stats.accepted += 1;
        else {
          stats.failed += 1;
          options.onFailure?.(topic, status);
        }
      })
      .catch((error: unknown) => {
        stats.failed += 1;
        options.onFailure?.(topic, (error as Error).message);
      })
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };
  const unsubscribe = live.subscribe(send);

  const changeOne = (): void => {
    const kind = rng.chance(0.5) ? 'contact' : 'conversation';
    const count = kind === 'contact' ? live.contactCount : live.conversationCount;
    if (count === 0) return;
    // Seconds, never backwards, so updated_at grows with every change.
    lastNow = Math.max(lastNow + 1, Math.floor(Date.now() / 1000));
    if (rng.chance(0.2)) live.create(kind, rng.int(0, count - 1 - live.changeCounts[kind].created), lastNow);
    else live.touch(kind, rng.int(0, count - 1), lastNow);
  };
  const timer = options.everyMs > 0 ? setInterval(changeOne, options.everyMs) : undefined;

  return {
    stats,
    async close() {
      if (timer) clearInterval(timer);
      unsubscribe();
      await Promise.allSettled([...inFlight]);
    },
  };
}
