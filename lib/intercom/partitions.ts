/**
 * Listing a stream through several concurrent searches, each over a range of days of its
 * `created_at`, concatenated in day order so the result is one reproducible sequence.
 *
 * Contact searches match dates by calendar day in the workspace's time zone, and offer only `=`,
 * `>` (from the start of the next day) and `<` (before the start of the day). A range from day
 * `lo` (inclusive) to day `hi` (exclusive) is therefore asked as `(= lo OR > lo) AND < hi`: both
 * bounds are days, whatever the workspace's zone, and neighbouring ranges share their boundary value,
 * so they neither overlap nor leave a gap. Days cannot be split further: a day holding more records
 * than the bound stays one (longer) range.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
 */
import type { SearchQuery } from '../streams/types';

/** Seconds in a day: boundary values are UTC midnights; the API truncates them to its own zone's days. */
export const DAY_S = 86_400;

/**
 * Days `[lo, hi)` as Unix day numbers (`floor(t / DAY_S)`); `lo` null = from the beginning of time,
 * `hi` null = without end. The first range of a plan is open below and the last open above, so a
 * record the plan did not see (created meanwhile) still falls in one.
 */
export interface DayRange {
  lo: number | null;
  hi: number | null;
}

/** Options of {@link planPartitions}. */
export interface PlanOptions {
  /** How many records a range holds now (the search's `total_count`); may change between calls. */
  count(range: DayRange): Promise<number>;
  /** Day of the oldest and of the newest record, as the API said; undefined: it holds none. */
  span: { firstDay: number; lastDay: number } | undefined;
  /** Records a range should hold at most (a single day may hold more). */
  bound: number;
  /** How many records the whole stream holds, if known (saves one count). */
  total?: number;
}

/**
 * Cut the whole timeline into day ranges of at most `bound` records each (except single days
 * holding more), in day order, contiguous from the beginning of time to no end.
 *
 * A range over the bound is cut into about `2 × count / bound` equal spans of days (never below a
 * day), each counted (concurrently), and so on; then neighbours are merged while their sum stays
 * within the bound, so empty spans disappear into their neighbours. Counts only steer the cuts:
 * whatever they say (even changing between calls), the ranges cover every day exactly once.
 *
 * @throws whatever `count` throws.
 */
export async function planPartitions(options: PlanOptions): Promise<DayRange[]> {
  const { span, bound } = options;
  if (!span) return [{ lo: null, hi: null }];
  const first = span.firstDay;
  const end = Math.max(span.lastDay, first) + 1;
  const whole: DayRange = { lo: null, hi: null };
  const total = options.total ?? (await options.count(whole));
  const limit = Math.max(1, Math.floor(bound));
  const counted = await refine(whole, total);
  return merge(counted, limit);

  async function refine(range: DayRange, count: number): Promise<{ range: DayRange; count: number }[]> {
    const lo = range.lo ?? first;
    const hi = range.hi ?? end;
    if (count <= limit || hi - lo <= 1) return [{ range, count }];
    const pieces = Math.min(hi - lo, Math.max(2, Math.ceil((2 * count) / limit)));
    const cuts: DayRange[] = [];
    for (let k = 0; k < pieces; k++) {
      const a = k === 0 ? range.lo : lo + Math.floor(((hi - lo) * k) / pieces);
      const b = k === pieces - 1 ? range.hi : lo + Math.floor(((hi - lo) * (k + 1)) / pieces);
      cuts.push({ lo: a, hi: b });
    }
    const counts = await Promise.all(cuts.map((cut) => options.count(cut)));
    const nested = await Promise.all(cuts.map((cut, k) => refine(cut, counts[k] ?? 0)));
    return nested.flat();
  }
}

/** Neighbouring ranges joined while their counts add up to at most `bound`. */
function merge(counted: { range: DayRange; count: number }[], bound: number): DayRange[] {
  const out: { range: DayRange; count: number }[] = [];
  for (const piece of counted) {
    const last = out[out.length - 1];
    if (last && last.count + piece.count <= bound) {
      last.range = { lo: last.range.lo, hi: piece.range.hi };
      last.count += piece.count;
    } else {
      out.push({ range: { ...piece.range }, count: piece.count });
    }
  }
  return out.map((piece) => piece.range);
}

/**
 * The search query for the records of `range` on the date `field` (calendar-day matching): from the
 * start of day `lo` (`= lo OR > lo`) and before the start of day `hi` (`< hi`). A range open at both
 * ends matches every record that has the field.
 */
export function rangeQuery(field: string, range: DayRange): SearchQuery {
  const from = (day: number): SearchQuery => ({
    operator: 'OR',
    value: [
      { field, operator: '=', value: day * DAY_S },
      { field, operator: '>', value: day * DAY_S },
    ],
  });
  const before = (day: number): SearchQuery => ({ field, operator: '<', value: day * DAY_S });
  if (range.lo !== null && range.hi !== null) {
    return { operator: 'AND', value: [from(range.lo), before(range.hi)] };
  }
  if (range.lo !== null) return from(range.lo);
  if (range.hi !== null) return before(range.hi);
  // Every day: before day 0, on it, or after it.
  return {
    operator: 'OR',
    value: [before(0), { field, operator: '=', value: 0 }, { field, operator: '>', value: 0 }],
  };
}

/** Options of {@link concatConcurrent}. */
export interface ConcatOptions {
  /** How many sources run at once (the head one and those after it). */
  window: number;
  /** Items a source that is not the head may hold before it waits to become the head. */
  bufferLimit: number;
}

/**
 * The items of every source, source after source, each source read as soon as it is among the
 * `window` next ones; a source ahead of the head keeps at most `bufferLimit` items, then waits.
 * Memory is at most `window × bufferLimit` items. A source's failure is thrown when it is reached
 * (or at once, if it is the head); returning early stops every running source.
 */
export async function* concatConcurrent<T>(
  sources: readonly (() => AsyncIterable<T>)[],
  options: ConcatOptions,
): AsyncGenerator<T> {
  const window = Math.max(1, Math.floor(options.window));
  const bufferLimit = Math.max(1, Math.floor(options.bufferLimit));
  interface Lane {
    items: T[];
    done: boolean;
    failed: boolean;
    error?: unknown;
    /** Wakes the consumer when this lane has news. */
    notify?: () => void;
    /** Wakes the producer when it may read on. */
    resume?: () => void;
  }
  const lanes: Lane[] = [];
  let head = 0;
  let closed = false;

  const start = (index: number): void => {
    const lane: Lane = { items: [], done: false, failed: false };
    lanes[index] = lane;
    const wake = () => {
      const notify = lane.notify;
      lane.notify = undefined;
      notify?.();
    };
    void (async () => {
      const iterator = (sources[index] as () => AsyncIterable<T>)()[Symbol.asyncIterator]();
      try {
        for (;;) {
          while (!closed && index !== head && lane.items.length >= bufferLimit) {
            await new Promise<void>((resolve) => (lane.resume = resolve));
          }
          if (closed) {
            await iterator.return?.();
            return;
          }
          const next = await iterator.next();
          if (next.done) break;
          lane.items.push(next.value);
          wake();
        }
      } catch (error) {
        lane.failed = true;
        lane.error = error;
      }
      lane.done = true;
      wake();
    })();
  };

  try {
    for (let k = 0; k < Math.min(window, sources.length); k++) start(k);
    for (head = 0; head < sources.length; head++) {
      const lane = lanes[head] as Lane;
      const resume = lane.resume;
      lane.resume = undefined;
      resume?.();
      for (;;) {
        if (lane.items.length > 0) {
          const batch = lane.items;
          lane.items = [];
          yield* batch;
          continue;
        }
        if (lane.failed) throw lane.error;
        if (lane.done) break;
        await new Promise<void>((resolve) => (lane.notify = resolve));
      }
      lanes[head] = undefined as unknown as Lane;
      if (head + window < sources.length) start(head + window);
    }
  } finally {
    closed = true;
    for (const lane of lanes) {
      if (!lane) continue;
      const resume = lane.resume;
      lane.resume = undefined;
      resume?.();
    }
  }
}
