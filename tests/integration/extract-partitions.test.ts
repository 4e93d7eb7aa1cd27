import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { planListing } from '../../lib/intercom/stream-source';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataKey } from '../../lib/lake/keys';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { silentLogger } from '../../lib/logger';
import { USERS } from '../../lib/streams/users';
import { startSandbox, type FaultOptions, type Sandbox } from '../../sandbox/server';
import { searchFieldsOf } from '../../sandbox/workspace';
import { runExtract } from '../../tasks/extract/run-extract';
import { expectedContact } from '../helpers/expected';

// The faults that hit a search listing: 5xx, and a page repeating the last item of the one before.
// Not 429s: each holds the whole client until its window resets (~10 s), and the hundreds of
// nested-list calls here would make that minutes. Not truncated bodies: the sandbox truncates GET
// list pages only, and at this size they break the companies' scroll (which restarts it) more often
// than it allows. tests/integration/extract.test.ts runs both on a small workspace.
const FAULTS: FaultOptions = {
  rate5xx: 0.05,
  repeatAcrossPages: true,
};

// 5,000 contacts a minute apart: about 3.5 days, more than one search range holds.
const WORKSPACE = { seed: 5, contacts: 5_000, conversations: 10 };

/** The sandbox's contacts in the order the lake file must hold them: created_at, ties in list order. */
function expectedOrder(sandbox: Sandbox): string[] {
  const ws = sandbox.workspace;
  const indexes = Array.from({ length: ws.contactCount }, (_, i) => i);
  const created = indexes.map((i) => searchFieldsOf(ws, 'contact', i).created_at);
  indexes.sort((a, b) => (created[a] as number) - (created[b] as number) || a - b);
  return indexes.map((i) => searchFieldsOf(ws, 'contact', i).id);
}

describe.each([
  ['without faults', undefined],
  ['with fault injection', FAULTS],
] as const)('contacts listed through search ranges, %s', (_label, faults) => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ ...WORKSPACE, faults });
    dir = await mkdtemp(path.join(tmpdir(), 'lake-partitions-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every contact once, field for field, ordered by created_at, without listing GET /contacts', async () => {
    const client = createIntercomClient({
      baseUrl: sandbox.url,
      token: sandbox.token,
      apiVersion: '2.14',
      maxAttempts: 12,
      // Hundreds of faults on the nested lists: short backoffs keep the test short.
      retryBaseMs: 20,
      timeoutMs: 5_000,
    });
    try {
      const plan = await planListing(client, USERS.partitions!);
      expect(plan?.length).toBeGreaterThan(2);
      const store = new FolderStore(dir);
      await runExtract({ client, store, log: silentLogger(), apiUrl: sandbox.url, apiVersion: '2.14' });

      const ids: string[] = [];
      const ws = sandbox.workspace;
      for await (const record of readJsonArray(await store.get(dataKey('users')))) {
        const id = String((record as { id: unknown }).id);
        ids.push(id);
        expect(record).toEqual(expectedContact(ws, ws.contactIndex(id) as number));
      }
      expect(ids).toEqual(expectedOrder(sandbox));
      // GET /contacts was asked only for its total_count (retried after a fault), never paged
      // through (that would take 34 pages).
      expect(sandbox.stats.byRoute['GET /contacts']).toBeLessThanOrEqual(faults ? 3 : 1);
      expect(sandbox.stats.byRoute['POST /contacts/search']).toBeGreaterThan(5_000 / 150);
      if (faults) expect(sandbox.stats.faults).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }, 120_000);
});
