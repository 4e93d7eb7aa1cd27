import { TransientError } from '../../lib/errors';
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
import {
  emptyCheckpoint,
  emptyTally,
  findResumableRun,
  writeCheckpoint,
  type ExtractCheckpoint,
  type StreamTally,
} from '../../lib/lake/checkpoint';
import { newRunId, runCheckpointKey, runKey, runManifestKey, runSegmentsPrefix } from '../../lib/lake/keys';
import { acquireExtractLease, type Lease } from '../../lib/lake/lease';
import { readManifest, writeManifest, type RunManifest, type StreamManifest } from '../../lib/lake/manifest';
import { publishRun, readLatestManifest } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import type { ExtractProgress } from '../../lib/progress';
import { perStream, STREAMS, type StreamName } from '../../lib/streams/registry';
import type { StreamDeclaration } from '../../lib/streams/types';
import { changedSince, writeCatchUp, type CatchUpResult } from './catch-up';
import { writeSegmentedStream, type Processed } from './segmented-stream';

/**
 * Records per segment object. 1,000 conversations of typical size are a few MB; the segment is
 * streamed into its put, so this bounds lost work on a crash, not memory.
 */
export const SEGMENT_RECORDS = 1_000;

/** Everything one extract needs, as plain arguments. */
export interface ExtractOptions {
  client: IntercomClient;
  store: LakeStore;
  log: Logger;
  apiUrl: string;
  apiVersion: string;
  progress?: ExtractProgress;
  /** Id for a new run; ignored when an unfinished run is resumed. */
  runId?: string;
  /** The signal the client was built with (SIGTERM): when it aborts, the checkpoint is saved and the run stops. */
  signal?: AbortSignal;
  /** Default {@link SEGMENT_RECORDS}; tests use small segments. */
  segmentRecords?: number;
  /** Resume the newest unfinished run of the same API (default true). */
  resume?: boolean;
  /** Lease length; default `LEASE_TTL_MS` of lib/lake/lease.ts. */
  leaseTtlMs?: number;
  /**
   * Run the catch-up pass after the lists (default true); see catch-up.ts. Only tests turn it off,
   * to show what plain paging of a changing workspace loses.
   */
  catchUp?: boolean;
}

/**
 * Extract the whole workspace into the lake: every record of every registered stream
 * (lib/streams/registry.ts), each as its declaration says (contacts with their nested lists
 * completed, conversations fetched one by one with their parts), written under `runs/<runId>/`,
 * then published to `data/`.
 *
 * Crash-safe and resumable: each stream is written as segment objects with a checkpoint after each
 * (see segmented-stream.ts, lib/lake/checkpoint.ts); a later extract resumes the newest unfinished
 * run of the same API URL and version younger than 24 h. The final files are assembled from the
 * segments by streaming, then the manifest is written, then `data/` is published, then segments and
 * checkpoint are deleted. Only one extract at a time works on a lake: it holds a lease
 * (lib/lake/lease.ts) from start to publish.
 *
 * After the lists, a catch-up pass searches for records changed since the run started and fetches
 * them again (see catch-up.ts); assembly leaves out their main-pass copies, so each id appears once
 * in its newest version even when records moved between list pages. Then the file counts are
 * compared with the lists' `total_count`; a difference is a warning in the manifest.
 *
 * The streams are written side by side: paging a list is one request at a time, so on its own it
 * would leave most of the rate-limit window unused; beside the conversation details it costs no
 * wall time.
 *
 * @throws TransientError when another extract holds the lake, when `signal` aborted (the message
 *   says the checkpoint was saved and to run again), or when retries ran out; SourceError when
 *   Intercom refuses the token or a request; in every case `data/` is left as it was.
 */
export async function runExtract(options: ExtractOptions): Promise<RunManifest> {
  const { client, store, log } = options;
  const segmentRecords = options.segmentRecords ?? SEGMENT_RECORDS;
  const timings: Record<string, number> = {};

  const me = await client.me();
  // One id for the lease and for the run this extract starts, so "another extract (run X)" names
  // a run that will exist. A resumed run keeps its own id; the lease, taken before the lake is
  // searched for one (two extracts must not both resume it), names the id this one would have used.
  const freshRunId = options.runId ?? newRunId();
  const lease = await acquireExtractLease(store, {
    runId: freshRunId,
    log,
    ttlMs: options.leaseTtlMs,
  });
  try {
    const found =
      options.resume === false
        ? undefined
        : await findResumableRun(store, { apiUrl: options.apiUrl, apiVersion: options.apiVersion, log });
    const checkpoint = found ?? emptyCheckpoint(freshRunId, options.apiUrl, options.apiVersion, new Date());
    const runId = checkpoint.runId;
    log.info(
      {
        runId,
        resumed: Boolean(found),
        lake: store.url,
        apiUrl: options.apiUrl,
        workspace: workspaceOf(me),
        ...(found && Object.fromEntries(STREAMS.map((s) => [s.label, found.streams[s.name].count]))),
      },
      found ? 'extract resumed' : 'extract started',
    );
    const manifest = await extractRun({ ...options, segmentRecords, checkpoint, lease, timings });
    await lease.assertHeld();
    const publishStart = performance.now();
    await publishRun(store, runId);
    log.info({ runId, ms: Math.round(performance.now() - publishStart) }, 'run published to data/');
    // The checkpoint goes last: until then a rerun finds this run and only publishes it again.
    for (const key of await store.list(runSegmentsPrefix(runId))) await store.delete(key);
    await store.delete(runCheckpointKey(runId));
    return manifest;
  } finally {
    await lease.release().catch((error: unknown) => {
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'lease not released; it expires by itself',
      );
    });
  }
}

interface RunContext extends ExtractOptions {
  segmentRecords: number;
  checkpoint: ExtractCheckpoint;
  lease: Lease;
  timings: Record<string, number>;
}

/** What the phases of one run share once it is under way. */
interface Run extends RunContext {
  runId: string;
  /** Persist the checkpoint (chained and coalesced). */
  save(): Promise<void>;
  /** Aborts when the extract is asked to stop or its lease is lost. */
  stopSignal: AbortSignal;
  /** Save the checkpoint and throw what stopped the run; see {@link stopRun}. */
  stopped(failed: PromiseRejectedResult): Promise<never>;
}

/** What a stream's catch-up pass found, and what its records add up to. */
interface CaughtUp {
  result: CatchUpResult;
  tally: StreamTally;
}

/** A stream's assembled file and the children its left-out main-pass copies held. */
interface Assembled {
  file: StreamManifest;
  skippedChildren: number;
}

/** Write (or finish) the run's segments, assemble its files and write its manifest. */
async function extractRun(ctx: RunContext): Promise<RunManifest> {
  const { client, store, log, progress, checkpoint } = ctx;
  const runId = checkpoint.runId;
  if (STREAMS.every((s) => checkpoint.streams[s.name].done) && (await store.exists(runManifestKey(runId)))) {
    log.info({ runId }, 'run was complete before it stopped; publishing it');
    return readManifest(store, runManifestKey(runId));
  }
  const base = { ...checkpoint.requests };
  // Saves are chained so that an older state never lands after a newer one, and coalesced: a save
  // asked for while another waits to start joins it (that write will carry the newer state anyway).
  let saving: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  const save = (): Promise<void> => {
    queued ??= saving = saving.then(() => {
      queued = undefined;
      checkpoint.updatedAt = new Date().toISOString();
      checkpoint.requests = requestsSoFar(base, client);
      return writeCheckpoint(store, checkpoint);
    });
    return queued;
  };
  const stopSignal = anySignal([ctx.signal, ctx.lease.lost]);
  const run: Run = { ...ctx, runId, save, stopSignal, stopped: (failed) => stopRun(run, failed) };

  if (progress) startProgress(progress, store, checkpoint);
  try {
    await save();
    await writeStreams(run);
    const caught = ctx.catchUp === false ? undefined : await catchUpStreams(run);
    const assembled = await assembleStreams(run, caught);
    const warnings = await countWarnings(
      client,
      perStream((s) => assembled[s.name].file.count),
    );
    for (const warning of warnings) log.warn({ runId }, warning);
    const manifest = runManifest(run, assembled, caught, warnings, requestsSoFar(base, client));
    await writeManifest(store, runManifestKey(runId), manifest);
    return manifest;
  } finally {
    progress?.stop();
  }
}

/** Counts so far (a resumed run's) and, once the last published run is read, totals for the ETA. */
function startProgress(progress: ExtractProgress, store: LakeStore, checkpoint: ExtractCheckpoint): void {
  for (const stream of STREAMS) {
    const state = checkpoint.streams[stream.name];
    progress.counts[stream.label] = state.count;
    if (stream.children) progress.counts[stream.children.label] = state.children;
  }
  // The ETA assumes about as many records as the last published run had: no API call spent on
  // it, and on a first run the ETA is simply unknown.
  void readLatestManifest(store).then(
    (last) => {
      for (const stream of STREAMS) progress.totals[stream.label] ??= last.streams[stream.name].count;
    },
    () => undefined,
  );
  progress.start();
}

/** The per-item work of a stream (detail request, nested lists), as many at once as the client allows. */
function processItems(client: IntercomClient, stream: StreamDeclaration) {
  return (items: AsyncIterable<IntercomRecord>): AsyncIterable<Processed> =>
    client.mapConcurrent(items, (item) => fetchStreamItem(client, stream, item));
}

/**
 * Phase 1: list every stream and write its records as checkpointed segments, all streams side by
 * side; the checkpoint's tally of each stream grows with each segment written.
 */
async function writeStreams(run: Run): Promise<void> {
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
        list: () => listStream(client, stream),
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
async function catchUpStreams(run: Run): Promise<Partial<Record<StreamName, CaughtUp>>> {
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
async function assembleStreams(
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
function runManifest(
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
 * After a phase failed: save the checkpoint, then throw why. A stop (signal, lost lease) says what
 * was saved and to run again; anything else is thrown as it is.
 */
async function stopRun(run: Run, failed: PromiseRejectedResult): Promise<never> {
  const { log, stopSignal, checkpoint } = run;
  await run.save().catch((error: unknown) => {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'checkpoint not saved');
  });
  if (stopSignal.aborted) {
    const reason = stopSignal.reason instanceof Error ? stopSignal.reason.message : String(stopSignal.reason);
    if (run.lease.lost.aborted) throw run.lease.lost.reason;
    const saved = STREAMS.map((s) => `${checkpoint.streams[s.name].count} ${s.label}`).join(', ');
    throw new TransientError(
      `The extract was stopped (${reason}) before it finished; data/ is unchanged. Its progress is saved in ${runCheckpointKey(run.runId)} (${saved}): run the extract again to resume.`,
      { cause: failed.reason },
    );
  }
  throw failed.reason;
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
  if (!children.complete(record)) tally.incomplete.push(String(record[stream.primaryKey]));
  return count;
}

/**
 * Phase 4: compare each file's count with what its list says it holds now (`total_count`, one item
 * asked for). A difference means records were created or deleted after the catch-up searched, or a
 * list lost some: a warning for the manifest, never a silent pass. No warning for a stream whose
 * API gives no count.
 */
async function countWarnings(client: IntercomClient, counts: Record<StreamName, number>): Promise<string[]> {
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

function requestsSoFar(
  base: ExtractCheckpoint['requests'],
  client: IntercomClient,
): ExtractCheckpoint['requests'] {
  return {
    total: base.total + client.stats.requests,
    retries: base.retries + client.stats.retries,
    rateLimited: base.rateLimited + client.stats.rateLimited,
  };
}

/** A signal that aborts when any of `signals` does, with that one's reason. */
function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

async function timed<T>(timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}

function workspaceOf(me: Record<string, unknown>): string | undefined {
  const app = me.app as { id_code?: unknown } | undefined;
  return typeof app?.id_code === 'string' ? app.id_code : undefined;
}
