import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataKey, newRunId, runKey } from '../lib/lake/keys';
import { readJsonArray } from '../lib/lake/json-array-reader';
import { FolderStore } from '../lib/lake/folder-store';
import { readLatestManifest } from '../lib/lake/publish';
import { startSandbox, type Sandbox } from '../sandbox/server';
import type { LakeShelf } from './lib/lake-shelf';
import { MEMORY_SEED } from './lib/load-lake';
import { runMeasured, scriptNodeArgs } from './lib/run-measured';
import { timeStep } from './lib/step';
import { withTempFolder } from './lib/temp-folder';

/** Intercom's limit: 10,000 calls per minute, enforced as 1,666 per 10-second window. */
export const CALLS_PER_WINDOW = 1666;
export const WINDOW_MS = 10_000;
/** Calls per second the limit allows on average: the floor's rate. */
export const FLOOR_CALLS_PER_S = CALLS_PER_WINDOW / (WINDOW_MS / 1000);
/** Latency as measured against the live API: ~80 ms median (log-normal), 5 % slow at 150 ms. */
export const REALISTIC_LATENCY = { medianMs: 80, slowTailMs: 150, slowFraction: 0.05 };

const EXTRACT = 'tasks/extract/main.ts';
const BASELINE = 'bench/baselines/main.ts';

/** One client's run against the rate-limited sandbox. */
export interface ClientRun {
  client: 'ours' | Comparator;
  contacts: number;
  conversations: number;
  /** Answered calls (429s not included): what the copy needed. */
  calls: number;
  rateLimited: number;
  /** Calls that failed after the client's retries (ours fails the run on any). */
  failures: number;
  wallS: number;
  /** From the first request to the last, as the sandbox saw them. */
  spanS: number;
  /** Answered calls per second of the request span. */
  callsPerS: number;
  peakRssMiB: number;
  /** Records identical to ours (same JSON; conversations in the same order, contacts by id), when compared; else undefined. */
  sameRecords?: boolean;
}

/** The speed bench: our extract over the whole workspace, the comparators over its first records. */
export interface ExtractSpeedResult {
  ours: ClientRun & { parts: number; windows: number; floorS: number; fraction: number };
  /** `extrapolatedS`: our calls at the comparator's call rate; `slowerBy`: that ÷ our wall time. */
  comparators: (ClientRun & { extrapolatedS: number; slowerBy: number })[];
}

/**
 * The comparators: `fetch` one request at a time as the brief reads; the SDK in our 64-wide pool;
 * the SDK one request at a time, as its README shows it.
 */
export const COMPARATORS = ['sequential', 'sdk', 'sdk-sequential'] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** Sizes of the speed bench: the workspace, and the subset each comparator copies. */
export type SpeedSizes = { contacts: number; conversations: number } & Record<
  Comparator,
  [contacts: number, conversations: number]
>;

function answered(sandbox: Sandbox): { calls: number; rateLimited: number } {
  return {
    calls: sandbox.stats.requests - sandbox.stats.rateLimited,
    rateLimited: sandbox.stats.rateLimited,
  };
}

/**
 * Watch the sandbox's request counter from now on: the span from the first to the last request,
 * which leaves out each process's start-up (tsx, ~1 s) so a short comparator run is not penalised.
 */
function trackRequests(sandbox: Sandbox): () => number {
  const start = sandbox.stats.requests;
  let first: number | undefined;
  let last = 0;
  let seen = start;
  const timer = setInterval(() => {
    if (sandbox.stats.requests === seen) return;
    seen = sandbox.stats.requests;
    const now = performance.now();
    first ??= now;
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    return first === undefined ? 0 : (last - first) / 1000;
  };
}

/** Each record of `theirs` equals the record at the same place in `ours` (compared as JSON text). */
async function sameRecords(store: FolderStore, ours: string, theirs: string): Promise<boolean> {
  const a = readJsonArray(await store.get(ours))[Symbol.asyncIterator]();
  for await (const record of readJsonArray(await store.get(theirs))) {
    const mine = await a.next();
    if (mine.done || JSON.stringify(mine.value) !== JSON.stringify(record)) {
      await a.return?.(undefined);
      return false;
    }
  }
  await a.return?.(undefined);
  return true;
}

/**
 * Each record of `theirs` equals the record of the same id in `ours` (compared as JSON text), in
 * whatever order: our contacts come ordered by `created_at`, the comparators' in `GET /contacts` order.
 */
async function sameRecordsById(store: FolderStore, ours: string, theirs: string): Promise<boolean> {
  const wanted = new Map<string, string>();
  for await (const record of readJsonArray(await store.get(theirs))) {
    wanted.set(String((record as { id?: unknown }).id), JSON.stringify(record));
  }
  let found = 0;
  for await (const record of readJsonArray(await store.get(ours))) {
    const text = wanted.get(String((record as { id?: unknown }).id));
    if (text === undefined) continue;
    if (text !== JSON.stringify(record)) return false;
    found += 1;
  }
  return found === wanted.size;
}

async function runComparator(
  sandbox: Sandbox,
  store: FolderStore,
  lake: string,
  client: Comparator,
  [contacts, conversations]: [number, number],
): Promise<ClientRun> {
  const before = answered(sandbox);
  const stop = trackRequests(sandbox);
  const runId = newRunId();
  const resultFile = path.join(lake, `${client}-result.json`);
  const run = await runMeasured(BASELINE, {
    BASELINE: client,
    INTERCOM_API_URL: sandbox.url,
    INTERCOM_ACCESS_TOKEN: sandbox.token,
    LAKE_URL: lake,
    BASELINE_RUN_ID: runId,
    BASELINE_CONTACTS: String(contacts),
    BASELINE_CONVERSATIONS: String(conversations),
    BASELINE_RESULT: resultFile,
  });
  if (run.code !== 0) throw new Error(`${client} baseline failed (${run.code}): ${run.stderrTail}`);
  const result = JSON.parse(await readFile(resultFile, 'utf8')) as {
    users: number;
    conversations: number;
    failures: number;
  };
  const spanS = stop();
  const after = answered(sandbox);
  const calls = after.calls - before.calls;
  const wallS = run.wallMs / 1000;
  let same = result.users === contacts && result.conversations === conversations;
  same = same && (await sameRecordsById(store, dataKey('users'), runKey(runId, 'users')));
  same = same && (await sameRecords(store, dataKey('conversations'), runKey(runId, 'conversations')));
  return {
    client,
    contacts: result.users,
    conversations: result.conversations,
    calls,
    rateLimited: after.rateLimited - before.rateLimited,
    failures: result.failures,
    wallS,
    spanS,
    callsPerS: calls / spanS,
    peakRssMiB: run.peakRssMiB,
    sameRecords: same,
  };
}

/**
 * Our extract against the sandbox with Intercom's real limit and realistic latency, over enough
 * calls to span many windows; then the sequential baseline and the SDK over the first records of
 * the same workspace, their records checked against ours and their full time extrapolated from
 * their call rate.
 *
 * @throws Error when any run fails or a comparator writes other records than ours.
 */
export async function benchExtractSpeed(sizes: SpeedSizes): Promise<ExtractSpeedResult> {
  return withSpeedSandbox(sizes, async (sandbox, lake) => {
    const store = new FolderStore(lake);
    const ours = await runOurs(sandbox, store, lake);
    const comparators = [];
    for (const client of COMPARATORS) {
      const c = await timeStep(`extract/speed/${client}`, () =>
        runComparator(sandbox, store, lake, client, sizes[client]),
      );
      if (!c.sameRecords) throw new Error(`${client} baseline wrote other records than our extract`);
      // A subset spans few windows, so bursting across their edges can beat the limit's rate; no
      // client sustains more than the floor's rate over a whole run, so that caps the extrapolation.
      const extrapolatedS = ours.calls / Math.min(c.callsPerS, FLOOR_CALLS_PER_S);
      comparators.push({ ...c, extrapolatedS, slowerBy: extrapolatedS / ours.wallS });
    }
    return { ours, comparators };
  });
}

/**
 * Our extract alone against the rate-limited sandbox of {@link benchExtractSpeed}, at one workspace
 * shape (`npm run bench -- --only extract-speed --contacts 100000 --conversations 300`).
 *
 * @throws Error when the extract fails.
 */
export function benchOursSpeed(contacts: number, conversations: number): Promise<ExtractSpeedResult['ours']> {
  return withSpeedSandbox({ contacts, conversations }, (sandbox, lake) =>
    runOurs(sandbox, new FolderStore(lake), lake),
  );
}

async function withSpeedSandbox<T>(
  sizes: { contacts: number; conversations: number },
  fn: (sandbox: Sandbox, lake: string) => Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox({
    seed: 11,
    contacts: sizes.contacts,
    conversations: sizes.conversations,
    rateLimitPerWindow: CALLS_PER_WINDOW,
    windowMs: WINDOW_MS,
    latencyMs: REALISTIC_LATENCY,
  });
  try {
    return await withTempFolder('bench-lake-', (lake) => fn(sandbox, lake));
  } finally {
    await sandbox.close();
  }
}

async function runOurs(
  sandbox: Sandbox,
  store: FolderStore,
  lake: string,
): Promise<ExtractSpeedResult['ours']> {
  const stop = trackRequests(sandbox);
  // As deployed: with the Node flags of `npm run extract`.
  const run = await timeStep('extract/speed/ours', () =>
    runMeasured(
      EXTRACT,
      { INTERCOM_API_URL: sandbox.url, INTERCOM_ACCESS_TOKEN: sandbox.token, LAKE_URL: lake },
      { nodeArgs: scriptNodeArgs('extract') },
    ),
  );
  const spanS = stop();
  if (run.code !== 0) throw new Error(`extract failed (${run.code}): ${run.stderrTail}`);
  const manifest = await readLatestManifest(store);
  const { calls, rateLimited } = answered(sandbox);
  const wallS = run.wallMs / 1000;
  const floorS = calls / FLOOR_CALLS_PER_S;
  return {
    client: 'ours' as const,
    contacts: manifest.streams.users.count,
    conversations: manifest.streams.conversations.count,
    parts: manifest.parts,
    calls,
    rateLimited,
    failures: 0,
    wallS,
    spanS,
    callsPerS: calls / spanS,
    peakRssMiB: run.peakRssMiB,
    windows: Math.ceil(calls / CALLS_PER_WINDOW),
    floorS,
    fraction: floorS / wallS,
  };
}

/** One memory measurement of the extract. */
export interface ExtractMemoryResult {
  contacts: number;
  conversations: number;
  parts: number;
  /** Node flags the extract ran with ('' = defaults). */
  nodeArgs: string;
  peakRssMiB: number;
  wallS: number;
}

/**
 * Peak RSS of the extract at a workspace size (the sandbox of {@link MEMORY_SEED}), with no latency
 * and no limit, run as the container runs it (`node --import tsx tasks/extract/main.ts`) plus
 * `nodeArgs`. With `shelf`, the lake it wrote is kept there for the load memory bench instead of
 * being deleted.
 *
 * @throws Error when the extract fails.
 */
export async function benchExtractMemory(
  contacts: number,
  conversations: number,
  nodeArgs: string[] = [],
  shelf?: LakeShelf,
): Promise<ExtractMemoryResult> {
  const lake = await mkdtemp(path.join(tmpdir(), 'bench-lake-'));
  let kept = false;
  try {
    const sandbox = await startSandbox({
      seed: MEMORY_SEED,
      contacts,
      conversations,
      includeQuirks: false,
    });
    const run = await runMeasured(
      EXTRACT,
      { INTERCOM_API_URL: sandbox.url, INTERCOM_ACCESS_TOKEN: sandbox.token, LAKE_URL: lake },
      { nodeArgs },
    ).finally(() => sandbox.close());
    if (run.code !== 0) throw new Error(`extract failed (${run.code}): ${run.stderrTail}`);
    const manifest = await readLatestManifest(new FolderStore(lake));
    if (shelf) {
      await shelf.put({ contacts, conversations }, lake);
      kept = true;
    }
    return {
      contacts: manifest.streams.users.count,
      conversations: manifest.streams.conversations.count,
      parts: manifest.parts,
      nodeArgs: nodeArgs.join(' '),
      peakRssMiB: run.peakRssMiB,
      wallS: run.wallMs / 1000,
    };
  } finally {
    if (!kept) await rm(lake, { recursive: true, force: true });
  }
}
