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
    const now = this.now();
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    let counter = this.counters.get(token);
    if (!counter || counter.windowStart !== windowStart) {
      counter = { windowStart, used: 0 };
      this.counters.set(token, counter);
    }
    counter.used += 1;
    const limit = this.limit ?? UNLIMITED_RATE;
    const resetAt = Math.ceil((windowStart + this.windowMs) / 1000);
    const allowed = this.limit === null || counter.used <= this.limit;
    return { allowed, limit, remaining: Math.max(0, limit - counter.used), resetAt };
  }

  /** The current window's state without counting a call (for answers that skip the budget). */
  peek(token: string): RateDecision {
    const now = this.now();
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    const counter = this.counters.get(token);
    const used = counter && counter.windowStart === windowStart ? counter.used : 0;
    const limit = this.limit ?? UNLIMITED_RATE;
    return {
      allowed: true,
      limit,
      remaining: Math.max(0, limit - used),
      resetAt: Math.ceil((windowStart + this.windowMs) / 1000),
    };
  }
}
