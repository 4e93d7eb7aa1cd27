/**
 * The manifest of an incremental or backfill run, `runs/<runId>/increment.json`: the day files and
 * deletion files it wrote (each with count and sha256), the whole copies of streams without a
 * cursor, and how far each stream's changes reach. Its presence is what publishes the run: the
 * load applies the files of runs that have one, in run order, and nothing else.
 */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { z } from 'zod';
import { DataError } from '../errors';
import { incrementManifestKey } from './keys';
import { lakeFileSchema, requestsSchema } from './manifest';
import type { LakeStore } from './store';

const dayFileSchema = z.object({ ...lakeFileSchema.shape, day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

const streamSchema = z.object({
  /** `changes`: records found by the stream's search; `whole`: a stream without a cursor, copied whole. */
  kind: z.enum(['changes', 'whole']),
  /** ISO 8601: changes searched from here (the bookmark less the lookback), for `changes`. */
  since: z.iso.datetime().optional(),
  /** ISO 8601: every change before this moment is in the lake once this run is (the new bookmark). */
  through: z.iso.datetime(),
  /** Day files (`changes`) or the one whole copy (`whole`, day = the run's UTC day). */
  files: z.array(dayFileSchema),
  /** Deletion files: ids found deleted or merged away. */
  deleted: z.array(dayFileSchema),
  /** Whether the ids were swept for deletions this run. */
  swept: z.boolean(),
});

const manifestSchema = z.looseObject({
  runId: z.string().min(1),
  mode: z.enum(['incremental', 'backfill']),
  apiUrl: z.string().min(1),
  apiVersion: z.string().min(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** The day a backfill run copied. */
  day: z.string().optional(),
  streams: z.record(z.string(), streamSchema),
  timings: z.record(z.string(), z.number()),
  requests: requestsSchema,
});

/** One file of an increment: where, how many records, its sha256, and its day. */
export type DayFile = z.infer<typeof dayFileSchema>;
/** What an increment holds for one stream. */
export type StreamIncrement = z.infer<typeof streamSchema>;
/** The manifest of an incremental or backfill run. */
export type IncrementManifest = z.infer<typeof manifestSchema>;

/** Write `manifest` to `runs/<runId>/increment.json`: the step that publishes the run. */
export async function writeIncrementManifest(store: LakeStore, manifest: IncrementManifest): Promise<void> {
  const checked = manifestSchema.parse(manifest);
  await store.put(incrementManifestKey(checked.runId), Readable.from([`${JSON.stringify(checked, null, 2)}\n`]));
}

/**
 * The increment manifest of `runId`, or undefined when the run never published one.
 * @throws DataError when the file is there but is not an increment manifest.
 */
export async function readIncrementManifest(
  store: LakeStore,
  runId: string,
): Promise<IncrementManifest | undefined> {
  const key = incrementManifestKey(runId);
  if (!(await store.exists(key))) return undefined;
  const text = (await buffer(await store.get(key))).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(`Lake file "${key}" in ${store.url} is not valid JSON. Run the extract again.`, {
      cause: error,
      location: key,
    });
  }
  const checked = manifestSchema.safeParse(parsed);
  if (!checked.success) {
    throw new DataError(
      `Lake file "${key}" in ${store.url} is not an increment manifest (${z.prettifyError(checked.error).replace(/\n/g, '; ')}). Run the extract again.`,
      { cause: checked.error, location: key },
    );
  }
  return checked.data;
}
