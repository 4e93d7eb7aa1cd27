import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import type { RunManifest } from '../../lib/lake/manifest';
import { TransientError } from '../../lib/errors';
import { silentLogger } from '../../lib/logger';
import type { LiveWorkspace } from '../../sandbox/live-workspace';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';
import { canonicalLake } from '../helpers/canonical';

/**
 * Issue 6's fault row "items that move between pages while paging": with the sandbox's
 * `moveWhilePaging` fault, records are updated and created between list pages and the lists are
 * ordered most recently updated first, so plain cursor paging skips the records that move and copies
 * others in their old version. The extract's catch-up pass must end with the canonical content of a
 * clean run on the workspace's final state; without it the same fault loses records (so it is real).
 */

/** 603 contacts (5 pages of 150) and 303 conversations (3 pages): several moves per list. */
const WORKSPACE = { seed: 21, contacts: 600, conversations: 300 } as const;

const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function openStore(): Promise<FolderStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'moving-items-'));
  opened.push({ close: () => rm(dir, { recursive: true, force: true }) });
  return new FolderStore(dir);
}

async function sandboxWith(options: SandboxOptions): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  opened.push(sandbox);
  return sandbox;
}

async function extract(
  sandbox: Sandbox,
  store: FolderStore,
  catchUp?: boolean,
  signal?: AbortSignal,
): Promise<RunManifest> {
  const client = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    signal,
  });
  try {
    return await runExtract({
      client,
      store,
      log: silentLogger(),
      apiUrl: sandbox.url,
      apiVersion: '2.14',
      segmentRecords: 100,
      catchUp,
      signal,
    });
  } finally {
    await client.close();
  }
}

/** Extract with the fault on, then a clean run on the final state the fault left. */
async function runWithMoves(catchUp: boolean) {
  const sandbox = await sandboxWith({ ...WORKSPACE, faults: { moveWhilePaging: true } });
  const store = await openStore();
  const manifest = await extract(sandbox, store, catchUp);
  const live = sandbox.workspace as LiveWorkspace;
  const cleanSandbox = await sandboxWith({ workspace: live });
  const cleanStore = await openStore();
  await extract(cleanSandbox, cleanStore);
  return {
    manifest,
    live,
    sandbox,
    got: await canonicalLake(store),
    clean: await canonicalLake(cleanStore),
  };
}

describe('items that move between pages while paging', () => {
  it('ends with the clean run of the final state, every id once, with the catch-up pass', async () => {
    const { manifest, live, sandbox, got, clean } = await runWithMoves(true);
    // The fault really moved and created records in both lists.
    expect(sandbox.stats.faults).toBeGreaterThanOrEqual(6);
    expect(live.changeCounts.contact.created).toBeGreaterThanOrEqual(4);
    expect(live.changeCounts.conversation.created).toBeGreaterThanOrEqual(2);
    expect(live.contactCount).toBe(603 + live.changeCounts.contact.created);

    expect(got).toEqual(clean);
    expect(got.users).toMatchObject({ count: live.contactCount, duplicateIds: [] });
    expect(got.conversations).toMatchObject({ count: live.conversationCount, duplicateIds: [] });
    expect(manifest.catchUp?.users).toBeGreaterThanOrEqual(live.changeCounts.contact.created);
    expect(manifest.catchUp?.conversations).toBeGreaterThanOrEqual(live.changeCounts.conversation.created);
    expect(manifest.warnings).toBeUndefined();
  });

  it('without the catch-up pass the same fault loses records, and the manifest warns', async () => {
    const { manifest, live, got, clean } = await runWithMoves(false);
    // Records read before they changed are kept in their old version.
    expect(got).not.toEqual(clean);
    // Conversations: created records and records that moved ahead of the cursor were never listed.
    expect(got.conversations.count).toBeLessThan(live.conversationCount);
    // Contacts are listed by search ordered by created_at, which a change never moves: none is
    // lost, and those created meanwhile (created_at = now) come last in the range still open.
    expect(got.users.count).toBe(live.contactCount);
    expect(got.users.duplicateIds).toEqual([]);
    expect(manifest.catchUp).toBeUndefined();
    expect(manifest.warnings).toEqual([
      expect.stringMatching(/conversations\.json holds \d+ conversations but GET \/conversations reports/),
    ]);
  });

  it('a run stopped during its catch-up pass resumes, runs the pass again and ends exact', async () => {
    const stop = new AbortController();
    const sandbox = await sandboxWith({
      ...WORKSPACE,
      faults: { moveWhilePaging: true },
      onRequest: (_count, route) => {
        if (route === 'POST /conversations/search') stop.abort(new Error('stopped by the test'));
      },
    });
    const store = await openStore();
    const first = extract(sandbox, store, true, stop.signal);
    await expect(first).rejects.toBeInstanceOf(TransientError);
    await expect(first).rejects.toThrow(/run the extract again to resume/);
    expect(await store.exists('data/users.json')).toBe(false);

    const searchesBefore = sandbox.stats.byRoute['POST /conversations/search'] ?? 0;
    const pagesBefore = sandbox.stats.byRoute['GET /conversations'] ?? 0;
    const manifest = await extract(sandbox, store);
    // The lists were done and are not read again; the catch-up pass ran again.
    expect(sandbox.stats.byRoute['GET /conversations']).toBe(pagesBefore + 1);
    expect(sandbox.stats.byRoute['POST /conversations/search']).toBeGreaterThan(searchesBefore);
    expect(manifest.warnings).toBeUndefined();

    const cleanSandbox = await sandboxWith({ workspace: sandbox.workspace });
    const cleanStore = await openStore();
    await extract(cleanSandbox, cleanStore);
    expect(await canonicalLake(store)).toEqual(await canonicalLake(cleanStore));
  });
});
