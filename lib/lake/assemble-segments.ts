import { jsonArrayChunks } from './json-array-writer';
import { readJsonArray } from './json-array-reader';
import type { SegmentInfo } from './checkpoint';
import type { StreamManifest } from './manifest';
import type { LakeStore } from './store';
import { recordIdOf } from '../records/record-id';

/** Options of {@link assembleSegments}: how a catch-up pass replaces records of the main segments. */
export interface AssembleOptions {
  /**
   * Ids whose copies in the main segments are left out: the records the catch-up pass fetched again
   * (or found gone). Kept in memory, so the caller bounds it.
   */
  skipIds?: ReadonlySet<string>;
  /** Segments written after the main ones (the catch-up pass), appended whole after them. */
  append?: readonly SegmentInfo[];
  /** Called with each main-segment record left out, e.g. to take its parts out of a count. */
  onSkip?(record: unknown): void;
}

/**
 * Write one JSON array to `key` holding every element of `segments`, in order, then every element
 * of `options.append`: each segment is read back element by element (its sha256 checked against
 * the checkpoint) and streamed into a single put, so memory holds one element at a time (plus
 * `skipIds`) whatever the size. Main-segment elements whose `id` is in `options.skipIds` are left
 * out, so that with a catch-up pass each id appears once, in its newest version. The output has
 * the same one-element-per-line layout as `jsonArrayChunks`, byte for byte what a one-piece write
 * of the same records gives. Returns the file as the run manifest names it.
 *
 * @throws DataError when a segment is missing, corrupt, or not the bytes the checkpoint recorded;
 *   nothing is written to `key` then (put is whole-object).
 */
export async function assembleSegments(
  store: LakeStore,
  segments: readonly SegmentInfo[],
  key: string,
  options: AssembleOptions = {},
): Promise<StreamManifest> {
  let count = 0;
  const skip = options.skipIds;
  async function* read(segment: SegmentInfo): AsyncGenerator<unknown> {
    yield* readJsonArray(await store.get(segment.key), { key: segment.key, expectedSha256: segment.sha256 });
  }
  async function* elements(): AsyncGenerator<unknown> {
    for (const segment of segments) {
      if (!skip || skip.size === 0) {
        yield* read(segment);
        continue;
      }
      for await (const record of read(segment)) {
        if (skip.has(recordIdOf(record) ?? '')) options.onSkip?.(record);
        else yield record;
      }
    }
    for (const segment of options.append ?? []) yield* read(segment);
  }
  const written = await store.put(
    key,
    jsonArrayChunks(elements(), () => {
      count++;
    }),
  );
  return { key, count, ...written };
}

