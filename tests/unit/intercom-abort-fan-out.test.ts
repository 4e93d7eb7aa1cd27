import { getEventListeners } from 'node:events';
import { onAbort } from '../../lib/intercom/abort-fan-out';
import { sleep } from '../../lib/intercom/backoff';
import { RateLimitBudget } from '../../lib/intercom/rate-limit';

describe('onAbort', () => {
  it('puts one abort listener on the signal however many subscribe, and calls each once', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    for (let i = 0; i < 100; i++) onAbort(controller.signal, () => calls.push(i));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.abort();
    expect(calls).toHaveLength(100);
  });

  it('removes the shared listener when the last subscriber leaves, and never calls one that left', () => {
    const controller = new AbortController();
    const called: string[] = [];
    const offA = onAbort(controller.signal, () => called.push('a'));
    const offB = onAbort(controller.signal, () => called.push('b'));
    offA();
    offA();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    offB();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    onAbort(controller.signal, () => called.push('c'));
    controller.abort();
    expect(called).toEqual(['c']);
  });

  it('keeps the signal at one listener while many sleeps and budget waits share it, then rejects them all', async () => {
    const controller = new AbortController();
    const budget = new RateLimitBudget({ maxInFlight: 1 });
    const first = await budget.acquire(controller.signal);
    const waits = Array.from({ length: 30 }, () => budget.acquire(controller.signal));
    const sleeps = Array.from({ length: 30 }, () => sleep(60_000, controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    controller.abort(reason);
    for (const p of [...waits, ...sleeps]) await expect(p).rejects.toBe(reason);
    first.release();
    expect(budget.waiting).toBe(0);
  });
});
