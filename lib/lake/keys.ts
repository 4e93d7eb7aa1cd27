/**
 * The lake key layout: the only contract between extract and load (docs/architecture.md).
 * Every lake key in the project is built here and nowhere else.
 */

/** The streams the lake holds, with their file names. */
export const STREAM_FILES = {
  users: 'users.json',
  conversations: 'conversations.json',
} as const;

export type StreamName = keyof typeof STREAM_FILES;

/** Folder of the latest complete run. */
export const DATA_PREFIX = 'data/';
/** Folder of every run, each kept immutable. */
export const RUNS_PREFIX = 'runs/';
export const MANIFEST_FILE = 'manifest.json';

/** `data/users.json` or `data/conversations.json`. */
export function dataKey(stream: StreamName): string {
  return `${DATA_PREFIX}${STREAM_FILES[stream]}`;
}

/** `data/manifest.json`: the manifest of the run whose files `data/` holds; written last. */
export function dataManifestKey(): string {
  return `${DATA_PREFIX}${MANIFEST_FILE}`;
}

/** `runs/<runId>/` */
export function runPrefix(runId: string): string {
  assertRunId(runId);
  return `${RUNS_PREFIX}${runId}/`;
}

/** `runs/<runId>/users.json` or `runs/<runId>/conversations.json`. */
export function runKey(runId: string, stream: StreamName): string {
  return `${runPrefix(runId)}${STREAM_FILES[stream]}`;
}

/** `runs/<runId>/manifest.json`. */
export function runManifestKey(runId: string): string {
  return `${runPrefix(runId)}${MANIFEST_FILE}`;
}

/** A new run id that sorts by start time: `20261122T023700Z-3f9a1c`. */
export function newRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** @throws Error when `runId` is not of the form `newRunId` makes (it would escape `runs/`). */
export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new Error(`"${runId}" is not a run id such as 20261122T023700Z-3f9a1c`);
}
