import {
  DAY_S,
  concatConcurrent,
  planPartitions,
  rangeQuery,
  type DayRange,
} from '../../lib/intercom/partitions';
import { compileQuery } from '../../sandbox/search';

/** Records per day: `days[d]` records on day `first + d`. */
function timeline(first: number, days: number[]) {
  const count = async (range: DayRange): Promise<number> => {
    let n = 0;
    days.forEach((c, d) => {
      const day = first + d;
      if ((range.lo === null || day >= range.lo) && (range.hi === null || day < range.hi)) n += c;
    });
    return n;
  };
  return { count, span: { firstDay: first, lastDay: first + days.length - 1 } };
}

/** The ranges are in day order, contiguous, open at both ends: every day falls in exactly one. */
function expectCoversEveryDayOnce(plan: DayRange[]): void {
  expect(plan[0]?.lo).toBeNull();
  expect(plan[plan.length - 1]?.hi).toBeNull();
  for (let k = 1; k < plan.length; k++) {
    const before = plan[k - 1] as DayRange;
    const here = plan[k] as DayRange;
    expect(here.lo).not.toBeNull();
    expect(here.lo).toBe(before.hi);
    if (here.hi !== null) expect(here.hi).toBeGreaterThan(here.lo as number);
  }
}

describe('planPartitions', () => {
  it('cuts a timeline into day ranges of at most the bound, each day once', async () => {
    const days = Array.from({ length: 40 }, (_, d) => (d * 37) % 90);
    const { count, span } = timeline(18_000, days);
    const plan = await planPartitions({ count, span, bound: 200 });
    expectCoversEveryDayOnce(plan);
    expect(plan.length).toBeGreaterThan(1);
    const counts = await Promise.all(plan.map(count));
    for (const n of counts) expect(n).toBeLessThanOrEqual(200);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(days.reduce((a, b) => a + b, 0));
  });

  it('keeps a day holding more than the bound as a range of its own', async () => {
    const { count, span } = timeline(18_000, [10, 10, 5_000, 10, 10]);
    const plan = await planPartitions({ count, span, bound: 100 });
    expectCoversEveryDayOnce(plan);
    const counts = await Promise.all(plan.map(count));
    expect(counts).toContain(5_000);
    const big = plan[counts.indexOf(5_000)] as DayRange;
    // Only day 18,002 lies in it (its ends may be open only if it is first or last).
    expect(big).toEqual({ lo: 18_002, hi: 18_003 });
    for (const n of counts) if (n !== 5_000) expect(n).toBeLessThanOrEqual(100);
  });

  it('answers one range for everything when the stream is empty', async () => {
    const count = jest.fn(async () => 0);
    expect(await planPartitions({ count, span: undefined, bound: 100 })).toEqual([{ lo: null, hi: null }]);
    expect(count).not.toHaveBeenCalled();
  });

  it('merges empty ranges into their neighbours', async () => {
    const days = Array.from({ length: 100 }, (_, d) => (d === 0 || d === 99 ? 80 : 0));
    const { count, span } = timeline(18_000, days);
    const plan = await planPartitions({ count, span, bound: 100, total: 160 });
    expectCoversEveryDayOnce(plan);
    // Two ranges of 80: the 98 empty days went into them, not into ranges of their own.
    expect(plan).toHaveLength(2);
    expect(await Promise.all(plan.map(count))).toEqual([80, 80]);
  });

  it('still covers every day once when total_count changes between calls', async () => {
    let calls = 0;
    // Each answer differs: growing, shrinking, sometimes zero, sometimes huge.
    const count = async (): Promise<number> => {
      const answer = [5_000, 0, 120, 3, 99_999, 1][calls % 6] as number;
      calls += 1;
      return answer;
    };
    const plan = await planPartitions({ count, span: { firstDay: 18_000, lastDay: 18_300 }, bound: 100 });
    expectCoversEveryDayOnce(plan);
    expect(calls).toBeGreaterThan(1);
  });
});

describe('rangeQuery', () => {
  // Contacts match dates by calendar day: `>` starts the next day, `<` stops before the day.
  const at = (day: number, hour: number) => ({
    id: 'x',
    created_at: day * DAY_S + hour * 3_600,
    updated_at: 0,
  });
  const matches = (range: DayRange, day: number, hour: number): boolean =>
    compileQuery(rangeQuery('created_at', range), 'calendar-day')(at(day, hour));

  it('matches from the start of its first day to before its end day, under calendar-day matching', () => {
    const range = { lo: 100, hi: 103 };
    expect(matches(range, 99, 23)).toBe(false);
    expect(matches(range, 100, 0)).toBe(true);
    expect(matches(range, 102, 23)).toBe(true);
    expect(matches(range, 103, 0)).toBe(false);
  });

  it('matches every record when open at both ends, and only one side when open at one', () => {
    expect(matches({ lo: null, hi: null }, 0, 0)).toBe(true);
    expect(matches({ lo: null, hi: null }, 30_000, 5)).toBe(true);
    expect(matches({ lo: null, hi: 50 }, 49, 23)).toBe(true);
    expect(matches({ lo: null, hi: 50 }, 50, 0)).toBe(false);
    expect(matches({ lo: 50, hi: null }, 50, 0)).toBe(true);
    expect(matches({ lo: 50, hi: null }, 49, 23)).toBe(false);
  });

  it('matches the same exact boundary under exact-second matching', () => {
    const query = rangeQuery('created_at', { lo: 100, hi: 101 });
    const match = compileQuery(query, 'exact');
    expect(match({ id: 'x', created_at: 100 * DAY_S, updated_at: 0 })).toBe(true);
    expect(match({ id: 'x', created_at: 101 * DAY_S - 1, updated_at: 0 })).toBe(true);
    expect(match({ id: 'x', created_at: 101 * DAY_S, updated_at: 0 })).toBe(false);
  });
});

describe('concatConcurrent', () => {
  const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  async function* slow(items: number[], ms: number): AsyncGenerator<number> {
    for (const item of items) {
      await delay(ms);
      yield item;
    }
  }
  async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of source) out.push(item);
    return out;
  }

  it('gives every source in order, whichever finishes first', async () => {
    const sources = [() => slow([1, 2, 3], 15), () => slow([], 1), () => slow([4, 5], 1), () => slow([6], 5)];
    expect(await all(concatConcurrent(sources, { window: 3, bufferLimit: 1 }))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('runs up to the window of sources at once, and no more', async () => {
    let running = 0;
    let most = 0;
    const source = (n: number) =>
      async function* (): AsyncGenerator<number> {
        running += 1;
        most = Math.max(most, running);
        await delay(5);
        yield n;
        running -= 1;
      };
    const sources = Array.from({ length: 10 }, (_, n) => source(n));
    expect(await all(concatConcurrent(sources, { window: 4, bufferLimit: 10 }))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(most).toBe(4);
  });

  it('throws a failing source when it is reached, after the items before it', async () => {
    const seen: number[] = [];
    const sources = [
      () => slow([1, 2], 10),
      async function* (): AsyncGenerator<number> {
        yield 3;
        throw new Error('page refused');
      },
    ];
    await expect(
      (async () => {
        for await (const item of concatConcurrent(sources, { window: 2, bufferLimit: 5 })) seen.push(item);
      })(),
    ).rejects.toThrow('page refused');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops every running source when the consumer returns early', async () => {
    const closed: number[] = [];
    const source = (n: number) =>
      async function* (): AsyncGenerator<number> {
        try {
          for (let k = 0; ; k++) {
            await delay(1);
            yield n * 100 + k;
          }
        } finally {
          closed.push(n);
        }
      };
    const out: number[] = [];
    for await (const item of concatConcurrent([source(0), source(1), source(2)], {
      window: 3,
      bufferLimit: 2,
    })) {
      out.push(item);
      if (out.length === 5) break;
    }
    expect(out).toEqual([0, 1, 2, 3, 4]);
    await delay(30);
    expect(closed.sort()).toEqual([0, 1, 2]);
  });
});
