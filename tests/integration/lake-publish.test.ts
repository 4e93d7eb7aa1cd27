import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DataError } from '../../lib/errors';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataKey, dataManifestKey, runKey, runManifestKey, type StreamName } from '../../lib/lake/keys';
import { writeManifest, type RunManifest } from '../../lib/lake/manifest';
import { publishRun, readLatestManifest } from '../../lib/lake/publish';
import { S3Store } from '../../lib/lake/s3-store';
import type { LakeStore } from '../../lib/lake/store';
import { STREAMS } from '../../lib/streams/registry';
import { startS3rver } from '../helpers/s3rver';

async function openFolder(): Promise<{ store: LakeStore; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lake-publish-'));
  return { store: new FolderStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
}

async function openS3(): Promise<{ store: LakeStore; close(): Promise<void> }> {
  const s3 = await startS3rver();
  return { store: new S3Store(`s3://${s3.bucket}/lake`, { client: s3.client }), close: () => s3.close() };
}

async function text(store: LakeStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Write a whole run (every stream's file and its manifest) as the extract does, without publishing it. */
async function writeRun(store: LakeStore, runId: string, tag: string): Promise<RunManifest> {
  const stream = async (name: StreamName) => {
    const body = `[\n"${tag}-${name}"\n]\n`;
    await store.put(runKey(runId, name), Readable.from([body]));
    return {
      key: runKey(runId, name),
      count: 1,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    };
  };
  const manifest: RunManifest = {
    runId,
    apiVersion: '2.14',
    apiUrl: 'http://127.0.0.1:4010',
    startedAt: '2026-11-22T02:37:00.000Z',
    finishedAt: '2026-11-22T02:38:00.000Z',
    streams: Object.fromEntries(
      await Promise.all(STREAMS.map(async ({ name }) => [name, await stream(name)] as const)),
    ) as RunManifest['streams'],
    parts: 0,
    truncatedConversations: [],
    timings: {},
    requests: { total: 2, retries: 0, rateLimited: 0 },
  };
  await writeManifest(store, runManifestKey(runId), manifest);
  return manifest;
}

const RUN_A = '20261122T023700Z-aaaaaa';
const RUN_B = '20261123T023700Z-bbbbbb';

describe.each([
  ['folder', openFolder],
  ['s3', openS3],
])('publishRun: %s', (_name, open) => {
  let lake: { store: LakeStore; close(): Promise<void> };
  beforeEach(async () => {
    lake = await open();
  });
  afterEach(async () => {
    await lake.close();
  });

  it('copies every stream file to data/ and the manifest last', async () => {
    const manifest = await writeRun(lake.store, RUN_A, 'a');
    const copies: string[] = [];
    const watched: LakeStore = Object.create(lake.store) as LakeStore;
    watched.copy = async (from, to) => {
      copies.push(`${from} -> ${to}`);
      await lake.store.copy(from, to);
    };
    await publishRun(watched, RUN_A);
    expect(copies).toEqual([
      ...STREAMS.map(({ name }) => `${runKey(RUN_A, name)} -> ${dataKey(name)}`),
      `${runManifestKey(RUN_A)} -> ${dataManifestKey()}`,
    ]);
    expect(copies[0]).toBe(`${runKey(RUN_A, 'users')} -> data/users.json`);
    expect(copies).toContain(`${runKey(RUN_A, 'companies')} -> ${dataKey('companies')}`);
    expect(await text(lake.store, dataKey('users'))).toBe('[\n"a-users"\n]\n');
    expect(await readLatestManifest(lake.store)).toEqual(manifest);
  });

  it('leaves data/ on the previous run while a new run is written but not published', async () => {
    const first = await writeRun(lake.store, RUN_A, 'a');
    await publishRun(lake.store, RUN_A);
    await writeRun(lake.store, RUN_B, 'b');
    expect(await readLatestManifest(lake.store)).toEqual(first);
    expect(await text(lake.store, dataKey('conversations'))).toBe('[\n"a-conversations"\n]\n');
  });

  it('keeps the previous manifest in data/ when a copy fails half way', async () => {
    const first = await writeRun(lake.store, RUN_A, 'a');
    await publishRun(lake.store, RUN_A);
    await writeRun(lake.store, RUN_B, 'b');
    const failing: LakeStore = Object.create(lake.store) as LakeStore;
    failing.copy = async (from, to) => {
      if (to === dataKey('conversations')) throw new Error('copy failed');
      await lake.store.copy(from, to);
    };
    await expect(publishRun(failing, RUN_B)).rejects.toThrow('copy failed');
    // users.json is already run B's, but the manifest still says run A: the load's sha256 check refuses the mix.
    expect(await readLatestManifest(lake.store)).toEqual(first);
  });

  it('refuses a run without a manifest or with a missing file, and touches nothing in data/', async () => {
    await expect(publishRun(lake.store, RUN_A)).rejects.toBeInstanceOf(DataError);
    await writeRun(lake.store, RUN_B, 'b');
    await lake.store.delete(runKey(RUN_B, 'conversations'));
    await expect(publishRun(lake.store, RUN_B)).rejects.toThrow(/conversations\.json/);
    expect(await lake.store.list('data/')).toEqual([]);
    await expect(readLatestManifest(lake.store)).rejects.toBeInstanceOf(DataError);
  });
});
