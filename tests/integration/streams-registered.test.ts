import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataKey } from '../../lib/lake/keys';
import { silentLogger } from '../../lib/logger';
import { ExtractProgress } from '../../lib/progress';
import { STREAMS } from '../../lib/streams/registry';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';
import { readRecordsById } from '../helpers/read-lake';

// The registry with one more stream, declared as the next streams will be: a plain list of every
// contact (no nested lists, no detail, no catch-up search) into its own lake file. Nothing else in
// the product changes, so whatever the extract does with it, it learned from the declaration.
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
/** The registry's own streams, before the one this test adds. */
const actualNames = jest
  .requireActual<typeof import('../../lib/streams/registry')>('../../lib/streams/registry')
  .STREAMS.map((s) => s.name);

describe('a stream added to the registry', () => {
  let sandbox: Sandbox;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, contacts: 90, conversations: 12 });
    dir = await mkdtemp(path.join(tmpdir(), 'lake-registered-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is listed, written, published and counted by the extract with no other change', async () => {
    expect(STREAMS.map((s) => s.name)).toEqual([...actualNames, 'plain_contacts']);
    const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
    const progress = new ExtractProgress({
      log: silentLogger(),
      readRequests: () => client.stats,
      tty: false,
    });
    const store = new FolderStore(dir);
    const manifest = await runExtract({
      client,
      store,
      log: silentLogger(),
      apiUrl: sandbox.url,
      apiVersion: '2.14',
      progress,
    });
    await client.close();

    const plain = await readRecordsById(store, dataKey(PLAIN));
    const users = await readRecordsById(store, dataKey('users'));
    expect(dataKey(PLAIN)).toBe('data/plain_contacts.json');
    expect([...plain.keys()].sort()).toEqual([...users.keys()].sort());
    expect(plain.size).toBe(sandbox.workspace.contactCount);
    expect(manifest.streams[PLAIN]).toMatchObject({
      key: `runs/${manifest.runId}/plain_contacts.json`,
      count: plain.size,
    });
    // Compared with GET /contacts' total_count like every list stream: no warning when they agree.
    expect(manifest.warnings).toBeUndefined();
    // It has no catch-up search, so the catch-up figures name only the streams that have one.
    expect(manifest.catchUp && Object.keys(manifest.catchUp)).toEqual(
      STREAMS.filter((s) => s.incremental).map((s) => s.name),
    );
    expect(manifest.catchUp).not.toHaveProperty(PLAIN);
    expect(progress.counts['plain contacts']).toBe(plain.size);
    const published = JSON.parse(await readFile(path.join(dir, 'data/manifest.json'), 'utf8')) as {
      streams: Record<string, unknown>;
    };
    expect(Object.keys(published.streams)).toEqual([...actualNames, 'plain_contacts']);
  });
});
