import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { DataError, TransientError } from '../errors';
import type { Logger } from '../logger';
import { extractLockKey } from './keys';
import type { LakeStore } from './store';

/** How long a lease lasts without a heartbeat; a killed extract blocks the lake this long at most. */
export const LEASE_TTL_MS = 120_000;

/** What the lock object holds. */
interface LeaseBody {
  owner: string;
  runId: string;
  host: string;
  pid: number;
  acquiredAt: string;
  /** ISO 8601; after this the lease is stale and anyone may take it. */
  expiresAt: string;
}

/** Options of {@link acquireExtractLease}. */
export interface LeaseOptions {
  /** The run that will hold the lease, named in the message another extract gets. */
  runId: string;
  log: Logger;
  /** Default {@link LEASE_TTL_MS}. */
  ttlMs?: number;
  /** Renew this often; default a quarter of `ttlMs`. */
  heartbeatMs?: number;
  /** Clock; tests pass their own. */
  now?: () => number;
}

/** A held lease on the lake; see {@link acquireExtractLease}. */
export interface Lease {
  readonly owner: string;
  /** Aborted when a heartbeat finds the lease taken by another extract (ours had expired). */
  readonly lost: AbortSignal;
  /**
   * Check the lock object still names us; call right before publishing.
   * @throws TransientError when another extract holds it now.
   */
  assertHeld(): Promise<void>;
  /** Stop the heartbeat and delete the lock object if it is still ours. */
  release(): Promise<void>;
}

/**
 * Take the lease that lets one extract at a time write runs and publish to `data/`: the lock object
 * `locks/extract.json` is created with a conditional write (`LakeStore.putIfAbsent`), then renewed by a
 * heartbeat. A lease that was not renewed before its `expiresAt` (its extract was killed) is stale:
 * it is deleted and taken over, so a crash blocks the lake for at most `ttlMs`. A lease taken on this
 * same host by a process that no longer exists is stale at once (a killed local run, or a task
 * restarted in the same container), which spares a laptop user the wait.
 *
 * Limits, stated plainly: renewal and stale takeover are plain writes, not conditional ones, so two
 * extracts that both find the same stale lease within a few milliseconds could both proceed; the
 * heartbeat then notices the loser within `heartbeatMs` and aborts it through `lost`, and
 * `assertHeld` re-checks ownership right before publishing.
 *
 * @throws TransientError when another extract holds a live lease (the message names its run and when
 *   the lease ends); retry later.
 */
export async function acquireExtractLease(store: LakeStore, options: LeaseOptions): Promise<Lease> {
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(ttlMs / 4));
  const now = options.now ?? Date.now;
  const key = extractLockKey();
  const owner = `${options.runId}/${randomBytes(6).toString('hex')}`;
  const bodyAt = (t: number): LeaseBody => ({
    owner,
    runId: options.runId,
    host: hostname(),
    pid: process.pid,
    acquiredAt: new Date(now()).toISOString(),
    expiresAt: new Date(t + ttlMs).toISOString(),
  });

  for (let attempt = 0; ; attempt++) {
    if (await store.putIfAbsent(key, JSON.stringify(bodyAt(now())))) break;
    const { body, text } = await readLease(store, key);
    if (body && Date.parse(body.expiresAt) > now() && !holderIsGone(body)) {
      throw new TransientError(
        `Another extract (run ${body.runId} on ${body.host}) is writing to the lake ${store.url}; its lease ends at ${body.expiresAt} unless it renews it. Wait for it to finish, then run again; if it was killed, the lease expires by itself at that time.`,
        { cause: new Error(`lease ${key} held by ${body.owner}`) },
      );
    }
    if (attempt >= 2) {
      throw new TransientError(
        `Could not take the extract lease ${key} in ${store.url}: it changed hands while this extract tried to take it over. Run again in a minute.`,
        { cause: new Error('lease contention') },
      );
    }
    // Stale (or unreadable): delete it only if it is still the object we judged, then race for it.
    const again = await readLease(store, key);
    if (again.text === text) {
      options.log.warn({ key, staleRun: body?.runId, expiredAt: body?.expiresAt }, 'taking over a stale extract lease');
      await store.delete(key);
    }
  }

  const controller = new AbortController();
  let stopped = false;
  const check = async (): Promise<LeaseBody | undefined> => {
    const { body } = await readLease(store, key);
    return body?.owner === owner ? body : undefined;
  };
  const beat = async (): Promise<void> => {
    if (stopped) return;
    try {
      const mine = await check();
      if (!mine) {
        controller.abort(
          new TransientError(
            `This extract lost its lease on ${store.url} (another extract took it over after a missed heartbeat); it stopped without publishing. Run again.`,
            { cause: new Error(`lease ${key} no longer held by ${owner}`) },
          ),
        );
        return;
      }
      if (stopped) return;
      await store.put(key, Readable.from([JSON.stringify({ ...mine, expiresAt: new Date(now() + ttlMs).toISOString() })]));
    } catch (error) {
      // A missed beat is not fatal: the lease lasts several beats; the next one tries again.
      options.log.warn({ key, err: error instanceof Error ? error.message : String(error) }, 'lease heartbeat failed');
    }
  };
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = beating.then(beat);
  }, heartbeatMs);
  timer.unref();

  return {
    owner,
    lost: controller.signal,
    async assertHeld() {
      if (!(await check())) {
        throw new TransientError(
          `This extract no longer holds its lease on ${store.url} (another extract took it over), so it did not publish. Run again.`,
          { cause: new Error(`lease ${key} no longer held by ${owner}`) },
        );
      }
    },
    async release() {
      stopped = true;
      clearInterval(timer);
      await beating;
      if (await check()) await store.delete(key);
    },
  };
}

async function readLease(store: LakeStore, key: string): Promise<{ body?: LeaseBody; text?: string }> {
  let text: string;
  try {
    text = (await buffer(await store.get(key))).toString('utf8');
  } catch (error) {
    // Gone between the write and the read: as good as no lease.
    if (error instanceof DataError) return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LeaseBody>;
    if (typeof parsed.owner === 'string' && typeof parsed.expiresAt === 'string' && !Number.isNaN(Date.parse(parsed.expiresAt))) {
      return { body: parsed as LeaseBody, text };
    }
  } catch {
    // Unreadable lock objects are treated as stale.
  }
  return { text };
}

/** True when the lease was taken on this host by a process that is no longer running. */
function holderIsGone(body: LeaseBody): boolean {
  if (body.host !== hostname() || !Number.isInteger(body.pid) || body.pid === process.pid) return false;
  try {
    process.kill(body.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs under another user, so it exists.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
