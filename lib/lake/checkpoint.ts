import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { z } from 'zod';
import { DataError } from '../errors';
import type { Logger } from '../logger';
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
const checkpointSchema = z.object({
  version: z.literal(1),
  runId: z.string().min(1),
  apiUrl: z.string().min(1),
  apiVersion: z.string().min(1),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  users: streamSchema,
  conversations: streamSchema.extend({
    parts: count,
    truncated: z.array(z.string()),
    vanished: z.array(z.string()),
  }),
  /** Requests of every earlier attempt of this run (the current one adds its own). */
  requests: requestsSchema,
});

/** One segment object of a stream, as written. */
export type SegmentInfo = z.infer<typeof lakeFileSchema>;
/** How far one stream of a run got. */
export type StreamCheckpoint = z.infer<typeof streamSchema>;
/**
 * The progress of an unfinished extract run, written to `runs/<id>/checkpoint.json` after each segment.
 * It names segments with their sha256, so a resumed run uses only segments it can verify.
 */
export type ExtractCheckpoint = z.infer<typeof checkpointSchema>;

/** A checkpoint for a run that has not written anything yet. */
export function emptyCheckpoint(runId: string, apiUrl: string, apiVersion: string, startedAt: Date): ExtractCheckpoint {
  const stream = (): StreamCheckpoint => ({ done: false, position: 0, lastId: null, count: 0, segments: [] });
  return {
    version: 1,
    runId,
    apiUrl,
    apiVersion,
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    users: stream(),
    conversations: { ...stream(), parts: 0, truncated: [], vanished: [] },
    requests: { total: 0, retries: 0, rateLimited: 0 },
  };
}

/** Write `checkpoint` to `runs/<runId>/checkpoint.json` (one whole-object put). */
export async function writeCheckpoint(store: LakeStore, checkpoint: ExtractCheckpoint): Promise<void> {
  await store.put(runCheckpointKey(checkpoint.runId), Readable.from([`${JSON.stringify(checkpoint)}\n`]));
}

/**
 * Read and validate the checkpoint of `runId`.
 * @throws DataError when it is missing, not JSON, or not a checkpoint.
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
  const checked = checkpointSchema.safeParse(parsed);
  if (!checked.success || checked.data.runId !== runId) {
    throw new DataError(`Checkpoint "${key}" in ${store.url} is not a checkpoint of run ${runId}; the run cannot be resumed.`, {
      cause: checked.error ?? new Error('run id differs'),
      location: key,
    });
  }
  return checked.data;
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
 * An unreadable checkpoint is logged and skipped (the run starts afresh).
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
