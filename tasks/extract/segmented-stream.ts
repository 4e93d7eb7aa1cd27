import type { StreamItem } from '../../lib/intercom/stream-source';
import type { StreamCheckpoint } from '../../lib/lake/checkpoint';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { runSegmentKey, type StreamName } from '../../lib/lake/keys';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';

/** One list item after its work: its id, and the record to write (undefined: nothing to write). */
export type Processed = StreamItem;

/** Options of {@link writeSegmentedStream}. */
export interface SegmentedStreamOptions<S extends { id: string }> {
  store: LakeStore;
  runId: string;
  stream: StreamName;
  /** The stream's part of the checkpoint; updated in place after each segment. */
  state: StreamCheckpoint;
  /** A fresh listing from the first item (each call starts over). */
  list(): AsyncIterable<S>;
  /**
   * The key of a listed item, as `process` gives it in `Processed.id` (default: its `id`); a
   * resumed stream compares the item at its saved position with the saved `lastId` by it.
   */
  keyOf?(item: S): string;
  /** The per-item work (details, nested lists), results in source order. */
  process(items: AsyncIterable<S>): AsyncIterable<Processed>;
  /** Records per segment object. */
  segmentRecords: number;
  /** Number of the first segment object (default 1); the catch-up pass numbers its own apart. */
  firstSegment?: number;
  /** Called with each item (with or without a record) as its segment is written; its effects belong to the open segment. */
  onItem?(item: Processed): void;
  /** Make the open segment's effects part of `state` (the segment was written). */
  commit?(): void;
  /** Forget the effects of every earlier segment (the stream restarts from the beginning). */
  reset?(): void;
  /** Persist the checkpoint; called after each segment and at the end. */
  save(): Promise<void>;
  /** Checked between segments: when aborted, stop with its reason. */
  signal?: AbortSignal;
  log: Logger;
}

/**
 * Write one stream as numbered segment objects of `segmentRecords` records, saving the checkpoint
 * after each, so a killed run loses at most one open segment of work per stream.
 *
 * Resuming: the client has no "list from this cursor" call, so a resumed stream lists again from the
 * start and skips the first `state.position` items without doing their work; list pages are one call
 * per 150 items, the work skipped (details, nested lists) is most of the calls. If the item at the
 * saved position is no longer the saved `lastId` (items were deleted or moved meanwhile), skipping
 * would be unsafe, so the stream restarts from the beginning and says so in a log line.
 *
 * @throws whatever the listing, the work or the store throws; the checkpoint then describes the
 *   segments written before.
 */
export async function writeSegmentedStream<S extends { id: string }>(
  options: SegmentedStreamOptions<S>,
): Promise<void> {
  const { state, log, stream } = options;
  if (state.done) return;
  let source = options.list()[Symbol.asyncIterator]();
  if (state.position > 0) {
    let skipped = 0;
    let lastSkipped: string | undefined;
    while (skipped < state.position) {
      const next = await source.next();
      if (next.done) break;
      lastSkipped = options.keyOf ? options.keyOf(next.value) : String(next.value.id);
      skipped++;
    }
    if (skipped === state.position && lastSkipped === state.lastId) {
      log.info({ stream, skipped, segments: state.segments.length }, 'resuming stream after its checkpoint');
    } else {
      log.warn(
        { stream, position: state.position, expectedId: state.lastId, foundId: lastSkipped ?? null },
        'saved position no longer matches the list; restarting this stream from the beginning',
      );
      await source.return?.();
      state.position = 0;
      state.lastId = null;
      state.count = 0;
      state.segments = [];
      options.reset?.();
      await options.save();
      source = options.list()[Symbol.asyncIterator]();
    }
  }
  // The skip above already consumed items from `source`; this view must not restart or close it.
  const rest: AsyncIterable<S> = { [Symbol.asyncIterator]: () => source };
  const results = options.process(rest)[Symbol.asyncIterator]();
  let ended = false;
  while (!ended) {
    const first = await results.next();
    if (first.done) break;
    if (options.signal?.aborted) throw options.signal.reason;
    let records = 0;
    let consumed = 0;
    let lastId = state.lastId;
    async function* segment(): AsyncGenerator<unknown> {
      let current: IteratorResult<Processed> = first;
      for (;;) {
        const item = current.value as Processed;
        consumed++;
        lastId = item.id;
        options.onItem?.(item);
        if (item.record !== undefined) {
          records++;
          yield item.record;
        }
        if (records >= options.segmentRecords) return;
        current = await results.next();
        if (current.done) {
          ended = true;
          return;
        }
      }
    }
    const key = runSegmentKey(options.runId, stream, (options.firstSegment ?? 1) + state.segments.length);
    const written = await options.store.put(key, jsonArrayChunks(segment()));
    state.segments.push({ key, count: records, bytes: written.bytes, sha256: written.sha256 });
    state.position += consumed;
    state.lastId = lastId;
    state.count += records;
    options.commit?.();
    await options.save();
  }
  state.done = true;
  await options.save();
}
