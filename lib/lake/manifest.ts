import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { z } from 'zod';
import { DataError } from '../errors';
import { STREAMS, type StreamName } from '../streams/registry';
import type { LakeStore } from './store';

/** One stream file of a run: where it is and what it must contain. */
export interface StreamManifest {
  /** Lake key of the file the run wrote (`runs/<id>/users.json`). */
  key: string;
  /** Elements in the JSON array. */
  count: number;
  /** Bytes of the file. */
  bytes: number;
  /** Hex sha256 of the file; the load checks `data/` files against it. */
  sha256: string;
}

/**
 * What a run wrote, written to `runs/<id>/manifest.json` and published as `data/manifest.json`.
 *
 * `parts`, `truncatedConversations` and `vanishedConversations` keep the names the first version
 * gave them (people read them): they add up the children and the cut or vanished records of every
 * stream that declares children or a detail request, which today is conversations alone.
 */
export interface RunManifest {
  runId: string;
  /** `Intercom-Version` the run used. */
  apiVersion: string;
  apiUrl: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt: string;
  /** One file per registered stream, in registry order. */
  streams: Record<StreamName, StreamManifest>;
  /** Children written (conversation parts). */
  parts: number;
  /**
   * Ids of conversations whose parts the API cut: `GET /conversations/{id}` returns at most the 500
   * most recent parts (https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/retrieveconversation).
   */
  truncatedConversations: string[];
  /** Ids listed by the run but gone (404) when fetched, when the extract reports them. */
  vanishedConversations?: string[];
  /** Records the catch-up pass fetched again (changed while the run went), per stream, when it ran. */
  catchUp?: Partial<Record<StreamName, number>>;
  /** Things a person should look at, e.g. file counts that differ from the lists' `total_count`. */
  warnings?: string[];
  /** Milliseconds per phase. */
  timings: Record<string, number>;
  requests: { total: number; retries: number; rateLimited: number };
}

const count = z.number().int().nonnegative();
/** A {@link StreamManifest}; a checkpoint names its segment objects the same way. */
export const lakeFileSchema = z.object({
  key: z.string().min(1),
  count,
  bytes: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
/** `RunManifest.requests`; a checkpoint carries the same counters. */
export const requestsSchema = z.object({ total: count, retries: count, rateLimited: count });

/** Loose at the top so that a manifest from a newer extract, with more fields, still reads whole. */
const manifestSchema = z.looseObject({
  runId: z.string().min(1),
  apiVersion: z.string().min(1),
  apiUrl: z.string().min(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  // Any names, so that a manifest from a newer extract (more streams) reads; missing ones are
  // refused with their own message (see missingStreams).
  streams: z.record(z.string(), lakeFileSchema),
  parts: count,
  truncatedConversations: z.array(z.string()),
  vanishedConversations: z.array(z.string()).optional(),
  catchUp: z.record(z.string(), count).optional(),
  warnings: z.array(z.string()).optional(),
  timings: z.record(z.string(), z.number()),
  requests: requestsSchema,
});

/**
 * Write `manifest` as indented JSON to `key` (people read it too).
 * @throws DataError when the manifest is not valid (a bug in the caller: nothing is written).
 */
export async function writeManifest(store: LakeStore, key: string, manifest: RunManifest): Promise<void> {
  const checked = manifestSchema.safeParse(manifest);
  if (!checked.success) {
    throw new DataError(
      `The run manifest for "${key}" is not valid (${z.prettifyError(checked.error).replace(/\n/g, '; ')}); it was not written.`,
      { cause: checked.error, location: key },
    );
  }
  const missing = missingStreams(manifest);
  if (missing.length > 0) {
    throw new DataError(
      `The run manifest for "${key}" has no file for ${missing.join(', ')}; it was not written.`,
      { location: key },
    );
  }
  await store.put(key, Readable.from([`${JSON.stringify(manifest, null, 2)}\n`]));
}

/** Registered streams a manifest has no file for (a lake written before they were added). */
function missingStreams(manifest: { streams: Record<string, unknown> }): StreamName[] {
  return STREAMS.map((s) => s.name).filter((name) => manifest.streams[name] === undefined);
}

/**
 * Read and validate the manifest at `key`. A manifest of the first version (streams `users` and
 * `conversations`, top-level `parts` and `truncatedConversations`) reads as it is.
 * @throws DataError when it is missing (no extract finished yet), not JSON, not a run manifest, or
 *   has no file for a registered stream (an older lake); the message says to re-run the extract.
 */
export async function readManifest(store: LakeStore, key: string): Promise<RunManifest> {
  const text = (await buffer(await store.get(key))).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(
      `Lake file "${key}" in ${store.url} is not valid JSON. Re-run the extract (npm run extract) to write it again.`,
      { cause: error, location: key },
    );
  }
  const checked = manifestSchema.safeParse(parsed);
  if (!checked.success) {
    throw new DataError(
      `Lake file "${key}" in ${store.url} is not a run manifest (${z.prettifyError(checked.error).replace(/\n/g, '; ')}). Re-run the extract (npm run extract) to write it again.`,
      { cause: checked.error, location: key },
    );
  }
  const missing = missingStreams(checked.data);
  if (missing.length > 0) {
    throw new DataError(
      `Lake file "${key}" in ${store.url} has no ${missing.join(', ')} stream: the extract that wrote it copied fewer streams than this version loads. Re-run the extract (npm run extract) to copy every stream, then load again.`,
      { location: key },
    );
  }
  return checked.data as RunManifest;
}
