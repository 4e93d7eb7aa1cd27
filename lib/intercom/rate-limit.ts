/**
 * The rate-limit budget: decides when the next request to Intercom may be sent.
 *
 * Intercom allows a number of calls per fixed window (10,000 per minute per app, enforced in
 * 10-second windows of about 1,666 calls) and says on every response how many are left
 * (`X-RateLimit-Remaining`) and when the window ends (`X-RateLimit-Reset`, Unix seconds).
 * https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
 *
 * The budget trusts those headers only (no built-in window length), so it works for any window
 * size. It spends a window's allowance as fast as `maxInFlight` allows, then holds every request
 * until the window has reset, then sends one probe request to learn the new window before opening up.
 */

import { onAbort } from './abort-fan-out';

/** What one response said about the rate limit, with the local times around it. */
export interface RateLimitObservation {
  /** Local `Date.now()` when the request was sent. */
  sentAt: number;
  /** Local `Date.now()` when the response headers arrived. */
  receivedAt: number;
  /** HTTP status; 429 means the window is spent. */
  status: number;
  /** `X-RateLimit-Limit`: calls per window. */
  limit?: number;
  /** `X-RateLimit-Remaining`. */
  remaining?: number;
  /** `X-RateLimit-Reset`: Unix seconds (fractions accepted) when the window ends. */
  resetSeconds?: number;
  /** The response's `Date` header in ms (1 s resolution), used to correct clock skew. */
  dateMs?: number;
  /** `Retry-After` in ms, when a 429 carries no `X-RateLimit-Reset`. */
  retryAfterMs?: number;
}

/** A granted slot: call `release` exactly once when the request has its response (or failed). */
export interface RateLimitTicket {
  release(observation?: RateLimitObservation): void;
}

/** Options of {@link RateLimitBudget}. */
export interface RateLimitBudgetOptions {
  /** Hard cap on concurrent requests. */
  maxInFlight: number;
  /** Clock, for tests; default `Date.now`. */
  now?: () => number;
}

/**
 * Share of the window left unspent, so that a request overtaken by a later one on another
 * connection (counted after it, so missing from its Remaining) cannot overdraw the window.
 */
const RESERVE_FRACTION = 0.01;
/** How long to hold everyone after a 429 that says neither Reset nor Retry-After. */
const DEFAULT_BLOCK_MS = 1_000;
/** First and last pause between probes when a window has not reset at its announced time. */
const PROBE_BACKOFF_MIN_MS = 50;
const PROBE_BACKOFF_MAX_MS = 2_000;

interface Waiter {
  resolve(ticket: RateLimitTicket): void;
  reject(reason: unknown): void;
}

/**
 * Grants request slots so that the window's allowance is used whole and never overdrawn.
 *
 * - Requests in flight that were sent after the answered one are subtracted from its `Remaining`,
 *   since the server may not have counted them yet (those sent before it were, as requests go out
 *   on warm keep-alive connections in order; a 1 % reserve covers the few that overtake). Within
 *   one window the estimate only goes down: responses arrive out of order, and an older, higher
 *   `Remaining` must not raise it.
 * - When the window is spent it waits until `Reset`, converted to the local clock with an offset
 *   bounded by the `Date` headers and by Reset itself (see `toLocal`).
 * - Before the first response (and after each reset) only one request is sent, to read the headers.
 * - A server that sends no rate-limit headers is limited by `maxInFlight` and by 429s only.
 */
export class RateLimitBudget {
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly waiters: Waiter[] = [];
  private inFlightCount = 0;
  /** True once a response carried Remaining and Reset. */
  private known = false;
  /** True when the first response carried no rate-limit headers. */
  private headerless = false;
  private windowReset: number | undefined;
  private allowance = 0;
  private reserve = 0;
  private sequence = 0;
  /** Sequence numbers of the requests in flight, in the order they were sent. */
  private readonly inFlightSequences = new Set<number>();
  private deadline = 0;
  private probeOutstanding = false;
  private probeBackoffMs = PROBE_BACKOFF_MIN_MS;
  private blockedUntil = 0;
  private offsetLow = Number.NEGATIVE_INFINITY;
  private offsetHigh = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;

  constructor(options: RateLimitBudgetOptions) {
    if (!(options.maxInFlight >= 1)) throw new RangeError('maxInFlight must be at least 1');
    this.maxInFlight = Math.floor(options.maxInFlight);
    this.now = options.now ?? Date.now;
  }

  /** Requests granted and not yet released. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Wait for a slot to send one request.
   * @throws the signal's reason when `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<RateLimitTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RateLimitTicket>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (ticket) => {
          unsubscribe?.();
          resolve(ticket);
        },
        reject,
      };
      // Shared with every other waiter and request (see abort-fan-out.ts).
      const unsubscribe = signal
        ? onAbort(signal, () => {
            const index = this.waiters.indexOf(waiter);
            if (index >= 0) this.waiters.splice(index, 1);
            reject(signal.reason);
            this.pump();
          })
        : undefined;
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Grant slots to waiters, in arrival order, while the budget allows; else arm a timer. */
  private pump(): void {
    while (this.waiters.length > 0) {
      const now = this.now();
      const wakeAt = this.blockedReason(now);
      if (wakeAt === 'in-flight') break;
      if (wakeAt !== undefined) {
        this.armTimer(wakeAt);
        return;
      }
      const waiter = this.waiters.shift() as Waiter;
      waiter.resolve(this.grant(now));
    }
    if (this.waiters.length === 0) this.clearTimer();
  }

  /** Why no slot can be granted now: a local time to retry at, 'in-flight', or undefined (grant). */
  private blockedReason(now: number): number | 'in-flight' | undefined {
    if (this.inFlightCount >= this.maxInFlight) return 'in-flight';
    if (now < this.blockedUntil) return this.blockedUntil;
    if (!this.known) {
      if (this.headerless) return undefined;
      // Nothing is known about the window yet: one request at a time until a response says.
      return this.inFlightCount === 0 ? undefined : 'in-flight';
    }
    if (now >= this.deadline) return this.probeOutstanding ? 'in-flight' : undefined;
    return this.allowance > this.reserve ? undefined : this.deadline;
  }

  private grant(now: number): RateLimitTicket {
    this.inFlightCount += 1;
    const sequence = (this.sequence += 1);
    this.inFlightSequences.add(sequence);
    let isProbe = false;
    if (this.known) {
      if (now >= this.deadline) {
        isProbe = true;
        this.probeOutstanding = true;
      } else {
        this.allowance -= 1;
      }
    }
    let released = false;
    return {
      release: (observation) => {
        if (released) return;
        released = true;
        this.inFlightCount -= 1;
        this.inFlightSequences.delete(sequence);
        if (isProbe) this.probeOutstanding = false;
        if (observation) this.observe(observation, isProbe, sequence);
        this.pump();
      },
    };
  }

  /** Requests in flight that were sent after request `sequence`: the server may not have counted them. */
  private sentAfter(sequence: number): number {
    let count = 0;
    for (const s of this.inFlightSequences) if (s > sequence) count += 1;
    return count;
  }

  private observe(o: RateLimitObservation, isProbe: boolean, sequence: number): void {
    const now = this.now();
    this.updateOffset(o);
    const hasHeaders = o.remaining !== undefined && o.resetSeconds !== undefined;
    if (!hasHeaders) {
      if (!this.known && o.status !== 429) this.headerless = true;
      if (o.status === 429) {
        this.blockedUntil = Math.max(this.blockedUntil, now + (o.retryAfterMs ?? DEFAULT_BLOCK_MS));
      }
      return;
    }
    const remaining = o.remaining as number;
    const reset = o.resetSeconds as number;
    const windowOver = this.known && now >= this.deadline;
    const uncounted = this.sentAfter(sequence);
    if (o.limit !== undefined) this.reserve = Math.floor(o.limit * RESERVE_FRACTION);
    if (this.windowReset === undefined || reset > this.windowReset) {
      // A new window: what the server has left, less what we have sent that it may not have counted.
      this.known = true;
      this.windowReset = reset;
      this.allowance = remaining - uncounted;
      this.deadline = this.toLocal(reset);
      this.probeBackoffMs = PROBE_BACKOFF_MIN_MS;
    } else if (reset === this.windowReset) {
      this.allowance = Math.min(this.allowance, remaining - uncounted);
      if (windowOver && isProbe) {
        // The announced reset has passed here but not at the server (Reset has 1 s resolution,
        // clocks differ): probe again a little later rather than sending the whole queue into 429s.
        this.deadline = now + this.probeBackoffMs;
        this.probeBackoffMs = Math.min(this.probeBackoffMs * 2, PROBE_BACKOFF_MAX_MS);
      } else if (!windowOver) {
        this.deadline = this.toLocal(reset);
      }
    }
    // else: a late answer from a window that has already ended; it says nothing about this one.
    if (o.status === 429 && reset >= (this.windowReset ?? reset)) this.allowance = 0;
  }

  /**
   * Narrow the bounds on (server clock - local clock): the server wrote `Date` (floored to the
   * second) between our send and our receive, and handled the request before its window's Reset.
   */
  private updateOffset(o: RateLimitObservation): void {
    let low = Number.NEGATIVE_INFINITY;
    let high = Number.POSITIVE_INFINITY;
    if (o.dateMs !== undefined && Number.isFinite(o.dateMs)) {
      low = o.dateMs - o.receivedAt;
      high = o.dateMs + 1_000 - o.sentAt;
    }
    if (o.resetSeconds !== undefined) high = Math.min(high, o.resetSeconds * 1_000 - o.sentAt);
    const nextLow = Math.max(this.offsetLow, low);
    const nextHigh = Math.min(this.offsetHigh, high);
    if (nextLow > nextHigh) {
      // The clocks jumped (or a header lied): start over from this observation.
      this.offsetLow = low;
      this.offsetHigh = Math.max(low, high);
    } else {
      this.offsetLow = nextLow;
      this.offsetHigh = nextHigh;
    }
  }

  /**
   * Server Unix seconds to local ms. The offset is the one closest to zero that the bounds allow:
   * synchronised clocks (NTP) are used as they are, a clock skewed beyond the bounds is corrected
   * to the nearest bound. Date's 1 s resolution alone would otherwise make every wait up to 1 s
   * late, a tenth of Intercom's window.
   */
  private toLocal(serverSeconds: number): number {
    const offset = Math.min(Math.max(0, this.offsetLow), this.offsetHigh);
    return serverSeconds * 1_000 - (Number.isFinite(offset) ? offset : 0);
  }

  private armTimer(at: number): void {
    if (this.timer && this.timerAt === at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(0, at - this.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
