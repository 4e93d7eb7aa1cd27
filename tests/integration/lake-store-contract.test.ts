import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DataError } from '../../lib/errors';
import { FolderStore } from '../../lib/lake/folder-store';
import { S3Store } from '../../lib/lake/s3-store';
import type { LakeStore } from '../../lib/lake/store';
import { startS3rver } from '../helpers/s3rver';

/** A store for one test, and what is left in its backing storage beside the keys. */
interface Backend {
  store: LakeStore;
  /** Every file or object in the backing storage, including temporary ones. */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

async function openFolder(): Promise<Backend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lake-contract-'));
  return {
    store: new FolderStore(dir),
    async leftovers() {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function openS3(): Promise<Backend> {
  const s3 = await startS3rver();
  const store = new S3Store(`s3://${s3.bucket}/lake`, { client: s3.client });
  const whole = new S3Store(`s3://${s3.bucket}`, { client: s3.client });
  return { store, leftovers: () => whole.list(''), close: () => s3.close() };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function* failingBody(goodBytes: number): AsyncGenerator<Buffer> {
  yield Buffer.alloc(goodBytes, 'x');
  throw new Error('source broke half way');
}

describe.each([
  ['folder', openFolder],
  ['s3', openS3],
])('LakeStore contract: %s', (_name, open) => {
  let backend: Backend;
  let store: LakeStore;
  beforeEach(async () => {
    backend = await open();
    store = backend.store;
  });
  afterEach(async () => {
    await backend.close();
  });

  it('round-trips bytes and reports their count and sha256', async () => {
    const text = '[\n{"name":"Zoë 😀"},\n]\n'.repeat(1000);
    async function* body(): AsyncGenerator<string | Buffer> {
      yield text.slice(0, 10);
      yield Buffer.from(text.slice(10));
    }
    const result = await store.put('runs/r/users.json', body());
    expect(result).toEqual({ bytes: Buffer.byteLength(text), sha256: sha256(text) });
    expect((await readAll(await store.get('runs/r/users.json'))).toString()).toBe(text);
    expect(await store.exists('runs/r/users.json')).toBe(true);
  });

  it('leaves no object and no temporary file when the body fails half way', async () => {
    await expect(store.put('data/users.json', failingBody(64 * 1024))).rejects.toThrow(
      'source broke half way',
    );
    expect(await store.exists('data/users.json')).toBe(false);
    expect(await backend.leftovers()).toEqual([]);
  });

  it('keeps the existing object when a replacing body fails', async () => {
    await store.put('data/users.json', Readable.from(['old']));
    await expect(store.put('data/users.json', failingBody(1024))).rejects.toThrow('source broke half way');
    expect((await readAll(await store.get('data/users.json'))).toString()).toBe('old');
    expect(await backend.leftovers()).toHaveLength(1);
  });

  it('copies an object and replaces the target whole', async () => {
    await store.put('runs/a/users.json', Readable.from(['new content']));
    await store.put('data/users.json', Readable.from(['older, longer content']));
    await store.copy('runs/a/users.json', 'data/users.json');
    expect((await readAll(await store.get('data/users.json'))).toString()).toBe('new content');
    expect((await readAll(await store.get('runs/a/users.json'))).toString()).toBe('new content');
  });

  it('lists the keys under a prefix, sorted, and nothing else', async () => {
    for (const key of ['runs/b/users.json', 'runs/a/users.json', 'data/users.json', 'runs/a/manifest.json']) {
      await store.put(key, Readable.from([key]));
    }
    expect(await store.list('runs/')).toEqual([
      'runs/a/manifest.json',
      'runs/a/users.json',
      'runs/b/users.json',
    ]);
    expect(await store.list('data/')).toEqual(['data/users.json']);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('deletes an object, and deleting a missing one is not an error', async () => {
    await store.put('data/users.json', Readable.from(['x']));
    await store.delete('data/users.json');
    expect(await store.exists('data/users.json')).toBe(false);
    await expect(store.delete('data/users.json')).resolves.toBeUndefined();
  });

  it('throws a DataError naming the key when getting or copying a missing key', async () => {
    const get = store.get('data/conversations.json');
    await expect(get).rejects.toBeInstanceOf(DataError);
    await expect(get).rejects.toThrow(/data\/conversations\.json.*run the extract/i);
    await expect(get).rejects.toMatchObject({ location: 'data/conversations.json' });
    await expect(store.copy('runs/x/users.json', 'data/users.json')).rejects.toBeInstanceOf(DataError);
    expect(await store.exists('data/users.json')).toBe(false);
  });
});
