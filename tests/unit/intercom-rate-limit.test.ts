import { randomBytes } from 'node:crypto';
import { createIntercomClient } from '../../lib/intercom/client';
import { RateLimitBudget } from '../../lib/intercom/rate-limit';
import { startScriptedServer } from '../helpers/scripted-server';

async function drain<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function* ids(count: number): AsyncGenerator<string> {
  for (let i = 1; i <= count; i += 1) yield String(i);
}

describe('rate-limit budget', () => {
  test('uses each window close to its limit and never draws a 429 (50 per 500 ms, headers only)', async () => {
    const limit = 50;
    const server = await startScriptedServer({
      routes: {},
      rateLimit: { limit, windowMs: 500 },
      fallback: (req) => ({
        delayMs: 5 + (Number(req.path.split('/').pop()) % 4) * 5,
        body: { id: req.path },
      }),
    });
    const client = createIntercomClient({
      baseUrl: server.url,
      token: randomBytes(16).toString('hex'),
      apiVersion: '2.14',
      maxInFlight: 64,
    });
    try {
      const results = await drain(client.mapConcurrent(ids(260), (id) => client.getConversation(id)));
      expect(results).toHaveLength(260);
      expect(server.tooMany).toBe(0);
      expect(client.stats.rateLimited).toBe(0);
      // Every window between the first and the last one used is filled nearly to the limit.
      const used = [...server.windows.entries()].sort(([a], [b]) => a - b).map(([, n]) => n);
      const middle = used.slice(1, -1);
      expect(middle.length).toBeGreaterThanOrEqual(3);
      for (const n of middle) expect(n).toBeGreaterThanOrEqual(limit * 0.85);
      expect(Math.max(...used)).toBeLessThanOrEqual(limit);
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('subtracts from Remaining the requests sent after the answered one', async () => {
    const budget = new RateLimitBudget({ maxInFlight: 100, now: () => 1_000 });
    const controller = new AbortController();
    const first = await budget.acquire();
    first.release({ sentAt: 1_000, receivedAt: 1_000, status: 200, remaining: 10, resetSeconds: 5 });
    const tickets = [];
    for (let i = 0; i < 4; i += 1) tickets.push(await budget.acquire());
    // The second of four answers: 9 left, and the two sent after it may not be counted yet: 7 more.
    tickets[0]?.release({ sentAt: 1_000, receivedAt: 1_000, status: 200, remaining: 9, resetSeconds: 5 });
    tickets[1]?.release({ sentAt: 1_000, receivedAt: 1_000, status: 200, remaining: 7, resetSeconds: 5 });
    let granted = 0;
    const waiting = Array.from({ length: 10 }, () =>
      budget.acquire(controller.signal).then(
        () => (granted += 1),
        () => undefined,
      ),
    );
    await new Promise((r) => setImmediate(r));
    // 7 left at the last answer, less the 2 sent after it and still out: 5 more.
    expect(granted).toBe(5);
    controller.abort(new Error('test over'));
    await Promise.all(waiting);
    expect(budget.waiting).toBe(0);
  });

  test('holds every request after a 429 until Reset, then sends one probe before the rest', async () => {
    let now = 10_000;
    const budget = new RateLimitBudget({ maxInFlight: 10, now: () => now });
    const t = await budget.acquire();
    t.release({
      sentAt: now,
      receivedAt: now,
      status: 429,
      remaining: 0,
      resetSeconds: 10.2,
      dateMs: 10_000,
    });
    let granted = 0;
    const waiting = [budget.acquire(), budget.acquire()];
    for (const w of waiting) void w.then(() => (granted += 1));
    await new Promise((r) => setImmediate(r));
    expect(granted).toBe(0);
    now = 10_201;
    await new Promise((r) => setTimeout(r, 300));
    expect(granted).toBe(1);
    (await waiting[0])?.release({
      sentAt: now,
      receivedAt: now,
      status: 200,
      remaining: 49,
      resetSeconds: 20.2,
    });
    await new Promise((r) => setImmediate(r));
    expect(granted).toBe(2);
    (await waiting[1])?.release();
  });
});
