import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../lib/errors';
import { FolderStore } from '../../lib/lake/folder-store';
import { extractLockKey } from '../../lib/lake/keys';
import { acquireExtractLease } from '../../lib/lake/lease';
import { S3Store } from '../../lib/lake/s3-store';
import { silentLogger } from '../../lib/logger';

describe('acquireExtractLease', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lease-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second extract while the first holds a live lease, naming the holder', async () => {
    const store = new FolderStore(dir);
    const first = await acquireExtractLease(store, { runId: '20261122T000000Z-000001', log: silentLogger() });
    const second = acquireExtractLease(store, { runId: '20261122T000000Z-000002', log: silentLogger() });
    await expect(second).rejects.toBeInstanceOf(TransientError);
    await expect(second).rejects.toThrow(/Another extract \(run 20261122T000000Z-000001/);
    await first.release();
    expect(await store.exists(extractLockKey())).toBe(false);
  });

  it('takes over an expired lease, and the old holder then finds it lost', async () => {
    const store = new FolderStore(dir);
    let clock = Date.parse('2026-11-22T00:00:00Z');
    const now = (): number => clock;
    const first = await acquireExtractLease(store, {
      runId: '20261122T000000Z-000001',
      log: silentLogger(),
      ttlMs: 1_000,
      heartbeatMs: 60_000,
      now,
    });
    clock += 1_001;
    const second = await acquireExtractLease(store, {
      runId: '20261122T000000Z-000002',
      log: silentLogger(),
      ttlMs: 1_000,
      heartbeatMs: 60_000,
      now,
    });
    await expect(first.assertHeld()).rejects.toThrow(/no longer holds its lease/);
    await expect(second.assertHeld()).resolves.toBeUndefined();
    await first.release();
    expect(await store.exists(extractLockKey())).toBe(true);
    await second.release();
    expect(await store.exists(extractLockKey())).toBe(false);
  });

  it('exactly one of many extracts started at once gets the lease', async () => {
    const store = new FolderStore(dir);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        acquireExtractLease(store, { runId: `20261122T000000Z-00000${i}`, log: silentLogger() }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });
});

// s3rver ignores If-None-Match on PutObject, so the S3 conditional write is checked with a mock.
describe('S3Store.putIfAbsent', () => {
  it('sends If-None-Match: * and reports false when S3 answers 412 (the key exists)', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand)
      .resolvesOnce({})
      .rejectsOnce(
        Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        }),
      );
    const store = new S3Store('s3://bucket/p', { client: new S3Client({ region: 'us-east-1' }) });
    expect(await store.putIfAbsent(extractLockKey(), '{}')).toBe(true);
    expect(await store.putIfAbsent(extractLockKey(), '{}')).toBe(false);
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ Bucket: 'bucket', Key: 'p/locks/extract.json', IfNoneMatch: '*' });
    s3.restore();
  });
});
