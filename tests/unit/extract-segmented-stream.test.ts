import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyStreamCheckpoint, type StreamCheckpoint } from '../../lib/lake/checkpoint';
import { FolderStore } from '../../lib/lake/folder-store';
import { silentLogger } from '../../lib/logger';
import { recordKeyOf } from '../../lib/records/record-id';
import { DATA_ATTRIBUTES } from '../../lib/streams/data-attributes';
import { writeSegmentedStream, type Processed } from '../../tasks/extract/segmented-stream';

type Item = { id: string } & Record<string, unknown>;

/** Attribute definitions as GET /data_attributes lists them: standard ones have no id. */
const LISTED = [
  { model: 'contact', name: 'name' },
  { model: 'contact', name: 'email' },
  { model: 'company', name: 'name' },
] as unknown as Item[];

const keyOf = (item: unknown): string => recordKeyOf(item, DATA_ATTRIBUTES.primaryKey) ?? '';

describe('writeSegmentedStream, resuming a stream keyed by several fields', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'segmented-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function resume(state: StreamCheckpoint): Promise<string[]> {
    const processed: string[] = [];
    await writeSegmentedStream<Item>({
      store: new FolderStore(dir),
      runId: '20261202T000000Z-abcdef',
      stream: 'data_attributes',
      state,
      list: async function* () {
        yield* LISTED;
      },
      keyOf,
      process: async function* (items): AsyncIterable<Processed> {
        for await (const item of items) {
          processed.push(keyOf(item));
          yield { id: keyOf(item), record: item };
        }
      },
      segmentRecords: 2,
      save: () => Promise.resolve(),
      log: silentLogger(),
    });
    return processed;
  }

  const saved = {
    key: 'runs/20261202T000000Z-abcdef/segments/data_attributes-000001.json',
    count: 2,
    bytes: 9,
    sha256: 'a'.repeat(64),
  };

  it('skips the items its saved segments hold when the item at the saved position has the saved model/name', async () => {
    const state = {
      ...emptyStreamCheckpoint(),
      position: 2,
      lastId: 'contact/email',
      count: 2,
      segments: [saved],
    };
    expect(await resume(state)).toEqual(['company/name']);
    expect(state).toMatchObject({ done: true, position: 3, lastId: 'company/name', count: 3 });
    expect(state.segments).toHaveLength(2);
  });

  it('starts the stream again when the item at the saved position is another one', async () => {
    const state = {
      ...emptyStreamCheckpoint(),
      position: 2,
      lastId: 'contact/phone',
      count: 2,
      segments: [saved],
    };
    expect(await resume(state)).toEqual(['contact/name', 'contact/email', 'company/name']);
    expect(state).toMatchObject({ done: true, position: 3, count: 3 });
    expect(state.segments).toHaveLength(2);
  });
});
