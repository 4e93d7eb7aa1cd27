import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { emptyCheckpoint, findResumableRun, writeCheckpoint } from '../../lib/lake/checkpoint';
import { FolderStore } from '../../lib/lake/folder-store';
import { runCheckpointKey } from '../../lib/lake/keys';
import { createLogger } from '../../lib/logger';

const API = { apiUrl: 'http://127.0.0.1:4010', apiVersion: '2.14' };
const RUN_ID = '20261122T023700Z-3f9a1c';
const NOW = new Date('2026-11-22T03:00:00.000Z');

describe('extract checkpoint', () => {
  let dir: string;
  let store: FolderStore;
  let logged: string;
  let log: ReturnType<typeof createLogger>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lake-checkpoint-'));
    store = new FolderStore(dir);
    logged = '';
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    log = createLogger({ level: 'info', destination: out });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes a run from a checkpoint with every registered stream', async () => {
    const checkpoint = emptyCheckpoint(
      RUN_ID,
      API.apiUrl,
      API.apiVersion,
      new Date('2026-11-22T02:37:00.000Z'),
    );
    checkpoint.streams.conversations.children = 12;
    await writeCheckpoint(store, checkpoint);
    expect(await findResumableRun(store, { ...API, log, now: NOW })).toEqual(checkpoint);
  });

  it('starts afresh, with a log line saying why, from a checkpoint the first version wrote', async () => {
    const stream = { done: false, position: 5, lastId: 'c5', count: 5, segments: [] };
    const previous = {
      version: 1,
      runId: RUN_ID,
      ...API,
      startedAt: '2026-11-22T02:37:00.000Z',
      updatedAt: '2026-11-22T02:38:00.000Z',
      users: stream,
      conversations: { ...stream, parts: 40, truncated: [], vanished: [] },
      requests: { total: 3, retries: 0, rateLimited: 0 },
    };
    await store.put(runCheckpointKey(RUN_ID), Readable.from([JSON.stringify(previous)]));
    expect(await findResumableRun(store, { ...API, log, now: NOW })).toBeUndefined();
    expect(logged).toMatch(
      /written by another version of the extract \(checkpoint version 1.*cannot be resumed/,
    );
  });
});
