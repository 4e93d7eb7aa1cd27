/**
 * Intercom's rate limit: a budget of calls per token per fixed window (10 s on the live API, where a
 * private app gets 10,000 calls a minute, about 1,666 per window).
 * @see https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
 */

/** The limit advertised in headers when no limit is set. */
export const UNLIMITED_RATE = 1_000_000;

/** The outcome of counting one call against the budget. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends, rounded up. */
  resetAt: number;
}

/** Fixed windows aligned to multiples of `windowMs` since the epoch, one counter per token. */
export class FixedWindowRateLimiter {
  private readonly counters = new Map<string, { windowStart: number; used: number }>();

  constructor(
    private readonly limit: number | null,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count a call for `token` and say whether it fits in the window's budget. */
  take(token: string): RateDecision {
    const counter = this.current(token);
    counter.used += 1;
    return this.decision(counter, this.limit === null || counter.used <= this.limit);
  }

  /** The current window's state without counting a call (for answers that skip the budget). */
  peek(token: string): RateDecision {
    return this.decision(this.current(token), true);
  }

  /** The token's counter for the window `now` falls in: a fresh one when that window has just begun. */
  private current(token: string): { windowStart: number; used: number } {
    const windowStart = Math.floor(this.now() / this.windowMs) * this.windowMs;
    let counter = this.counters.get(token);
    if (counter?.windowStart !== windowStart) {
      counter = { windowStart, used: 0 };
      this.counters.set(token, counter);
    }
    return counter;
  }

  private decision(counter: { windowStart: number; used: number }, allowed: boolean): RateDecision {
    const limit = this.limit ?? UNLIMITED_RATE;
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - counter.used),
      resetAt: Math.ceil((counter.windowStart + this.windowMs) / 1000),
    };
  }
}
