import { jsonArrayChunks } from './json-array-writer';
import { readJsonArray } from './json-array-reader';
import type { SegmentInfo } from './checkpoint';
import type { LakeStore, PutResult } from './store';

/**
 * Write one JSON array to `key` holding every element of `segments`, in order: each segment is read
 * back element by element (its sha256 checked against the checkpoint) and streamed into a single
 * put, so memory holds one element at a time whatever the size. The output has the same
 * one-element-per-line layout as `jsonArrayChunks`, byte for byte what a one-piece write of the
 * same records gives.
 *
 * @throws DataError when a segment is missing, corrupt, or not the bytes the checkpoint recorded;
 *   nothing is written to `key` then (put is whole-object).
 */
export async function assembleSegments(
  store: LakeStore,
  segments: readonly SegmentInfo[],
  key: string,
): Promise<PutResult & { count: number }> {
  let count = 0;
  async function* elements(): AsyncGenerator<unknown> {
    for (const segment of segments) {
      yield* readJsonArray(await store.get(segment.key), { key: segment.key, expectedSha256: segment.sha256 });
    }
  }
  const written = await store.put(
    key,
    jsonArrayChunks(elements(), () => {
      count++;
    }),
  );
  return { ...written, count };
}
