import { TransientError } from '../../lib/errors';
import type { IntercomClient } from '../../lib/intercom/client';
import {
  emptyCheckpoint,
  findResumableRun,
  writeCheckpoint,
  type ExtractCheckpoint,
} from '../../lib/lake/checkpoint';
import { newRunId, runCheckpointKey, runManifestKey, runSegmentsPrefix } from '../../lib/lake/keys';
import { resetIncrementalState } from '../../lib/lake/bookmarks';
import { acquireExtractLease, type Lease } from '../../lib/lake/lease';
import { readManifest, writeManifest, type RunManifest } from '../../lib/lake/manifest';
import { publishRun, readLatestManifest } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import type { ExtractProgress } from '../../lib/progress';
import { perStream, STREAMS } from '../../lib/streams/registry';
import {
  assembleStreams,
  catchUpStreams,
  countWarnings,
  runManifest,
  writeStreams,
  type Run,
} from './phases';
import { requestsSoFar } from './requests-so-far';

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
 * @throws TransientError when another extract kept the lake through the lease wait, when `signal` aborted (the message
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
    signal: options.signal,
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
    // Incremental runs go on from this copy: its catch-up pass copied every change made after it started.
    await resetIncrementalState(store, manifest);
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

/**
 * Write (or finish) the run's segments, assemble its files and write its manifest: the phases of
 * phases.ts in order, around one checkpoint and one stop signal.
 */
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
      checkpoint.requests = requestsSoFar(client, base);
      return writeCheckpoint(store, checkpoint);
    });
    return queued;
  };
  const stopSignal = anySignal([ctx.signal, ctx.lease.lost]);
  const run: Run = { ...ctx, runId, save, stopSignal, stopped: (failed) => stopRun(run, ctx.lease, failed) };

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
    const manifest = runManifest(run, assembled, caught, warnings, requestsSoFar(client, base));
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

/**
 * After a phase failed: save the checkpoint, then throw why. A stop (signal, lost lease) says what
 * was saved and to run again; anything else is thrown as it is.
 */
async function stopRun(run: Run, lease: Lease, failed: PromiseRejectedResult): Promise<never> {
  const { log, stopSignal, checkpoint } = run;
  await run.save().catch((error: unknown) => {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'checkpoint not saved');
  });
  if (stopSignal.aborted) {
    const reason = stopSignal.reason instanceof Error ? stopSignal.reason.message : String(stopSignal.reason);
    if (lease.lost.aborted) throw lease.lost.reason;
    const saved = STREAMS.map((s) => `${checkpoint.streams[s.name].count} ${s.label}`).join(', ');
    throw new TransientError(
      `The extract was stopped (${reason}) before it finished; data/ is unchanged. Its progress is saved in ${runCheckpointKey(run.runId)} (${saved}): run the extract again to resume.`,
      { cause: failed.reason },
    );
  }
  throw failed.reason;
}

/** A signal that aborts when any of `signals` does, with that one's reason. */
function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

function workspaceOf(me: Record<string, unknown>): string | undefined {
  const app = me.app as { id_code?: unknown } | undefined;
  return typeof app?.id_code === 'string' ? app.id_code : undefined;
}
