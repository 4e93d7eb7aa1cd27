import { mapConcurrent } from '../../lib/intercom/map-concurrent';

async function* numbers(count: number, pulled: { n: number } = { n: 0 }): AsyncGenerator<number> {
  for (let i = 0; i < count; i += 1) {
    pulled.n += 1;
    yield i;
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('mapConcurrent', () => {
  test('yields results in source order although calls finish out of order', async () => {
    const out: number[] = [];
    let running = 0;
    let maxRunning = 0;
    for await (const v of mapConcurrent(
      numbers(40),
      async (i) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await pause((i * 7) % 11);
        running -= 1;
        return i * 2;
      },
      { concurrency: 5, maxPending: 10 },
    )) {
      out.push(v);
    }
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect(maxRunning).toBe(5);
  });

  test('takes at most maxPending items ahead of a consumer that stops reading', async () => {
    const pulled = { n: 0 };
    const iterator = mapConcurrent(numbers(1_000, pulled), async (i) => i, { concurrency: 4, maxPending: 8 });
    await iterator.next();
    await pause(20);
    expect(pulled.n).toBeLessThanOrEqual(9);
    await iterator.return(undefined);
  });

  test('throws the first error after the calls already running have settled, and starts no more', async () => {
    let started = 0;
    let settled = 0;
    const out: number[] = [];
    const run = async (): Promise<void> => {
      for await (const v of mapConcurrent(
        numbers(100),
        async (i) => {
          started += 1;
          try {
            if (i === 3) throw new Error('item 3 failed');
            await pause(i === 2 ? 30 : 5);
            return i;
          } finally {
            settled += 1;
          }
        },
        { concurrency: 4, maxPending: 8 },
      )) {
        out.push(v);
      }
    };
    await expect(run()).rejects.toThrow('item 3 failed');
    expect(settled).toBe(started);
    expect(started).toBeLessThan(100);
    expect(out).toEqual([0, 1].slice(0, out.length));
  });

  test('an error thrown by the source is thrown after running calls settle', async () => {
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error('source broke');
    }
    await expect(
      (async () => {
        for await (const _ of mapConcurrent(broken(), async (i) => i, { concurrency: 2, maxPending: 2 }))
          void _;
      })(),
    ).rejects.toThrow('source broke');
  });
});
