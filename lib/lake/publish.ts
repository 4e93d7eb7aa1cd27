import { DataError } from '../errors';
import { STREAMS } from '../streams/registry';
import { dataKey, dataManifestKey, runKey, runManifestKey } from './keys';
import { readManifest, type RunManifest } from './manifest';
import type { LakeStore } from './store';

/**
 * Make run `runId` the one `data/` holds: copy its stream files to `data/`, then its manifest to
 * `data/manifest.json` last. Each copy replaces its target whole; while the copies run (or if one
 * fails) `data/manifest.json` still describes the previous run, so the load's sha256 check against
 * it refuses a mix of two runs instead of loading it.
 *
 * @throws DataError when the run's manifest is missing or invalid, or names other files than the
 *   run's own (then nothing in `data/` is touched).
 */
export async function publishRun(store: LakeStore, runId: string): Promise<void> {
  const manifest = await readManifest(store, runManifestKey(runId));
  for (const { name: stream } of STREAMS) {
    const expected = runKey(runId, stream);
    if (manifest.runId !== runId || manifest.streams[stream].key !== expected) {
      throw new DataError(
        `The manifest of run ${runId} does not describe that run's own files (it names run "${manifest.runId}" and "${manifest.streams[stream].key}" for ${stream}). Nothing was published; re-run the extract.`,
        { location: runManifestKey(runId) },
      );
    }
    if (!(await store.exists(expected))) {
      throw new DataError(
        `Run ${runId} has no "${expected}" in ${store.url}, so it cannot be published; data/ is unchanged. Re-run the extract.`,
        { location: expected },
      );
    }
  }
  for (const { name } of STREAMS) await store.copy(runKey(runId, name), dataKey(name));
  await store.copy(runManifestKey(runId), dataManifestKey());
}

/**
 * The manifest of the run `data/` holds (`data/manifest.json`).
 * @throws DataError when no run was published yet, or the file is not a valid manifest.
 */
export async function readLatestManifest(store: LakeStore): Promise<RunManifest> {
  return readManifest(store, dataManifestKey());
}
