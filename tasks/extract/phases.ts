/**
 * The phases of one extract run, each with plain inputs and outputs; run-extract.ts calls them in
 * order: write streams, catch up, assemble, count check, manifest.
 */
import type { IntercomClient } from '../../lib/intercom/client';
import {
  countPath,
  countStream,
  fetchStreamItem,
  listStream,
  searchStream,
} from '../../lib/intercom/stream-source';
import type { IntercomRecord } from '../../lib/intercom/types';
import { assembleSegments } from '../../lib/lake/assemble-segments';
import { emptyTally, type ExtractCheckpoint, type StreamTally } from '../../lib/lake/checkpoint';
import { runKey } from '../../lib/lake/keys';
import type { RunManifest, StreamManifest } from '../../lib/lake/manifest';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import { recordKeyOf } from '../../lib/records/record-id';
import type { ExtractProgress } from '../../lib/progress';
import { perStream, STREAMS, type StreamName } from '../../lib/streams/registry';
import type { StreamDeclaration } from '../../lib/streams/types';
import { changedSince, writeCatchUp, type CatchUpResult } from './catch-up';
import { writeSegmentedStream, type Processed } from './segmented-stream';

/** What the phases of one run share once it is under way. */
export interface Run {
  client: IntercomClient;
  store: LakeStore;
  log: Logger;
  progress?: ExtractProgress;
  runId: string;
  checkpoint: ExtractCheckpoint;
  /** Records per segment object. */
  segmentRecords: number;
  /** Milliseconds per phase, filled as they end. */
  timings: Record<string, number>;
  /** Persist the checkpoint (chained and coalesced). */
  save(): Promise<void>;
  /** Aborts when the extract is asked to stop or its lease is lost. */
  stopSignal: AbortSignal;
  /** Save the checkpoint and throw what stopped the run. */
  stopped(failed: PromiseRejectedResult): Promise<never>;
}

/** What a stream's catch-up pass found, and what its records add up to. */
export interface CaughtUp {
  result: CatchUpResult;
  tally: StreamTally;
}

/** A stream's assembled file and the children its left-out main-pass copies held. */
export interface Assembled {
  file: StreamManifest;
  skippedChildren: number;
}

/**
 * Items taken ahead per call slot for a stream without a detail request: most of its items need no
 * call (only those whose nested lists say `has_more`), so a window of 2 per slot would leave the
 * slots idle behind the oldest item's calls. They hold no more than the listing gave.
 */
const AHEAD_WITHOUT_DETAIL = 16;

/** The per-item work of a stream (detail request, nested lists), as many at once as the client allows. */
function processItems(client: IntercomClient, stream: StreamDeclaration) {
  return (items: AsyncIterable<IntercomRecord>): AsyncIterable<Processed> =>
    client.mapConcurrent(items, (item) => fetchStreamItem(client, stream, item), {
      aheadPerCall: stream.detail ? 2 : AHEAD_WITHOUT_DETAIL,
    });
}

/**
 * Phase 1: list every stream and write its records as checkpointed segments, all streams side by
 * side; the checkpoint's tally of each stream grows with each segment written.
 */
export async function writeStreams(run: Run): Promise<void> {
  const { client, store, runId, checkpoint, progress, log } = run;
  const tasks = STREAMS.map((stream) => {
    const state = checkpoint.streams[stream.name];
    // What the open segment's records add to `state` once the segment is written.
    let pending = emptyTally();
    return timed(run.timings, stream.name, () =>
      writeSegmentedStream({
        store,
        runId,
        stream: stream.name,
        state,
        list: () => listStream(client, stream, log),
        // As fetchStreamItem keys what it processed: (model, name) for a data attribute.
        keyOf: (item) => recordKeyOf(item, stream.primaryKey) ?? '',
        process: processItems(client, stream),
        segmentRecords: run.segmentRecords,
        onItem: (item) => {
          const children = tallyItem(stream, pending, item);
          if (progress && children !== undefined) {
            progress.counts[stream.label] = (progress.counts[stream.label] ?? 0) + 1;
            if (stream.children) {
              const label = stream.children.label;
              progress.counts[label] = (progress.counts[label] ?? 0) + children;
            }
          }
        },
        commit: () => {
          state.children += pending.children;
          state.incomplete.push(...pending.incomplete);
          state.vanished.push(...pending.vanished);
          pending = emptyTally();
        },
        reset: () => {
          Object.assign(state, emptyTally());
        },
        save: run.save,
        signal: run.stopSignal,
        log,
      }),
    );
  });
  const failed = (await Promise.allSettled(tasks)).find(
    (s): s is PromiseRejectedResult => s.status === 'rejected',
  );
  if (failed) await run.stopped(failed);
}

/**
 * Phase 2: search every stream that declares an incremental search for records changed since the
 * run started and write them again as catch-up segments (see catch-up.ts).
 */
export async function catchUpStreams(run: Run): Promise<Partial<Record<StreamName, CaughtUp>>> {
  const { client, store, runId, log } = run;
  const startedAt = new Date(run.checkpoint.startedAt);
  const searched = STREAMS.flatMap((stream) => {
    const incremental = stream.incremental;
    if (!incremental) return [];
    const tally = emptyTally();
    const pass = writeCatchUp({
      store,
      runId,
      stream: stream.name,
      search: () => searchStream(client, stream, changedSince(incremental, startedAt)),
      process: processItems(client, stream),
      segmentRecords: run.segmentRecords,
      onItem: (item) => {
        tallyItem(stream, tally, item);
      },
      signal: run.stopSignal,
      log,
    });
    return [{ name: stream.name, tally, pass }];
  });
  const settled = await timed(run.timings, 'catchUp', () => Promise.allSettled(searched.map((s) => s.pass)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) await run.stopped(failed);
  const caught: Partial<Record<StreamName, CaughtUp>> = {};
  settled.forEach((s, i) => {
    const stream = searched[i];
    if (s.status === 'fulfilled' && stream) caught[stream.name] = { result: s.value, tally: stream.tally };
  });
  return caught;
}

/**
 * Phase 3: each stream's file from its segments, main-pass copies of records the catch-up pass
 * fetched again left out and its segments appended.
 */
export async function assembleStreams(
  run: Run,
  caught: Partial<Record<StreamName, CaughtUp>> | undefined,
): Promise<Record<StreamName, Assembled>> {
  const start = performance.now();
  const assembled = {} as Record<StreamName, Assembled>;
  for (const stream of STREAMS) {
    const catchUp = caught?.[stream.name]?.result;
    const children = stream.children;
    let skippedChildren = 0;
    const file = await assembleSegments(
      run.store,
      run.checkpoint.streams[stream.name].segments,
      runKey(run.runId, stream.name),
      {
        skipIds: catchUp?.ids,
        append: catchUp?.segments,
        onSkip: children
          ? (record) => {
              skippedChildren += children.count(record as Record<string, unknown>);
            }
          : undefined,
      },
    );
    assembled[stream.name] = { file, skippedChildren };
  }
  run.timings.assemble = Math.round(performance.now() - start);
  return assembled;
}

/**
 * Phase 5: the run's manifest. `parts`, `truncatedConversations` and `vanishedConversations` add
 * up every stream's children and cut or vanished records (see RunManifest), each record counted
 * in its newest copy: main-pass figures of records the catch-up pass replaced are left out.
 */
export function runManifest(
  run: Run,
  assembled: Record<StreamName, Assembled>,
  caught: Partial<Record<StreamName, CaughtUp>> | undefined,
  warnings: string[],
  requests: ExtractCheckpoint['requests'],
): RunManifest {
  const { checkpoint } = run;
  let children = 0;
  const incomplete: string[] = [];
  const vanished: string[] = [];
  for (const stream of STREAMS) {
    const state = checkpoint.streams[stream.name];
    const again = caught?.[stream.name];
    const replaced = again?.result.ids ?? new Set<string>();
    const extra = again?.tally ?? emptyTally();
    children += state.children - assembled[stream.name].skippedChildren + extra.children;
    incomplete.push(...state.incomplete.filter((id) => !replaced.has(id)), ...extra.incomplete);
    vanished.push(...state.vanished.filter((id) => !replaced.has(id)), ...extra.vanished);
  }
  const searched = STREAMS.filter((s) => s.incremental);
  return {
    runId: run.runId,
    apiVersion: checkpoint.apiVersion,
    apiUrl: checkpoint.apiUrl,
    startedAt: checkpoint.startedAt,
    finishedAt: new Date().toISOString(),
    streams: perStream((s) => assembled[s.name].file),
    parts: children,
    truncatedConversations: incomplete,
    vanishedConversations: vanished,
    ...(caught &&
      searched.every((s) => caught[s.name]) && {
        catchUp: Object.fromEntries(searched.map((s) => [s.name, caught[s.name]?.result.count ?? 0])),
      }),
    ...(warnings.length > 0 && { warnings }),
    timings: run.timings,
    requests,
  };
}

/**
 * Add one processed (or vanished) item of `stream` to `tally`; the number of children it holds
 * (0 for a stream without children), undefined when it vanished.
 */
function tallyItem(stream: StreamDeclaration, tally: StreamTally, item: Processed): number | undefined {
  if (item.record === undefined) {
    tally.vanished.push(item.id);
    return undefined;
  }
  const children = stream.children;
  if (!children) return 0;
  const record = item.record as Record<string, unknown>;
  const count = children.count(record);
  tally.children += count;
  if (!children.complete(record)) tally.incomplete.push(recordKeyOf(record, stream.primaryKey) ?? '');
  return count;
}

/**
 * Phase 4: compare each file's count with what its list says it holds now (`total_count`, one item
 * asked for). A difference means records were created or deleted after the catch-up searched, or a
 * list lost some: a warning for the manifest, never a silent pass. No warning for a stream whose
 * API gives no count.
 */
export async function countWarnings(
  client: IntercomClient,
  counts: Record<StreamName, number>,
): Promise<string[]> {
  const totals = await Promise.all(STREAMS.map((stream) => countStream(client, stream)));
  const warnings: string[] = [];
  STREAMS.forEach((stream, i) => {
    const total = totals[i];
    const count = counts[stream.name];
    if (total === undefined || total === count) return;
    warnings.push(
      `${stream.file} holds ${count} ${stream.label} but GET ${countPath(stream)} reports total_count ${total} at the end of the run; ${stream.label} changed after the catch-up pass or a list lost some. Run the extract again to copy the current state.`,
    );
  });
  return warnings;
}

/** Run `fn`, recording how long it took in `timings[name]` (also when it throws). */
export async function timed<T>(
  timings: Record<string, number>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}
