import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SourceError, TransientError } from '../../lib/errors';
import { createIntercomClient, type IntercomClientOptions } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import type { RunManifest } from '../../lib/lake/manifest';
import { silentLogger } from '../../lib/logger';
import { startSandbox, type FaultOptions, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { createWorkspace, type Workspace } from '../../sandbox/workspace';
import { runExtract } from '../../tasks/extract/run-extract';
import { canonicalLake, snapshotData, type CanonicalLake } from '../helpers/canonical';

/**
 * Issue 6's fault matrix: each row injects one fault into the sandbox over real HTTP and runs the
 * extract in-process into a folder lake. The run either ends with `data/` whose canonical content
 * equals a clean run's, or throws a clear error and leaves `data/` byte for byte as it was.
 *
 * Made fast on purpose: a 1 s rate-limit window (Intercom's is 10 s, and a 429 makes the client
 * wait for the window's reset), a 5 ms retry base and a short client timeout for slow answers.
 */

/**
 * 163 contacts (2 list pages of 150) and 33 conversations: every kind of request, a few hundred in all.
 * The 60 companies fit one scroll page, and a scroll idles out after 100 ms instead of Intercom's
 * minute: a scroll cannot resume, so a cut page starts a new scroll from the first page once the
 * old one has expired. A scroll is at least two requests (a page, then the empty one that ends it),
 * so a cut on every 2nd list page could cut every scroll for ever once the other streams are done;
 * the cut rows cut every 3rd.
 */
const WORKSPACE = {
  seed: 11,
  contacts: 160,
  conversations: 30,
  scrollPageSize: 100,
  scrollIdleMs: 100,
} as const;
const WINDOW_MS = 1_000;
const CLIENT: Partial<IntercomClientOptions> = { retryBaseMs: 5, timeoutMs: 2_000, maxAttempts: 10 };

interface Lake {
  dir: string;
  store: FolderStore;
}

const opened: { close(): Promise<void> }[] = [];

async function openLake(): Promise<Lake> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fault-matrix-'));
  opened.push({ close: () => rm(dir, { recursive: true, force: true }) });
  return { dir, store: new FolderStore(dir) };
}

async function sandboxWith(options: SandboxOptions): Promise<Sandbox> {
  const sandbox = await startSandbox({ ...WORKSPACE, windowMs: WINDOW_MS, ...options });
  opened.push(sandbox);
  return sandbox;
}

async function extract(
  sandbox: Sandbox,
  lake: Lake,
  client: Partial<IntercomClientOptions> = {},
): Promise<RunManifest> {
  const intercom = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    ...CLIENT,
    ...client,
  });
  try {
    return await runExtract({
      client: intercom,
      store: lake.store,
      log: silentLogger(),
      apiUrl: sandbox.url,
      apiVersion: '2.14',
    });
  } finally {
    await intercom.close();
  }
}

/** What a clean run of WORKSPACE writes; every row compares with it. */
let clean: CanonicalLake;

beforeAll(async () => {
  const sandbox = await sandboxWith({});
  const lake = await openLake();
  await extract(sandbox, lake);
  clean = await canonicalLake(lake.store);
});

afterAll(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

describe('fault matrix: the run finishes with the clean run’s content', () => {
  it('has a clean baseline with every record once', () => {
    expect(clean.users).toMatchObject({ count: 163, duplicateIds: [] });
    expect(clean.conversations).toMatchObject({ count: 33, duplicateIds: [] });
  });

  // Every row has three entries: with fewer, jest would take the test's third parameter for `done`.
  const rows: [string, FaultOptions, Partial<IntercomClientOptions>][] = [
    ['20% of requests answered 429', { rate429: 0.2 }, {}],
    ['5% of requests answered 500/502/503', { rate5xx: 0.05 }, {}],
    ['2% of connections reset before any answer', { rateReset: 0.02 }, {}],
    ['5% of answers slower than the client timeout', { rateSlow: 0.05, slowMs: 1_500 }, { timeoutMs: 250 }],
    ['every 3rd list page a truncated 200 body', { malformedEvery: 3 }, {}],
    ['the first item of each next page repeating the last of the previous', { repeatAcrossPages: true }, {}],
    [
      'all of the above at once',
      {
        rate429: 0.2,
        rate5xx: 0.05,
        rateReset: 0.02,
        rateSlow: 0.05,
        slowMs: 1_500,
        malformedEvery: 3,
        repeatAcrossPages: true,
      },
      { timeoutMs: 250, maxAttempts: 16 },
    ],
  ];

  it.each(rows)('%s', async (_name, faults, client) => {
    const sandbox = await sandboxWith({ faults });
    const lake = await openLake();

    const manifest = await extract(sandbox, lake, client);

    // The sandbox counts every fault but the repeated item, which leaves more list items than records.
    if (faults.repeatAcrossPages) expect(manifest.streams.users.count).toBe(clean.users.count);
    else expect(sandbox.stats.faults).toBeGreaterThan(0);
    expect(await canonicalLake(lake.store)).toEqual(clean);
    expect(manifest.streams.users.count).toBe(clean.users.count);
    expect(manifest.streams.conversations.count).toBe(clean.conversations.count);
  });
});

describe('fault matrix: the run fails clearly and leaves data/ as it was', () => {
  it('a token revoked half way: SourceError 401 naming the token, data/ untouched', async () => {
    const hook = midRunHook();
    const sandbox = await sandboxWith({ workspace: hook.workspace });
    hook.then(() => sandbox.revokeToken());
    const lake = await openLake();
    await extract(await sandboxWith({}), lake);
    const before = await snapshotData(lake.store);

    const error = await extract(sandbox, lake).catch((e: unknown) => e);

    expect(hook.fired()).toBe(true);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as Error).message).toMatch(/refused the access token.*INTERCOM_ACCESS_TOKEN/);
    expect((error as Error).message).not.toContain(sandbox.token);
    expect(sandbox.stats.unauthorized).toBeGreaterThan(0);
    expect(await snapshotData(lake.store)).toEqual(before);
    expect(await canonicalLake(lake.store)).toEqual(clean);
  });

  it('Intercom down half way (every request 503) past the retries: TransientError, data/ untouched', async () => {
    const hook = midRunHook();
    const sandbox = await sandboxWith({ workspace: hook.workspace });
    hook.then(() => sandbox.setFaults({ rate5xx: 1 }));
    const lake = await openLake();
    await extract(await sandboxWith({}), lake);
    const before = await snapshotData(lake.store);

    const error = await extract(sandbox, lake, { maxAttempts: 3 }).catch((e: unknown) => e);

    expect(hook.fired()).toBe(true);
    expect(sandbox.stats.faults).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/did not answer GET \/\S+ after 3 attempts .*run again later/);
    expect(await snapshotData(lake.store)).toEqual(before);
  });

  it('a first run that fails leaves no data/ at all', async () => {
    const lake = await openLake();
    const sandbox = await sandboxWith({ faults: { malformedEvery: 1 } });

    const error = await extract(sandbox, lake, { maxAttempts: 2 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain('unparseable 200 body');
    expect(await snapshotData(lake.store)).toEqual({});
  });
});

/**
 * WORKSPACE, calling `then`'s callback when the sandbox builds conversation 15 (mid-run: after
 * GET /me and the first list pages, with details and contacts still to come), so a fault starts
 * at the same point of every run without any timing.
 */
function midRunHook(): { workspace: Workspace; then(fn: () => void): void; fired(): boolean } {
  const base = createWorkspace(WORKSPACE);
  let callback = (): void => {};
  let fired = false;
  const workspace: Workspace = {
    ...base,
    conversationAt(j) {
      if (j === 15 && !fired) {
        fired = true;
        callback();
      }
      return base.conversationAt(j);
    },
  };
  return { workspace, then: (fn) => void (callback = fn), fired: () => fired };
}
