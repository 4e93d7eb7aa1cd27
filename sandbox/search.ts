import type { SearchFields } from './workspace';

/**
 * Evaluation of Intercom search queries (`POST /contacts/search`, `POST /conversations/search`) over
 * the fields the sandbox indexes: `id`, `created_at`, `updated_at`.
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
 */

/** A query that the sandbox cannot run; the server answers 400 `parameter_invalid`. */
export class SearchQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchQueryError';
  }
}

/** A compiled query: true when a record matches. */
export type Matcher = (record: SearchFields) => boolean;

const DAY_S = 86_400;
const DATE_FIELDS = new Set(['created_at', 'updated_at']);

/** How dates compare: contacts by calendar day in the workspace time zone, conversations exactly. */
export type DateSemantics = 'calendar-day' | 'exact';

function toTimestamp(value: unknown, field: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(n)) throw new SearchQueryError(`${field} needs a Unix timestamp value`);
  return n;
}

/** Seconds `timeZone` is ahead of UTC at Unix time `t`. */
export function zoneOffsetS(timeZone: string, t: number): number {
  if (timeZone === 'UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t * 1000));
  const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) / 1000;
  return local - t;
}

/** Unix time of the start of the calendar day that holds `t` in `timeZone`. */
export function dayStartIn(timeZone: string, t: number): number {
  const offset = zoneOffsetS(timeZone, t);
  return Math.floor((t + offset) / DAY_S) * DAY_S - offset;
}

function compileFilter(filter: Record<string, unknown>, dates: DateSemantics, timeZone: string): Matcher {
  const { field, operator, value } = filter;
  if (typeof field !== 'string') throw new SearchQueryError('each filter needs a field');
  if (field === 'id') {
    if (operator === '=') {
      const wanted = String(value);
      return (r) => r.id === wanted;
    }
    if (operator === 'IN' || operator === 'NIN') {
      if (!Array.isArray(value)) throw new SearchQueryError('IN and NIN need an array value');
      const set = new Set(value.map(String));
      return operator === 'IN' ? (r) => set.has(r.id) : (r) => !set.has(r.id);
    }
    if (operator === '!=') {
      const wanted = String(value);
      return (r) => r.id !== wanted;
    }
    throw new SearchQueryError(`operator ${String(operator)} is not supported for id`);
  }
  if (!DATE_FIELDS.has(field)) throw new SearchQueryError(`field ${field} is not supported by the sandbox`);
  const key = field as 'created_at' | 'updated_at';
  const t = toTimestamp(value, field);
  if (dates === 'calendar-day') {
    // Intercom truncates contact date searches to the day in the workspace's time zone: "=" is the
    // whole day, ">" starts the next day.
    const day = dayStartIn(timeZone, t);
    const next = dayStartIn(timeZone, day + DAY_S + 3_600);
    if (operator === '=') return (r) => r[key] >= day && r[key] < next;
    if (operator === '>') return (r) => r[key] >= next;
    if (operator === '<') return (r) => r[key] < day;
    throw new SearchQueryError(`operator ${String(operator)} is not supported on date field ${field}`);
  }
  switch (operator) {
    case '=':
      return (r) => r[key] === t;
    case '>':
      return (r) => r[key] > t;
    case '<':
      return (r) => r[key] < t;
    case '>=':
      return (r) => r[key] >= t;
    case '<=':
      return (r) => r[key] <= t;
    case '!=':
      return (r) => r[key] !== t;
    default:
      throw new SearchQueryError(`operator ${String(operator)} is not supported on date field ${field}`);
  }
}

/**
 * Compile a search `query` (a single filter, or `AND`/`OR` of filters, nested up to two levels).
 *
 * @throws SearchQueryError for a missing or unsupported field, operator or value.
 */
export function compileQuery(query: unknown, dates: DateSemantics, depth = 0, timeZone = 'UTC'): Matcher {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) {
    throw new SearchQueryError('query must be an object');
  }
  const q = query as Record<string, unknown>;
  if (q.operator === 'AND' || q.operator === 'OR') {
    if (depth > 2) throw new SearchQueryError('queries nest at most 2 levels');
    if (!Array.isArray(q.value) || q.value.length === 0) {
      throw new SearchQueryError(`${q.operator} needs a non-empty array of filters`);
    }
    if (q.value.length > 15) throw new SearchQueryError('at most 15 filters per AND or OR group');
    const parts = q.value.map((v) => compileQuery(v, dates, depth + 1, timeZone));
    return q.operator === 'AND' ? (r) => parts.every((m) => m(r)) : (r) => parts.some((m) => m(r));
  }
  return compileFilter(q, dates, timeZone);
}

/** A `sort` object: `{ field, order }`, field `created_at` or `updated_at`. */
export interface SearchSort {
  field: 'created_at' | 'updated_at' | 'id';
  order: 'ascending' | 'descending';
}

/**
 * Read an optional `sort`.
 *
 * @throws SearchQueryError for an unknown field or order.
 */
export function parseSort(raw: unknown): SearchSort | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new SearchQueryError('sort must be an object');
  const { field, order = 'descending' } = raw as Record<string, unknown>;
  if (field !== 'created_at' && field !== 'updated_at' && field !== 'id') {
    throw new SearchQueryError('sort.field must be created_at, updated_at or id');
  }
  if (order !== 'ascending' && order !== 'descending') {
    throw new SearchQueryError('sort.order must be ascending or descending');
  }
  return { field, order };
}

/**
 * The list indexes (0..count-1) that match, in list order or sorted; 4 bytes per match.
 */
export function runSearch(
  count: number,
  fieldsAt: (index: number) => SearchFields,
  matcher: Matcher,
  sort: SearchSort | undefined,
  include?: (index: number) => boolean,
): Int32Array {
  const hits: number[] = [];
  const keys: (number | string)[] = [];
  for (let i = 0; i < count; i++) {
    if (include && !include(i)) continue;
    const fields = fieldsAt(i);
    if (!matcher(fields)) continue;
    hits.push(i);
    if (sort) keys.push(sort.field === 'id' ? fields.id : fields[sort.field]);
  }
  if (!sort) return Int32Array.from(hits);
  const order = Array.from(hits.keys());
  const dir = sort.order === 'ascending' ? 1 : -1;
  order.sort((a, b) => {
    const ka = keys[a] ?? 0;
    const kb = keys[b] ?? 0;
    // Ties keep list order so paging through a sorted result is stable.
    return ka < kb ? -dir : ka > kb ? dir : a - b;
  });
  return Int32Array.from(order, (n) => hits[n] ?? 0);
}
