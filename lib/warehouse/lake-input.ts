/**
 * What the load reads from the lake: the manifest of the run `data/` holds, and its streams as
 * records, each file checked against the manifest's sha256.
 */
import { readJsonArrayElements, type ArrayElement } from '../lake/json-array-reader';
import { dataKey } from '../lake/keys';
import type { RunManifest } from '../lake/manifest';
import { readLatestManifest } from '../lake/publish';
import type { LakeStore } from '../lake/store';
import type { StreamName } from '../streams/registry';

/** The parts of the run manifest the load reconciles against. */
export type LoadManifest = Pick<RunManifest, 'runId' | 'streams'> & Partial<Pick<RunManifest, 'startedAt'>>;

/**
 * The manifest of the run whose files `data/` holds (`data/manifest.json`).
 * @throws DataError when it is missing (no extract finished yet), not JSON, or not a run manifest.
 */
export async function readLoadManifest(store: LakeStore): Promise<LoadManifest> {
  return readLatestManifest(store);
}

/**
 * Every record of `stream` in `data/`, one at a time (memory stays flat), each with its JSON text
 * as the lake holds it when the fast path read it; the file is checked against the manifest's
 * sha256 when it ends.
 * @throws DataError when the file is missing, corrupt, truncated or does not match the manifest.
 */
export async function* readStream(
  store: LakeStore,
  stream: StreamName,
  manifest: LoadManifest,
): AsyncGenerator<ArrayElement> {
  const key = dataKey(stream);
  yield* readJsonArrayElements(await store.get(key), {
    key,
    expectedSha256: manifest.streams[stream].sha256,
  });
}
