import type { Incremental, SearchQuery } from '../../lib/streams/types';
import { changedSince } from './catch-up';

const DAY_S = 86_400;
/** A day can be 25 hours long across a daylight-saving change. */
const DST_SLACK_S = 3_600;

/** Changes to copy: `updated_at` from `from` (inclusive) up to `to` (exclusive; open when undefined), Unix seconds. */
export interface ChangeWindow {
  from: number;
  to?: number;
}

/**
 * The search filter that finds every record of the stream whose cursor field lies in `window`, as
 * the stream's search matches dates; it may find more (a contact search matches whole calendar
 * days in the workspace's time zone), never less, so the caller keeps only what
 * {@link inWindow} says.
 *
 * For `calendar-day` searches `>` t starts the day after t's day and `<` t ends before t's day, in
 * the workspace's zone, which may be anywhere from UTC-12 to UTC+14: reaching one day and one hour
 * beyond each edge covers the window in every zone without asking `/me` for it.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
 */
export function changedIn(incremental: Incremental, window: ChangeWindow): SearchQuery {
  const from = changedSince(incremental, new Date(window.from * 1000));
  if (window.to === undefined) return from;
  const field = incremental.cursorField;
  const to: SearchQuery =
    incremental.match === 'calendar-day'
      ? { field, operator: '<', value: window.to + DAY_S + DST_SLACK_S }
      : { field, operator: '<', value: window.to };
  return { operator: 'AND', value: [from, to] };
}

/** Whether a record whose cursor field is `updated` (undefined: the record has none) is one the window copies. */
export function inWindow(window: ChangeWindow, updated: number | undefined): boolean {
  // A record without a usable cursor is kept, so the load can quarantine it rather than lose it.
  if (updated === undefined) return window.to === undefined;
  return updated >= window.from && (window.to === undefined || updated < window.to);
}

/** The cursor field of `record` as Unix seconds, or undefined when it is missing or not a number. */
export function cursorOf(record: unknown, field: string): number | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const value = (record as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : undefined;
}
