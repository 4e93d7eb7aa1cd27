/**
 * `state/bookmarks.json`: per stream with a cursor, the moment up to which every change is in the
 * lake, and the ids (with `updated_at`) it found in the lookback window just before, so that the
 * next run can search a little further back without fetching those again. Written only after the
 * run whose changes it covers is published (its increment manifest is in the lake).
 */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { z } from 'zod';
import { DataError } from '../errors';
import { STREAMS } from '../streams/registry';
import { bookmarksKey, sweptIdsKey } from './keys';
import type { LakeStore } from './store';

const bookmarkSchema = z.object({
  /** ISO 8601 UTC: every change made before this moment is in the lake (up to search lag; see `recent`). */
  through: z.iso.datetime(),
  /** The run that moved the bookmark here (a full run's id after a full copy). */
  runId: z.string().min(1),
  /**
   * Records found whose `updated_at` lies in the lookback window before `through`: id -> updated_at.
   * The next run skips exactly these versions when its lookback finds them again.
   */
  recent: z.record(z.string(), z.number().int()),
});
const BOOKMARKS_VERSION = 1;
const bookmarksSchema = z.object({
  version: z.literal(BOOKMARKS_VERSION),
  streams: z.record(z.string(), bookmarkSchema),
});

/** Where one stream's changes are copied up to. */
export type Bookmark = z.infer<typeof bookmarkSchema>;
/** Every stream's bookmark, by stream name. */
export type Bookmarks = Record<string, Bookmark>;

/**
 * The bookmarks of the lake, or undefined when no run has written them yet.
 * @throws DataError when the file is there but is not bookmarks (the message says how to start afresh).
 */
export async function readBookmarks(store: LakeStore): Promise<Bookmarks | undefined> {
  const key = bookmarksKey();
  if (!(await store.exists(key))) return undefined;
  const text = (await buffer(await store.get(key))).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(
      `Lake file "${key}" in ${store.url} is not valid JSON. Delete it and run a full extract (npm run extract -- --mode full) to start the bookmarks afresh.`,
      { cause: error, location: key },
    );
  }
  const checked = bookmarksSchema.safeParse(parsed);
  if (!checked.success) {
    throw new DataError(
      `Lake file "${key}" in ${store.url} is not a bookmarks file (${z.prettifyError(checked.error).replace(/\n/g, '; ')}). Delete it and run a full extract (npm run extract -- --mode full) to start the bookmarks afresh.`,
      { cause: checked.error, location: key },
    );
  }
  return checked.data.streams;
}

/** Replace the bookmarks file whole with `streams`. */
export async function writeBookmarks(store: LakeStore, streams: Bookmarks): Promise<void> {
  const text = JSON.stringify({ version: BOOKMARKS_VERSION, streams }, null, 2);
  await store.put(bookmarksKey(), Readable.from([`${text}\n`]));
}

/**
 * After a full run is published: every stream's bookmark becomes its start, and the deletion
 * sweeps' baselines are dropped (the next sweep compares with the new full copy).
 */
export async function resetIncrementalState(store: LakeStore, full: { runId: string; startedAt: string }): Promise<void> {
  const bookmarks: Bookmarks = {};
  for (const stream of STREAMS) {
    if (stream.incremental) bookmarks[stream.name] = { through: full.startedAt, runId: full.runId, recent: {} };
  }
  for (const stream of STREAMS) await store.delete(sweptIdsKey(stream.name));
  await writeBookmarks(store, bookmarks);
}
