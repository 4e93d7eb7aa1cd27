import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { z } from 'zod';
import { DataError } from '../errors';
import type { Logger } from '../logger';
import { perStream, STREAMS, type StreamName } from '../streams/registry';
import { runCheckpointKey, runIdOfCheckpointKey, RUNS_PREFIX } from './keys';
import { lakeFileSchema, requestsSchema } from './manifest';
import type { LakeStore } from './store';

/** A run older than this is started afresh rather than resumed (its cursors and data are stale). */
export const MAX_RESUME_AGE_MS = 24 * 60 * 60 * 1000;

const count = z.number().int().nonnegative();
const streamSchema = z.object({
  /** The whole list was read and every segment written. */
  done: z.boolean(),
  /** List items consumed so far (vanished ones included): a resumed run skips this many. */
  position: count,
  /** Id of the last list item consumed; a resumed run checks it is still at `position`. */
  lastId: z.string().nullable(),
  /** Records written to segments. */
  count,
  segments: z.array(lakeFileSchema),
});
/** What a stream's written segments add up to besides their records (see `StreamDeclaration.children`). */
const tallySchema = z.object({
  /** Children the records hold (conversation parts). */
  children: count,
  /** Ids of records whose children the API cut short. */
  incomplete: z.array(z.string()),
  /** Ids listed but gone (404) when their detail was fetched. */
  vanished: z.array(z.string()),
});
/**
 * Version 2: one entry per registered stream under `streams`. A checkpoint of version 1 (fields
 * `users` and `conversations`) is not resumed: the run starts afresh.
 */
const CHECKPOINT_VERSION = 2;
const checkpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  runId: z.string().min(1),
  apiUrl: z.string().min(1),
  apiVersion: z.string().min(1),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  streams: z.record(z.string(), z.object({ ...streamSchema.shape, ...tallySchema.shape })),
  /** Requests of every earlier attempt of this run (the current one adds its own). */
  requests: requestsSchema,
});

/** One segment object of a stream, as written. */
export type SegmentInfo = z.infer<typeof lakeFileSchema>;
/** How far one stream of a run got. */
export type StreamCheckpoint = z.infer<typeof streamSchema>;
/** What a stream's records add up to besides their number. */
export type StreamTally = z.infer<typeof tallySchema>;
/** How far one stream of a run got, with what its written segments add up to. */
export type StreamState = StreamCheckpoint & StreamTally;
/**
 * The progress of an unfinished extract run, written to `runs/<id>/checkpoint.json` after each segment.
 * It names segments with their sha256, so a resumed run uses only segments it can verify.
 */
export type ExtractCheckpoint = Omit<z.infer<typeof checkpointSchema>, 'streams'> & {
  streams: Record<StreamName, StreamState>;
};

/** A stream state with nothing read yet. */
export function emptyStreamCheckpoint(): StreamCheckpoint {
  return { done: false, position: 0, lastId: null, count: 0, segments: [] };
}

/** A tally of nothing. */
export function emptyTally(): StreamTally {
  return { children: 0, incomplete: [], vanished: [] };
}

/** A checkpoint for a run that has not written anything yet: every registered stream unread. */
export function emptyCheckpoint(runId: string, apiUrl: string, apiVersion: string, startedAt: Date): ExtractCheckpoint {
  return {
    version: CHECKPOINT_VERSION,
    runId,
    apiUrl,
    apiVersion,
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    streams: perStream(() => ({ ...emptyStreamCheckpoint(), ...emptyTally() })),
    requests: { total: 0, retries: 0, rateLimited: 0 },
  };
}

/** Write `checkpoint` to `runs/<runId>/checkpoint.json` (one whole-object put). */
export async function writeCheckpoint(store: LakeStore, checkpoint: ExtractCheckpoint): Promise<void> {
  await store.put(runCheckpointKey(checkpoint.runId), Readable.from([`${JSON.stringify(checkpoint)}\n`]));
}

/**
 * Read and validate the checkpoint of `runId`.
 * @throws DataError when it is missing, not JSON, not a checkpoint, written by an older version
 *   (version 1), or without a registered stream.
 */
export async function readCheckpoint(store: LakeStore, runId: string): Promise<ExtractCheckpoint> {
  const key = runCheckpointKey(runId);
  const text = (await buffer(await store.get(key))).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(`Checkpoint "${key}" in ${store.url} is not valid JSON; the run cannot be resumed.`, {
      cause: error,
      location: key,
    });
  }
  const version = (parsed as { version?: unknown } | null)?.version;
  if (version !== CHECKPOINT_VERSION) {
    throw new DataError(
      `Checkpoint "${key}" in ${store.url} was written by another version of the extract (checkpoint version ${String(version)}, this one writes ${CHECKPOINT_VERSION}); the run cannot be resumed.`,
      { location: key },
    );
  }
  const checked = checkpointSchema.safeParse(parsed);
  const missing = checked.success ? STREAMS.filter((s) => checked.data.streams[s.name] === undefined) : [];
  if (missing.length > 0) {
    throw new DataError(
      `Checkpoint "${key}" in ${store.url} has no ${missing.map((s) => s.name).join(', ')} stream; the run cannot be resumed.`,
      { location: key },
    );
  }
  if (!checked.success || checked.data.runId !== runId) {
    throw new DataError(`Checkpoint "${key}" in ${store.url} is not a checkpoint of run ${runId}; the run cannot be resumed.`, {
      cause: checked.error ?? new Error('run id differs'),
      location: key,
    });
  }
  return checked.data as ExtractCheckpoint;
}

/** Options of {@link findResumableRun}. */
export interface FindResumableOptions {
  apiUrl: string;
  apiVersion: string;
  log: Logger;
  /** Default {@link MAX_RESUME_AGE_MS}. */
  maxAgeMs?: number;
  now?: Date;
}

/**
 * The checkpoint of the newest unfinished run that read the same API URL with the same API version
 * and started less than `maxAgeMs` ago; undefined when there is none. A run is unfinished while its
 * checkpoint exists: the extract deletes it only after publishing, so a run killed between its
 * manifest and the end of its publish is found too. Only the newest such run is considered: older
 * unfinished runs were abandoned by a later one.
 * An unreadable checkpoint, or one written by an older version of the extract, is logged and
 * skipped (the run starts afresh).
 */
export async function findResumableRun(
  store: LakeStore,
  options: FindResumableOptions,
): Promise<ExtractCheckpoint | undefined> {
  const now = (options.now ?? new Date()).getTime();
  const maxAgeMs = options.maxAgeMs ?? MAX_RESUME_AGE_MS;
  const candidates = (await store.list(RUNS_PREFIX))
    .map(runIdOfCheckpointKey)
    .filter((id): id is string => id !== undefined)
    .sort()
    .reverse();
  for (const runId of candidates) {
    let checkpoint: ExtractCheckpoint;
    try {
      checkpoint = await readCheckpoint(store, runId);
    } catch (error) {
      options.log.warn({ runId, err: (error as Error).message }, 'unreadable checkpoint skipped');
      continue;
    }
    if (checkpoint.apiUrl !== options.apiUrl || checkpoint.apiVersion !== options.apiVersion) continue;
    if (now - Date.parse(checkpoint.startedAt) > maxAgeMs) {
      options.log.info({ runId, startedAt: checkpoint.startedAt }, 'unfinished run too old to resume; starting afresh');
      return undefined;
    }
    return checkpoint;
  }
  return undefined;
}
