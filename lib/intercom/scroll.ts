import { SourceError, TransientError } from '../errors';
import type { Logger } from '../logger';
import type { IntercomRecord } from './types';

/** How long a new scroll waits for the app's open one to end: Intercom expires an idle scroll after a minute. */
export const SCROLL_WAIT_MS = 75_000;
/** Longest pause between two tries at starting a scroll while another is open. */
const SCROLL_POLL_CAP_MS = 10_000;

/** What {@link scrollRecords} needs from the client. */
export interface ScrollOptions {
  endpoint: string;
  itemsKey: string;
  /**
   * GET one scroll page. It must retry only what leaves the scroll where it was (a 429); anything
   * else (5xx, reset, timeout, a cut body) may have moved the scroll on a page, so it throws and the
   * scroll starts again.
   */
  getPage(pathAndQuery: string): Promise<unknown>;
  sleep(ms: number): Promise<void>;
  /** Broken scrolls in a row, without a new record between them, before giving up. */
  maxRestarts: number;
  /** First pause while another scroll is open, doubled per try up to 10 s. */
  pollBaseMs: number;
  /** How long to wait for another open scroll to end (default {@link SCROLL_WAIT_MS}). */
  waitMs?: number;
  /** The client's signal: a failure after it aborted is the stop, never a broken scroll. */
  signal?: AbortSignal;
  log: Logger;
}

/**
 * Every item of a scroll, each id once: `GET endpoint`, then `GET endpoint?scroll_param=…` until a
 * page is empty or has no scroll_param. Intercom's rules (companies' scroll):
 * - one scroll per app at a time: starting one while another is open is refused (400
 *   `scroll_exists`); the start is tried again until the other ends, at most `waitMs` (a scroll idle
 *   for a minute expires, so this covers a crashed run's scroll);
 * - a 500 mid-scroll ("Please restart the scroll operation") means it cannot continue: a failed page
 *   starts a new scroll from the first page, and items already yielded are skipped by id. So does a
 *   scroll_param refused as unknown or expired (404), as after a consumer paused past the minute.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/companies/scrolloverallcompanies
 *
 * Keeps one id per item yielded (tens of bytes each) to skip them after a restart.
 * @throws SourceError when a page is not a list, an item repeats within one scroll (it would loop
 *   forever), or the start is refused for another reason; TransientError when another scroll stays
 *   open past `waitMs`, or `maxRestarts` scrolls in a row break before giving a new item.
 */
export async function* scrollRecords(options: ScrollOptions): AsyncGenerator<IntercomRecord> {
  const { endpoint, itemsKey, log } = options;
  /** Id of each item yielded → the scroll (attempt) that last listed it. */
  const seen = new Map<string, number>();
  let attempt = 0;
  let barren = 0;
  for (;;) {
    attempt += 1;
    const before = seen.size;
    let broken: unknown;
    try {
      let param: string | undefined;
      let body = await startScroll(options);
      for (;;) {
        const items = itemsOf(body, endpoint, itemsKey);
        if (items.length === 0) return;
        for (const item of items) {
          const id = idOf(item);
          if (id === undefined) {
            // Kept as listed: the load quarantines it with its reason.
            yield item;
            continue;
          }
          const last = seen.get(id);
          if (last === attempt) {
            throw new SourceError(
              `Intercom listed ${endpoint} item ${id} twice in one scroll, which would loop forever. Run again; if it repeats, report it to Intercom support.`,
              { cause: new Error(`repeated id in one scroll of ${endpoint}`) },
            );
          }
          seen.set(id, attempt);
          if (last === undefined) yield item;
        }
        const next = (body as Record<string, unknown>).scroll_param;
        if (typeof next !== 'string' || next === '') return;
        param = next;
        try {
          body = await options.getPage(`${endpoint}?scroll_param=${encodeURIComponent(param)}`);
        } catch (error) {
          if (options.signal?.aborted || !breaksScroll(error)) throw error;
          broken = error;
        }
        if (broken !== undefined) break;
      }
    } catch (error) {
      // A first page that got no usable answer may still have opened the scroll and spent its page:
      // start again (waiting for that scroll to expire). A refusal of the start itself is final.
      if (options.signal?.aborted || !(error instanceof TransientError) || error instanceof ScrollBusyError) {
        throw error;
      }
      broken = error;
    }
    barren = seen.size > before ? 1 : barren + 1;
    if (barren > options.maxRestarts) {
      throw new TransientError(
        `Intercom's scroll over ${endpoint} broke ${barren} times in a row without listing anything new (last: ${messageOf(broken)}). Intercom may be degraded: run again later (the run is safe to repeat).`,
        { cause: broken },
      );
    }
    log.warn(
      { endpoint, attempt, listed: seen.size, problem: messageOf(broken) },
      'scroll broken; starting a new one',
    );
  }
}

/** Another scroll of the app stayed open past the wait: final, not a broken scroll to start again. */
class ScrollBusyError extends TransientError {}

/** The first page of a new scroll, waiting while another scroll of the app is open. */
async function startScroll(options: ScrollOptions): Promise<unknown> {
  const waitMs = options.waitMs ?? SCROLL_WAIT_MS;
  let waited = 0;
  for (let tries = 0; ; tries++) {
    try {
      return await options.getPage(options.endpoint);
    } catch (error) {
      if (!isScrollOpen(error)) throw error;
      if (waited >= waitMs) {
        throw new ScrollBusyError(
          `Intercom kept refusing a new scroll over ${options.endpoint} for ${Math.round(waited / 1000)} s because another is open for this app (Intercom allows one at a time). Another extract, or another tool using the same app, is scrolling: run again when it has finished (an abandoned scroll expires after a minute).`,
          { cause: error },
        );
      }
      const pause = Math.min(options.pollBaseMs * 2 ** tries, SCROLL_POLL_CAP_MS, waitMs - waited);
      options.log.info(
        { endpoint: options.endpoint, waitedMs: waited },
        'another scroll is open; waiting for it to end',
      );
      await options.sleep(pause);
      waited += pause;
    }
  }
}

function itemsOf(body: unknown, endpoint: string, itemsKey: string): IntercomRecord[] {
  const items = (body as Record<string, unknown> | null)?.[itemsKey];
  if (!Array.isArray(items)) {
    throw new SourceError(
      `Intercom answered ${endpoint} with something that is not a list (no ${itemsKey} array). Check INTERCOM_API_VERSION names a supported version such as 2.14.`,
      { cause: new Error(`unexpected page shape from ${endpoint}`) },
    );
  }
  return items as IntercomRecord[];
}

function idOf(item: unknown): string | undefined {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** A failure after which the scroll cannot go on but a new one may: no answer, a 5xx, a cut body, an unknown or expired param. */
function breaksScroll(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  return error instanceof SourceError && error.status === 404;
}

/** Intercom's refusal of a second scroll while one is open. */
function isScrollOpen(error: unknown): boolean {
  return error instanceof SourceError && error.status === 400 && error.code === 'scroll_exists';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
