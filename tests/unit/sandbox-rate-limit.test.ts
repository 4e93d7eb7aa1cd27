import { FixedWindowRateLimiter, UNLIMITED_RATE } from '../../sandbox/rate-limit';

describe('FixedWindowRateLimiter', () => {
  it('allows the budget per token per window, then refuses until the next window', () => {
    let now = 1_000_000_000_000;
    const limiter = new FixedWindowRateLimiter(2, 10_000, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].map((d) => d.allowed)).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.take('b').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toMatchObject({ allowed: false, limit: 2, remaining: 0, resetAt: 1_000_000_010 });
    now += 10_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 1, resetAt: 1_000_000_020 });
  });

  it('rounds the reset time up to whole seconds', () => {
    const limiter = new FixedWindowRateLimiter(5, 1_500, () => 1_500 * 1_000 + 10);
    expect(limiter.take('a').resetAt).toBe(Math.ceil((1_500 * 1_001) / 1000));
  });

  it('never refuses without a limit but still reports a large one', () => {
    const limiter = new FixedWindowRateLimiter(null, 10_000, () => 0);
    for (let n = 0; n < 1000; n++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.peek('a')).toMatchObject({ limit: UNLIMITED_RATE, remaining: UNLIMITED_RATE - 1000 });
  });
});
