import { SourceError } from '../../lib/errors';
import { emptyStreamCheckpoint, type SegmentInfo } from '../../lib/lake/checkpoint';
import { streamNamed } from '../../lib/streams/registry';
import type { Incremental, SearchQuery } from '../../lib/streams/types';
import { writeSegmentedStream, type SegmentedStreamOptions } from './segmented-stream';

/**
 * Most records a catch-up pass takes: it holds their ids in memory to leave the main copies out
 * at assembly. Only records changed while the run went are expected, so more means the workspace
 * changes faster than a run can copy it, and the run fails rather than use unbounded memory.
 */
export const MAX_CATCH_UP_IDS = 100_000;

/**
 * Catch-up segments are numbered from here (`users-900001.json`), apart from the main ones: a main
 * stream would need 900 million records at 1,000 per segment to reach it.
 */
export const CATCH_UP_FIRST_SEGMENT = 900_001;

const DAY_S = 86_400;
/** A day can be 25 hours long across a daylight-saving change. */
const DST_SLACK_S = 3_600;

/**
 * The filter on a stream's cursor field that finds every record changed since `startedAt`, as its
 * search matches dates: by calendar day ({@link contactsChangedSince}) or to the second
 * ({@link conversationsChangedSince}).
 */
export function changedSince(incremental: Incremental, startedAt: Date): SearchQuery {
  return incremental.match === 'calendar-day'
    ? contactsChangedSince(startedAt, incremental.cursorField)
    : conversationsChangedSince(startedAt, incremental.cursorField);
}

/**
 * The `updated_at` filter that finds every contact changed since `startedAt` (the `calendar-day`
 * match; another field with `field`).
 *
 * Intercom matches contact dates by calendar day in the workspace's time zone: `>` a timestamp
 * means "from the start of the next day" there, and the exact second is ignored
 * (see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts).
 * Asking for `>` one day and one hour before the start reaches back to a day start at or before
 * the run's start in any time zone, so the zone from `/me` is not needed; the cost is re-fetching
 * contacts changed up to two days before the run.
 */
export function contactsChangedSince(startedAt: Date, field = 'updated_at'): SearchQuery {
  const start = Math.floor(startedAt.getTime() / 1000);
  return { field, operator: '>', value: start - DAY_S - DST_SLACK_S };
}

/**
 * The `updated_at` filter that finds every conversation changed since `startedAt` (the
 * `exact-second` match; another field with `field`): conversation search matches exact
 * timestamps, and `updated_at` has whole seconds, so `>` start − 1 s.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/searchconversations
 */
export function conversationsChangedSince(startedAt: Date, field = 'updated_at'): SearchQuery {
  return { field, operator: '>', value: Math.floor(startedAt.getTime() / 1000) - 1 };
}

/**
 * Options of {@link writeCatchUp}: those of a segmented stream, with a search in place of the list
 * and no checkpoint of its own (the pass reruns whole on resume).
 */
export type CatchUpOptions<S extends { id: string }> = Pick<
  SegmentedStreamOptions<S>,
  'store' | 'runId' | 'stream' | 'process' | 'segmentRecords' | 'onItem' | 'signal' | 'log'
> & {
  /** The search for records changed since the run started. */
  search(): AsyncIterable<S>;
  /** Default {@link MAX_CATCH_UP_IDS}. */
  maxIds?: number;
};

/** What a catch-up pass wrote. */
export interface CatchUpResult {
  /** Every id the search found: their main-pass copies are replaced (or dropped when gone). */
  ids: Set<string>;
  segments: SegmentInfo[];
  /** Records written. */
  count: number;
}

/**
 * Fetch again every record the search finds and write them as catch-up segments, each id once.
 *
 * Why: a cursor list that changes while it is read can skip a record that moves ahead of the
 * cursor, and copies records read before they changed in their older version; searching by
 * `updated_at` after the lists finds exactly those. The pass keeps no checkpoint: after a resume it
 * simply runs again from the run's start time.
 *
 * @throws SourceError when the search finds more than `maxIds` records (the message says what to
 *   do); whatever the search, the work or the store throws.
 */
export async function writeCatchUp<S extends { id: string }>(
  options: CatchUpOptions<S>,
): Promise<CatchUpResult> {
  const maxIds = options.maxIds ?? MAX_CATCH_UP_IDS;
  const ids = new Set<string>();
  const state = emptyStreamCheckpoint();
  async function* unique(): AsyncGenerator<S> {
    for await (const item of options.search()) {
      const id = String(item.id);
      // A search re-sorted by a change while it is paged can repeat a record beyond the dedup window.
      if (ids.has(id)) continue;
      if (ids.size >= maxIds) {
        throw new SourceError(
          `More than ${maxIds} ${streamNamed(options.stream).label} changed in Intercom while this extract ran, more than its catch-up pass holds; data/ is unchanged. Run the extract at a quieter time, or raise the limit (MAX_CATCH_UP_IDS in tasks/extract/catch-up.ts) if the memory allows.`,
          { cause: new Error(`catch-up set of ${options.stream} over ${maxIds}`) },
        );
      }
      ids.add(id);
      yield item;
    }
  }
  await writeSegmentedStream({
    store: options.store,
    runId: options.runId,
    stream: options.stream,
    state,
    list: unique,
    process: options.process,
    segmentRecords: options.segmentRecords,
    firstSegment: CATCH_UP_FIRST_SEGMENT,
    onItem: options.onItem,
    // No checkpoint: the pass is rerun whole on resume.
    save: () => Promise.resolve(),
    signal: options.signal,
    log: options.log,
  });
  options.log.info({ stream: options.stream, found: ids.size, written: state.count }, 'catch-up pass done');
  return { ids, segments: state.segments, count: state.count };
}
