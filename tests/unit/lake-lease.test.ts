import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../lib/errors';
import { FolderStore } from '../../lib/lake/folder-store';
import { extractLockKey } from '../../lib/lake/keys';
import { acquireExtractLease, type Lease } from '../../lib/lake/lease';
import { S3Store } from '../../lib/lake/s3-store';
import type { Body, LakeStore } from '../../lib/lake/store';
import { createLogger, silentLogger, type Logger } from '../../lib/logger';
import { spawnLeaseHolder, type LeaseHolder } from '../helpers/lease-holder';

/** A logger whose lines a test can read. */
function capturedLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d: Buffer) => (text += d.toString()));
  const log = createLogger({ level: 'info', pretty: false, destination: sink });
  return {
    log,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const messages = (lines: Record<string, unknown>[]): unknown[] => lines.map((l) => l.msg);
const WAITING = 'waiting for the extract lease held by another extract';
const TOOK_OVER = 'took over a stale extract lease';
/** Long enough that only a proof of death, never a lapse, can explain a takeover within a test. */
const LONG_TTL_MS = 600_000;
/** Short leases for the waits a test has to sit through. */
const SHORT_TTL_MS = 400;

describe('acquireExtractLease', () => {
  let dir: string;
  const holders: LeaseHolder[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lease-'));
  });
  afterEach(async () => {
    for (const holder of holders.splice(0)) {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  /** A lease left behind by a real process on this host that was then killed with SIGKILL. */
  async function leaseOfKilledProcess(): Promise<void> {
    const holder = spawnLeaseHolder({
      lake: dir,
      host: hostname(),
      ttlMs: LONG_TTL_MS,
      runId: '20261122T000000Z-0000dd',
    });
    await holder.held;
    holder.child.kill('SIGKILL');
    await holder.exited;
  }

  it('waits while the holder keeps renewing, naming it, then refuses with the holder in the message', async () => {
    const store = new FolderStore(dir);
    const first = await acquireExtractLease(store, {
      runId: '20261122T000000Z-000001',
      log: silentLogger(),
      ttlMs: SHORT_TTL_MS,
    });
    const { log, lines } = capturedLogger();
    const second = acquireExtractLease(store, { runId: '20261122T000000Z-000002', log, ttlMs: SHORT_TTL_MS });
    await expect(second).rejects.toBeInstanceOf(TransientError);
    await expect(second).rejects.toThrow(
      /Another extract \(run 20261122T000000Z-000001 on .+\) is writing to the lake/,
    );
    expect(lines().find((l) => l.msg === WAITING)).toMatchObject({
      holderRun: '20261122T000000Z-000001',
      holderHost: hostname(),
      lapsesInMs: expect.any(Number),
    });
    await first.assertHeld();
    await first.release();
    expect(await store.exists(extractLockKey())).toBe(false);
  });

  it('takes the lease as soon as the holder releases it during the wait', async () => {
    const store = new FolderStore(dir);
    const first = await acquireExtractLease(store, {
      runId: '20261122T000000Z-000001',
      log: silentLogger(),
      ttlMs: LONG_TTL_MS,
    });
    const { log, lines } = capturedLogger();
    const second = acquireExtractLease(store, {
      runId: '20261122T000000Z-000002',
      log,
      ttlMs: LONG_TTL_MS,
      pollMs: 20,
    });
    while (!messages(lines()).includes(WAITING)) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.release();
    const lease = await second;
    await lease.assertHeld();
    await lease.release();
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
        acquireExtractLease(store, {
          runId: `20261122T000000Z-00000${i}`,
          log: silentLogger(),
          ttlMs: SHORT_TTL_MS,
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    await (won[0] as PromiseFulfilledResult<Lease>).value.release();
  });

  it('takes over at once the lease of a process on this host that was killed, without waiting for it to lapse', async () => {
    await leaseOfKilledProcess();
    const { log, lines } = capturedLogger();
    const lease = await acquireExtractLease(new FolderStore(dir), {
      runId: '20261122T000000Z-000002',
      log,
      ttlMs: LONG_TTL_MS,
    });
    expect(messages(lines())).not.toContain(WAITING);
    expect(lines().find((l) => l.msg === TOOK_OVER)).toMatchObject({
      staleRun: '20261122T000000Z-0000dd',
      reason: expect.stringMatching(/no longer exists/),
    });
    await lease.release();
  });

  it('of many extracts that find a killed holder’s lease at once, exactly one takes it over', async () => {
    await leaseOfKilledProcess();
    const store = new FolderStore(dir);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        acquireExtractLease(store, {
          runId: `20261122T000000Z-00001${i}`,
          log: silentLogger(),
          ttlMs: SHORT_TTL_MS,
        }),
      ),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<Lease> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/Another extract/);
    await won[0]?.value.assertHeld();
    await won[0]?.value.release();
  });

  it('an extract that died in the middle of a takeover does not block the next one', async () => {
    await leaseOfKilledProcess();
    const store = new FolderStore(dir);
    let failLeaseWrite = true;
    const dying: LakeStore = Object.assign(Object.create(store) as LakeStore, {
      put: async (key: string, body: Body) => {
        if (key === extractLockKey() && failLeaseWrite) {
          failLeaseWrite = false;
          throw new Error('killed before it wrote the lease');
        }
        return store.put(key, body);
      },
    });
    // Its takeover claim stays behind, as if the process had died after making it.
    await expect(
      acquireExtractLease(dying, {
        runId: '20261122T000000Z-000001',
        log: silentLogger(),
        ttlMs: SHORT_TTL_MS,
      }),
    ).rejects.toThrow(/killed before/);
    const lease = await acquireExtractLease(store, {
      runId: '20261122T000000Z-000002',
      log: silentLogger(),
      ttlMs: SHORT_TTL_MS,
    });
    await lease.assertHeld();
    await lease.release();
    expect(await store.list('locks/')).toEqual([]);
  });

  it('waits for a live holder on another host and refuses while it keeps renewing', async () => {
    const holder = spawnLeaseHolder({
      lake: dir,
      host: 'other-host',
      ttlMs: SHORT_TTL_MS,
      runId: '20261122T000000Z-0000aa',
    });
    holders.push(holder);
    await holder.held;
    const { log, lines } = capturedLogger();
    const waiting = acquireExtractLease(new FolderStore(dir), {
      runId: '20261122T000000Z-000002',
      log,
      ttlMs: SHORT_TTL_MS,
    });
    await expect(waiting).rejects.toThrow(/Another extract \(run 20261122T000000Z-0000aa on other-host\)/);
    expect(lines().find((l) => l.msg === WAITING)).toMatchObject({
      holderRun: '20261122T000000Z-0000aa',
      holderHost: 'other-host',
    });
    expect(messages(lines())).not.toContain(TOOK_OVER);
  });

  it('takes over from a holder that stopped renewing once its lease lapses; the holder then finds it lost', async () => {
    const holder = spawnLeaseHolder({
      lake: dir,
      host: 'other-host',
      ttlMs: SHORT_TTL_MS,
      runId: '20261122T000000Z-0000bb',
    });
    holders.push(holder);
    await holder.held;
    holder.child.kill('SIGSTOP');
    const { log, lines } = capturedLogger();
    const lease = await acquireExtractLease(new FolderStore(dir), {
      runId: '20261122T000000Z-000002',
      log,
      ttlMs: SHORT_TTL_MS,
    });
    expect(messages(lines())).toContain(WAITING);
    expect(lines().find((l) => l.msg === TOOK_OVER)).toMatchObject({
      staleRun: '20261122T000000Z-0000bb',
      reason: expect.stringMatching(/not renewed since it lapsed/),
    });
    holder.child.kill('SIGCONT');
    await holder.lost;
    await lease.assertHeld();
    await lease.release();
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
