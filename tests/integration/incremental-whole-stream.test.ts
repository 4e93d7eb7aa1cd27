import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { runKey } from '../../lib/lake/keys';
import { silentLogger } from '../../lib/logger';
import { STREAMS } from '../../lib/streams/registry';
import { createLiveWorkspace } from '../../sandbox/live-workspace';
import { startSandbox } from '../../sandbox/server';
import { createWorkspace } from '../../sandbox/workspace';
import { runExtract } from '../../tasks/extract/run-extract';
import { runIncrementalExtract } from '../../tasks/extract/run-incremental';
import { readRecordsById } from '../helpers/read-lake';

// The registry with a stream that declares no cursor, as admins, teams, tags, segments and data
// attributes will: the incremental run must copy it whole, learning that from the declaration alone.
jest.mock('../../lib/streams/registry', () => {
  const actual = jest.requireActual<typeof import('../../lib/streams/registry')>(
    '../../lib/streams/registry',
  );
  const { defineStream } =
    jest.requireActual<typeof import('../../lib/streams/types')>('../../lib/streams/types');
  const plainContacts = defineStream({
    name: 'plain_contacts',
    file: 'plain_contacts.json',
    label: 'plain contacts',
    singular: 'contact',
    primaryKey: 'id',
    source: { kind: 'list', path: '/contacts', itemsKey: 'data', paged: true },
    pageSize: 40,
    tables: ['users'],
    map: () => ({}),
  });
  const streams = [...actual.STREAMS, plainContacts];
  return { ...actual, STREAMS: streams, ...actual.createLookups(streams) };
});

const PLAIN = 'plain_contacts' as (typeof STREAMS)[number]['name'];

describe('an incremental run over a stream without a cursor', () => {
  it('copies it whole into the run folder and searches, sweeps and bookmarks only the streams with one', async () => {
    const live = createLiveWorkspace(createWorkspace({ seed: 9, contacts: 90, conversations: 12 }));
    const sandbox = await startSandbox({ workspace: live });
    const dir = await mkdtemp(path.join(tmpdir(), 'incremental-whole-'));
    const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
    try {
      const store = new FolderStore(dir);
      const options = { client, store, log: silentLogger(), apiUrl: sandbox.url, apiVersion: '2.14' };
      await runExtract(options);
      live.touch('contact', 4, Math.floor(Date.now() / 1000));
      const manifest = await runIncrementalExtract(options);

      expect(manifest.streams[PLAIN]).toMatchObject({
        kind: 'whole',
        swept: false,
        deleted: [],
        files: [{ key: runKey(manifest.runId, PLAIN), count: live.contactCount }],
      });
      const whole = await readRecordsById(store, runKey(manifest.runId, PLAIN));
      expect(whole.size).toBe(live.contactCount);
      expect(manifest.streams.users).toMatchObject({ kind: 'changes', swept: true });
      expect(manifest.streams.users?.files.map((f) => f.count)).toEqual([1]);
      expect(await store.list(`increments/${PLAIN}/`)).toEqual([]);
    } finally {
      await client.close();
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
