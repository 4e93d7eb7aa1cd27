import { daysBetween } from '../../lib/days';
import { DataError, SourceError, TransientError } from '../../lib/errors';
import {
  writeIncrementManifest,
  type IncrementManifest,
  type StreamIncrement,
} from '../../lib/lake/increment-manifest';
import { incrementDayPrefix, newRunId, runIdOfIncrementKey, runSegmentsPrefix } from '../../lib/lake/keys';
import { acquireExtractLease } from '../../lib/lake/lease';
import { STREAMS } from '../../lib/streams/registry';
import { copyChanges, type StreamRun } from './increment-phases';
import { anySignal, SEGMENT_RECORDS, type IncrementalOptions } from './run-incremental';
import { requestsSoFar } from './requests-so-far';

/** Options of {@link runBackfill}: an incremental run's, and the days. */
export interface BackfillOptions extends Omit<IncrementalOptions, 'sweepDeletes' | 'runId'> {
  /** First day, `YYYY-MM-DD` (UTC). */
  since: string;
  /** Last day, inclusive. */
  until: string;
  /** Called as each day ends, for progress. */
  onDay?(day: string, outcome: 'done' | 'failed', index: number, total: number): void;
}

/**
 * Copy each day from `since` to `until` as its own unit: every record of each stream with a cursor
 * whose `updated_at` falls on that UTC day, written to `increments/<stream>/date=<day>/<runId>.json`
 * and published by its own manifest, after which the day's files of earlier runs are deleted (a
 * day run again is replaced whole). A failed day is reported and the others go on; bookmarks do
 * not move.
 * @throws Error naming the failed days after every day was tried.
 */
export async function runBackfill(options: BackfillOptions): Promise<IncrementManifest[]> {
  const days = daysBetween(options.since, options.until);
  const done: IncrementManifest[] = [];
  const failed: { day: string; error: unknown }[] = [];
  for (const [index, day] of days.entries()) {
    try {
      done.push(await backfillDay(options, day));
      options.log.info({ day, done: index + 1, of: days.length }, 'day copied');
      options.onDay?.(day, 'done', index, days.length);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failed.push({ day, error });
      options.log.error({ day, err: error instanceof Error ? error.message : String(error) }, 'day failed');
      options.onDay?.(day, 'failed', index, days.length);
    }
  }
  if (failed.length > 0) {
    const first = failed[0]?.error;
    const why = first instanceof Error ? first.message : String(first);
    const message = `Backfill of ${failed.length} of ${days.length} days failed (${failed.map((f) => f.day).join(', ')}); the other days were copied. First failure: ${why} Run the failed days again (--since and --until of each).`;
    // The exit code follows the first failure: a refused token (3) is not worth a retry, a 429 storm is.
    if (first instanceof SourceError) throw new SourceError(message, { cause: first, status: first.status });
    if (first instanceof DataError) throw new DataError(message, { cause: first, location: first.location });
    throw new TransientError(message, { cause: first });
  }
  return done;
}

async function backfillDay(options: BackfillOptions, day: string): Promise<IncrementManifest> {
  const { client, store, log } = options;
  await client.me();
  const runId = newRunId();
  const lease = await acquireExtractLease(store, {
    runId,
    log,
    ttlMs: options.leaseTtlMs,
    signal: options.signal,
  });
  try {
    const startedAt = new Date();
    const run: StreamRun = {
      client,
      store,
      log,
      runId,
      segmentRecords: options.segmentRecords ?? SEGMENT_RECORDS,
      signal: anySignal([options.signal, lease.lost]),
    };
    const from = Date.parse(`${day}T00:00:00Z`) / 1000;
    const window = { from, to: from + 86_400 };
    const streams: Record<string, StreamIncrement> = {};
    const timings: Record<string, number> = {};
    await Promise.all(
      STREAMS.filter((s) => s.incremental).map(async (stream) => {
        const started = performance.now();
        const copied = await copyChanges(run, stream, window, { days: new Set([day]) });
        streams[stream.name] = {
          kind: 'changes',
          since: new Date(window.from * 1000).toISOString(),
          through: new Date(window.to * 1000).toISOString(),
          files: copied.files,
          deleted: [],
          swept: false,
        };
        timings[stream.name] = Math.round(performance.now() - started);
      }),
    );
    const manifest: IncrementManifest = {
      runId,
      mode: 'backfill',
      day,
      apiUrl: options.apiUrl,
      apiVersion: options.apiVersion,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      streams,
      timings,
      requests: requestsSoFar(client),
    };
    await lease.assertHeld();
    await writeIncrementManifest(store, manifest);
    // The day is replaced whole: earlier runs' files of it go.
    for (const stream of STREAMS.filter((s) => s.incremental)) {
      for (const key of await store.list(incrementDayPrefix(stream.name, day))) {
        if (runIdOfIncrementKey(key) !== runId) await store.delete(key);
      }
    }
    for (const key of await store.list(runSegmentsPrefix(runId))) await store.delete(key);
    return manifest;
  } finally {
    await lease.release().catch(() => undefined);
  }
}
