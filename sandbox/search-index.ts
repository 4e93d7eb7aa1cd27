import type { SearchFields } from './workspace';

/**
 * A search over contacts' `created_at` answered from a sorted index instead of a scan, so a
 * partitioned listing (hundreds of day-range searches over a million contacts) costs the sandbox
 * a binary search per query. Only queries built of `created_at` filters (`=`, `>`, `<`, matched by
 * calendar day, joined by AND / OR) take this path; {@link createdAtIntervals} says which.
 */

const DAY_S = 86_400;

/** Half-open `[from, to)` intervals of seconds, sorted and disjoint. */
export type Intervals = [number, number][];

function union(a: Intervals, b: Intervals): Intervals {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Intervals = [];
  for (const [from, to] of all) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function intersect(a: Intervals, b: Intervals): Intervals {
  const out: Intervals = [];
  for (const [af, at] of a) {
    for (const [bf, bt] of b) {
      const from = Math.max(af, bf);
      const to = Math.min(at, bt);
      if (from < to) out.push([from, to]);
    }
  }
  return union(out, []);
}

/**
 * The `created_at` intervals a contact query matches (calendar-day semantics, as compileQuery), or
 * undefined when the query uses anything else (the caller scans instead). Assumes the query was
 * already accepted by compileQuery.
 */
export function createdAtIntervals(query: unknown): Intervals | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  const q = query as Record<string, unknown>;
  if (q.operator === 'AND' || q.operator === 'OR') {
    if (!Array.isArray(q.value)) return undefined;
    let acc: Intervals | undefined;
    for (const part of q.value) {
      const next = createdAtIntervals(part);
      if (!next) return undefined;
      acc = acc === undefined ? next : q.operator === 'AND' ? intersect(acc, next) : union(acc, next);
    }
    return acc;
  }
  if (q.field !== 'created_at') return undefined;
  const t = Number(q.value);
  if (!Number.isSafeInteger(t)) return undefined;
  const day = Math.floor(t / DAY_S) * DAY_S;
  if (q.operator === '=') return [[day, day + DAY_S]];
  if (q.operator === '>') return [[day + DAY_S, Infinity]];
  if (q.operator === '<') return [[-Infinity, day]];
  return undefined;
}

/** Contacts' list indexes sorted by (`created_at`, list index), with their `created_at`. */
export class CreatedAtIndex {
  private readonly order: Int32Array;
  private readonly times: Float64Array;

  constructor(count: number, fieldsAt: (index: number) => SearchFields) {
    const created = new Float64Array(count);
    for (let i = 0; i < count; i++) created[i] = fieldsAt(i).created_at;
    const order = Int32Array.from({ length: count }, (_, i) => i);
    order.sort((a, b) => (created[a] as number) - (created[b] as number) || a - b);
    this.order = order;
    this.times = Float64Array.from(order, (i) => created[i] as number);
  }

  /** First position whose time is >= `t`. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The list indexes within `intervals`: sorted by `created_at` ascending (ties in list order) when
   * `ascending`, else in list order.
   */
  hits(intervals: Intervals, ascending: boolean): Int32Array {
    const parts: Int32Array[] = [];
    let size = 0;
    for (const [from, to] of intervals) {
      const part = this.order.subarray(this.lowerBound(from), this.lowerBound(to));
      parts.push(part);
      size += part.length;
    }
    const out = new Int32Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return ascending ? out : out.sort();
  }
}
