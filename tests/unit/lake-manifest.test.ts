import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DataError } from '../../lib/errors';
import { FolderStore } from '../../lib/lake/folder-store';
import { runKey, runManifestKey } from '../../lib/lake/keys';
import { readManifest, writeManifest, type RunManifest } from '../../lib/lake/manifest';
import { STREAMS } from '../../lib/streams/registry';

const RUN_ID = '20261122T023700Z-3f9a1c';

function sampleManifest(): RunManifest {
  return {
    runId: RUN_ID,
    apiVersion: '2.14',
    apiUrl: 'http://127.0.0.1:4010',
    startedAt: '2026-11-22T02:37:00.000Z',
    finishedAt: '2026-11-22T02:39:12.345Z',
    streams: {
      users: { key: runKey(RUN_ID, 'users'), count: 3, bytes: 120, sha256: 'a'.repeat(64) },
      conversations: { key: runKey(RUN_ID, 'conversations'), count: 2, bytes: 300, sha256: 'b'.repeat(64) },
      companies: { key: runKey(RUN_ID, 'companies'), count: 1, bytes: 90, sha256: 'c'.repeat(64) },
      tickets: { key: runKey(RUN_ID, 'tickets'), count: 1, bytes: 400, sha256: 'd'.repeat(64) },
    },
    parts: 7,
    truncatedConversations: ['1'],
    timings: { users: 1200, conversations: 5400 },
    requests: { total: 12, retries: 1, rateLimited: 0 },
  };
}

describe('run manifest', () => {
  let dir: string;
  let store: FolderStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lake-manifest-'));
    store = new FolderStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what was written, including fields a newer extract adds', async () => {
    const manifest = { ...sampleManifest(), vanishedConversations: ['9'] };
    await writeManifest(store, runManifestKey(RUN_ID), manifest);
    expect(await readManifest(store, runManifestKey(RUN_ID))).toEqual(manifest);
  });

  it('throws a DataError that says to run the extract when the manifest is missing', async () => {
    await expect(readManifest(store, 'data/manifest.json')).rejects.toThrow(/data\/manifest\.json.*extract/s);
  });

  it('throws a DataError for a manifest that is not JSON or lacks a checksum', async () => {
    await store.put('data/manifest.json', Readable.from(['{"runId": ']));
    await expect(readManifest(store, 'data/manifest.json')).rejects.toThrow(/not valid JSON/);
    const broken = sampleManifest() as unknown as { streams: { users: { sha256?: string } } };
    delete broken.streams.users.sha256;
    await store.put('data/manifest.json', Readable.from([JSON.stringify(broken)]));
    const error = await readManifest(store, 'data/manifest.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/not a run manifest.*sha256/s);
  });

  it('reads the fields the first version of the extract wrote, field for field, once every registered stream has a file', async () => {
    // The first version's fields (before the stream registry: fixed streams users and
    // conversations); streams registered since need their entries, see the next test.
    const previous = {
      runId: RUN_ID,
      apiVersion: '2.14',
      apiUrl: 'http://127.0.0.1:4010',
      startedAt: '2026-11-22T02:37:00.000Z',
      finishedAt: '2026-11-22T02:39:12.345Z',
      streams: {
        users: { key: `runs/${RUN_ID}/users.json`, count: 3, bytes: 120, sha256: 'a'.repeat(64) },
        conversations: {
          key: `runs/${RUN_ID}/conversations.json`,
          count: 2,
          bytes: 300,
          sha256: 'b'.repeat(64),
        },
        ...Object.fromEntries(
          STREAMS.slice(2).map((s) => [
            s.name,
            { key: `runs/${RUN_ID}/${s.file}`, count: 0, bytes: 3, sha256: 'c'.repeat(64) },
          ]),
        ),
      },
      parts: 7,
      truncatedConversations: ['1'],
      vanishedConversations: [],
      catchUp: { users: 1, conversations: 0 },
      timings: { users: 1200, conversations: 5400, catchUp: 80, assemble: 30 },
      requests: { total: 12, retries: 1, rateLimited: 0 },
    };
    await store.put('data/manifest.json', Readable.from([`${JSON.stringify(previous, null, 2)}\n`]));
    expect(await readManifest(store, 'data/manifest.json')).toEqual(previous);

    // As the first version wrote it, without the streams added since: re-run the extract.
    const first = {
      ...previous,
      streams: { users: previous.streams.users, conversations: previous.streams.conversations },
    };
    await store.put('data/manifest.json', Readable.from([JSON.stringify(first)]));
    await expect(readManifest(store, 'data/manifest.json')).rejects.toThrow(
      /has no [a-z_, ]*companies[a-z_, ]* stream.*Re-run the extract/s,
    );
  });

  it('refuses a manifest without a file for a registered stream, saying to re-run the extract', async () => {
    const older = sampleManifest() as unknown as { streams: { conversations?: unknown } };
    delete older.streams.conversations;
    await store.put('data/manifest.json', Readable.from([JSON.stringify(older)]));
    const error = await readManifest(store, 'data/manifest.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/has no conversations stream.*Re-run the extract/s);
    await expect(
      writeManifest(store, runManifestKey(RUN_ID), older as unknown as RunManifest),
    ).rejects.toBeInstanceOf(DataError);
    expect(await store.exists(runManifestKey(RUN_ID))).toBe(false);
  });

  it('refuses to write an invalid manifest', async () => {
    const bad = { ...sampleManifest(), parts: -1 };
    await expect(writeManifest(store, runManifestKey(RUN_ID), bad)).rejects.toBeInstanceOf(DataError);
    expect(await store.exists(runManifestKey(RUN_ID))).toBe(false);
  });
});
