import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SourceError } from '../../lib/errors';
import { assembleSegments } from '../../lib/lake/assemble-segments';
import type { SegmentInfo } from '../../lib/lake/checkpoint';
import { FolderStore } from '../../lib/lake/folder-store';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { runSegmentKey } from '../../lib/lake/keys';
import { silentLogger } from '../../lib/logger';
import { compileQuery } from '../../sandbox/search';
import {
  CATCH_UP_FIRST_SEGMENT,
  contactsChangedSince,
  conversationsChangedSince,
  writeCatchUp,
} from '../../tasks/extract/catch-up';

const RUN = '20261122T023700Z-abcdef';
let dir: string;
let store: FolderStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'extract-catch-up-'));
  store = new FolderStore(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function segment(index: number, records: unknown[]): Promise<SegmentInfo> {
  const key = runSegmentKey(RUN, 'users', index);
  async function* items(): AsyncGenerator<unknown> {
    yield* records;
  }
  const written = await store.put(key, jsonArrayChunks(items()));
  return { key, count: records.length, bytes: written.bytes, sha256: written.sha256 };
}

async function readAll(key: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const record of readJsonArray(await store.get(key), { key })) out.push(record);
  return out;
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('assembleSegments with a catch-up set', () => {
  it('leaves out the main copies of caught-up ids and appends the catch-up records', async () => {
    const main = [
      await segment(1, [
        { id: 'a', v: 1 },
        { id: 'b', v: 1 },
      ]),
      await segment(2, [{ id: 'c', v: 1 }, { id: 7 }]),
    ];
    const catchUp = [await segment(CATCH_UP_FIRST_SEGMENT, [{ id: 'b', v: 2 }])];
    const skipped: unknown[] = [];
    const result = await assembleSegments(store, main, 'out.json', {
      skipIds: new Set(['b', 'gone', '7']),
      append: catchUp,
      onSkip: (record) => skipped.push(record),
    });
    expect(await readAll('out.json')).toEqual([
      { id: 'a', v: 1 },
      { id: 'c', v: 1 },
      { id: 'b', v: 2 },
    ]);
    expect(result.count).toBe(3);
    expect(skipped).toEqual([{ id: 'b', v: 1 }, { id: 7 }]);
  });

  it('writes the same bytes as before when there is nothing to catch up', async () => {
    const main = [await segment(1, [{ id: 'a' }, { id: 'b' }])];
    const plain = await assembleSegments(store, main, 'plain.json');
    const empty = await assembleSegments(store, main, 'empty.json', { skipIds: new Set(), append: [] });
    expect(empty.sha256).toBe(plain.sha256);
    expect(empty.count).toBe(2);
  });
});

describe('writeCatchUp', () => {
  const base = { store: {} as FolderStore, runId: RUN, segmentRecords: 2, log: silentLogger() };

  it('writes each id once as numbered catch-up segments', async () => {
    const result = await writeCatchUp({
      ...base,
      store,
      stream: 'users',
      search: () => from([{ id: 'x' }, { id: 'y' }, { id: 'x' }, { id: 'z' }]),
      process: async function* (items) {
        for await (const item of items) yield { id: item.id, record: { id: item.id, done: true } };
      },
    });
    expect([...result.ids]).toEqual(['x', 'y', 'z']);
    expect(result.count).toBe(3);
    expect(result.segments.map((s) => s.key)).toEqual([
      runSegmentKey(RUN, 'users', CATCH_UP_FIRST_SEGMENT),
      runSegmentKey(RUN, 'users', CATCH_UP_FIRST_SEGMENT + 1),
    ]);
    expect(await readAll(result.segments[1]?.key ?? '')).toEqual([{ id: 'z', done: true }]);
  });

  it('fails clearly, not silently, when more records changed than it may hold', async () => {
    const run = writeCatchUp({
      ...base,
      store,
      stream: 'conversations',
      maxIds: 2,
      search: () => from([{ id: '1' }, { id: '2' }, { id: '3' }]),
      process: async function* (items) {
        for await (const item of items) yield { id: item.id, record: item };
      },
    });
    await expect(run).rejects.toThrow(SourceError);
    await expect(run).rejects.toThrow(/More than 2 conversations changed in Intercom while this extract ran/);
  });
});

describe('catch-up queries', () => {
  const startedAt = new Date('2026-11-22T00:20:00Z');
  const start = startedAt.getTime() / 1000;

  it('contacts: a calendar-day search reaches back to the start of the run day', () => {
    // The sandbox matches contact dates by day as Intercom does.
    const matches = compileQuery(contactsChangedSince(startedAt), 'calendar-day');
    const at = (t: number) => matches({ id: 'a', created_at: 0, updated_at: t });
    expect(at(start)).toBe(true);
    expect(at(start - 20 * 60)).toBe(true); // midnight UTC of the run's day
    expect(at(start + 86_400)).toBe(true);
    expect(at(start - 3 * 86_400)).toBe(false);
  });

  it('conversations: an exact search from the run start second', () => {
    const matches = compileQuery(conversationsChangedSince(startedAt), 'exact');
    const at = (t: number) => matches({ id: '1', created_at: 0, updated_at: t });
    expect(at(start)).toBe(true);
    expect(at(start - 1)).toBe(false);
  });
});
