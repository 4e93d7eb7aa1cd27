import { SourceError, TransientError } from '../../lib/errors';
import type { IntercomClient } from '../../lib/intercom/client';
import { assembleSegments } from '../../lib/lake/assemble-segments';
import {
  emptyCheckpoint,
  findResumableRun,
  writeCheckpoint,
  type ExtractCheckpoint,
} from '../../lib/lake/checkpoint';
import { newRunId, runCheckpointKey, runKey, runManifestKey, runSegmentsPrefix } from '../../lib/lake/keys';
import { acquireExtractLease, type Lease } from '../../lib/lake/lease';
import { readManifest, writeManifest, type RunManifest } from '../../lib/lake/manifest';
import { publishRun, readLatestManifest } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import type { Logger } from '../../lib/logger';
import type { ExtractProgress } from '../../lib/progress';
import { partsComplete, partsOf } from '../../lib/records/conversation-parts';
import {
  contactsChangedSince,
  conversationsChangedSince,
  writeCatchUp,
  type CatchUpResult,
} from './catch-up';
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
 * Extract the whole workspace into the lake: every contact (nested lists completed) and every
 * conversation with its parts, written under `runs/<runId>/`, then published to `data/`.
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
 * Contacts and conversations stream side by side: paging contacts is one request at a time, so on
 * its own it would leave most of the rate-limit window unused; beside the conversation details
 * it costs no wall time.
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
        ...(found && { contacts: found.users.count, conversations: found.conversations.count }),
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

/** Write (or finish) the run's segments, assemble its files and write its manifest. */
async function extractRun(ctx: RunContext): Promise<RunManifest> {
  const { client, store, log, progress, checkpoint, timings } = ctx;
  const runId = checkpoint.runId;
  if (checkpoint.users.done && checkpoint.conversations.done && (await store.exists(runManifestKey(runId)))) {
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

  if (progress) {
    progress.counts.contacts = checkpoint.users.count;
    progress.counts.conversations = checkpoint.conversations.count;
    progress.counts.parts = checkpoint.conversations.parts;
    // The ETA assumes about as many conversations as the last published run had: no API call
    // spent on it, and on a first run the ETA is simply unknown.
    void readLatestManifest(store).then(
      (last) => (progress.conversationsTotal ??= last.streams.conversations.count),
      () => undefined,
    );
    progress.start();
  }
  try {
    await save();
    const completeAll = (items: AsyncIterable<{ id: string }>): AsyncIterable<Processed> =>
      client.mapConcurrent(items, async (contact): Promise<Processed> => ({
        id: String(contact.id),
        record: await client.completeContact(contact),
      }));
    const usersTask = timed(timings, 'users', () =>
      writeSegmentedStream({
        store,
        runId,
        stream: 'users',
        state: checkpoint.users,
        list: () => client.listContacts(),
        process: completeAll,
        segmentRecords: ctx.segmentRecords,
        onItem: () => {
          if (progress) progress.counts.contacts++;
        },
        save,
        signal: stopSignal,
        log,
      }),
    );

    const conv = checkpoint.conversations;
    // What the open segment's conversations add to `conv` once the segment is written.
    let pending = emptyTally();
    const fetchDetail = async (summary: { id: string }): Promise<Processed> => {
      const id: unknown = summary.id;
      if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') {
        // No id to ask GET /conversations/{id} for: keep the list record whole rather than drop it;
        // the load quarantines it with its reason.
        return { id: String(id ?? ''), record: summary as unknown as Record<string, unknown> };
      }
      try {
        return { id: String(summary.id), record: await client.getConversation(summary.id) };
      } catch (error) {
        // Deleted between the list and the detail request: nothing left to copy, but say so.
        if (error instanceof SourceError && error.status === 404) return { id: String(summary.id) };
        throw error;
      }
    };
    const conversationsTask = timed(timings, 'conversations', () =>
      writeSegmentedStream({
        store,
        runId,
        stream: 'conversations',
        state: conv,
        list: () => client.listConversations(),
        process: (items) => client.mapConcurrent(items, fetchDetail),
        segmentRecords: ctx.segmentRecords,
        onItem: (item) => {
          const parts = tallyConversation(pending, item);
          if (progress && parts !== undefined) {
            progress.counts.conversations++;
            progress.counts.parts += parts;
          }
        },
        commit: () => {
          conv.parts += pending.parts;
          conv.truncated.push(...pending.truncated);
          conv.vanished.push(...pending.vanished);
          pending = emptyTally();
        },
        reset: () => {
          Object.assign(conv, emptyTally());
        },
        save,
        signal: stopSignal,
        log,
      }),
    );

    const stopped = async (failed: PromiseRejectedResult): Promise<never> => {
      await save().catch((error: unknown) => {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'checkpoint not saved');
      });
      if (stopSignal.aborted) {
        const reason =
          stopSignal.reason instanceof Error ? stopSignal.reason.message : String(stopSignal.reason);
        if (ctx.lease.lost.aborted) throw ctx.lease.lost.reason;
        throw new TransientError(
          `The extract was stopped (${reason}) before it finished; data/ is unchanged. Its progress is saved in ${runCheckpointKey(runId)} (${checkpoint.users.count} contacts, ${checkpoint.conversations.count} conversations): run the extract again to resume.`,
          { cause: failed.reason },
        );
      }
      throw failed.reason;
    };
    const settled = await Promise.allSettled([usersTask, conversationsTask]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) await stopped(failed);

    let usersCatchUp: CatchUpResult | undefined;
    let convCatchUp: CatchUpResult | undefined;
    const caught = emptyTally();
    if (ctx.catchUp !== false) {
      const startedAt = new Date(checkpoint.startedAt);
      const catchUpSettled = await timed(timings, 'catchUp', () =>
        Promise.allSettled([
          writeCatchUp({
            store,
            runId,
            stream: 'users',
            search: () => client.searchContacts(contactsChangedSince(startedAt)),
            process: completeAll,
            segmentRecords: ctx.segmentRecords,
            signal: stopSignal,
            log,
          }),
          writeCatchUp({
            store,
            runId,
            stream: 'conversations',
            search: () => client.searchConversations(conversationsChangedSince(startedAt)),
            process: (items) => client.mapConcurrent(items, fetchDetail),
            segmentRecords: ctx.segmentRecords,
            onItem: (item) => {
              tallyConversation(caught, item);
            },
            signal: stopSignal,
            log,
          }),
        ]),
      );
      const catchUpFailed = catchUpSettled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (catchUpFailed) await stopped(catchUpFailed);
      [usersCatchUp, convCatchUp] = catchUpSettled.map((s) =>
        s.status === 'fulfilled' ? s.value : undefined,
      );
    }

    const assembleStart = performance.now();
    const users = await assembleSegments(store, checkpoint.users.segments, runKey(runId, 'users'), {
      skipIds: usersCatchUp?.ids,
      append: usersCatchUp?.segments,
    });
    let skippedParts = 0;
    const conversations = await assembleSegments(store, conv.segments, runKey(runId, 'conversations'), {
      skipIds: convCatchUp?.ids,
      append: convCatchUp?.segments,
      onSkip: (record) => {
        skippedParts += partsOf(record as Record<string, unknown>).length;
      },
    });
    timings.assemble = Math.round(performance.now() - assembleStart);
    const replaced = convCatchUp?.ids ?? new Set<string>();
    const warnings = await countWarnings(client, users.count, conversations.count);
    for (const warning of warnings) log.warn({ runId }, warning);
    const manifest: RunManifest = {
      runId,
      apiVersion: checkpoint.apiVersion,
      apiUrl: checkpoint.apiUrl,
      startedAt: checkpoint.startedAt,
      finishedAt: new Date().toISOString(),
      streams: { users, conversations },
      parts: conv.parts - skippedParts + caught.parts,
      truncatedConversations: [...conv.truncated.filter((id) => !replaced.has(id)), ...caught.truncated],
      vanishedConversations: [...conv.vanished.filter((id) => !replaced.has(id)), ...caught.vanished],
      ...(usersCatchUp &&
        convCatchUp && { catchUp: { users: usersCatchUp.count, conversations: convCatchUp.count } }),
      ...(warnings.length > 0 && { warnings }),
      timings,
      requests: requestsSoFar(base, client),
    };
    await writeManifest(store, runManifestKey(runId), manifest);
    return manifest;
  } finally {
    progress?.stop();
  }
}

/** What conversations add up to besides their number; the checkpoint keeps one for the main pass. */
interface ConversationTally {
  parts: number;
  /** Ids of conversations whose parts Intercom cut at 500. */
  truncated: string[];
  /** Ids listed but gone (404) when fetched. */
  vanished: string[];
}

function emptyTally(): ConversationTally {
  return { parts: 0, truncated: [], vanished: [] };
}

/** Add one fetched (or vanished) conversation to `tally`; its number of parts, undefined when it vanished. */
function tallyConversation(tally: ConversationTally, item: Processed): number | undefined {
  if (item.record === undefined) {
    tally.vanished.push(item.id);
    return undefined;
  }
  const conversation = item.record as Record<string, unknown>;
  const parts = partsOf(conversation).length;
  tally.parts += parts;
  if (!partsComplete(conversation)) tally.truncated.push(String(conversation.id));
  return parts;
}

/**
 * Compare the file counts with what the lists say they hold now (`total_count`, one item asked
 * for). A difference means records were created or deleted after the catch-up searched, or a list
 * lost some: a warning for the manifest, never a silent pass. No warning when the API gives no count.
 */
async function countWarnings(
  client: IntercomClient,
  users: number,
  conversations: number,
): Promise<string[]> {
  const [contactTotal, conversationTotal] = await Promise.all([
    client.countContacts(),
    client.countConversations(),
  ]);
  const warnings: string[] = [];
  if (contactTotal !== undefined && contactTotal !== users) {
    warnings.push(
      `users.json holds ${users} contacts but GET /contacts reports total_count ${contactTotal} at the end of the run; contacts changed after the catch-up pass or a list lost some. Run the extract again to copy the current state.`,
    );
  }
  if (conversationTotal !== undefined && conversationTotal !== conversations) {
    warnings.push(
      `conversations.json holds ${conversations} conversations but GET /conversations reports total_count ${conversationTotal} at the end of the run; conversations changed after the catch-up pass or a list lost some. Run the extract again to copy the current state.`,
    );
  }
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
