import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataError, TransientError } from '../errors';
import type { Logger } from '../logger';
import { extractLockKey, extractLockTakeoverKey } from './keys';
import { currentProcessIdentity, whyProcessIsGone, type ProcessIdentity } from './process-identity';
import type { LakeStore } from './store';

/**
 * How long a lease lasts without a heartbeat. A killed extract on the same host is passed at once;
 * one that cannot be proved dead (another host or container, a hung process) blocks the lake this
 * long at most.
 */
export const LEASE_TTL_MS = 60_000;
/** How often a waiting extract looks at the lease again (a released lease is taken this soon). */
export const LEASE_POLL_MS = 5_000;
/** Pause after losing a takeover to another extract, before judging the lease it wrote. */
const TAKEOVER_BACKOFF_MS = 50;
/** Takeover claims tried for one stale lease before giving up (each past one's claimer died mid-takeover). */
const MAX_TAKEOVER_GENERATIONS = 8;

/** What the lock object holds: the run, the process (to prove it dead) and the expiry. */
interface LeaseBody extends ProcessIdentity {
  owner: string;
  runId: string;
  acquiredAt: string;
  /** ISO 8601; after this the lease has lapsed and anyone may take it. */
  expiresAt: string;
}

/** What a takeover claim holds: who claimed, when (a claim lapses like a lease). */
interface ClaimBody extends ProcessIdentity {
  owner: string;
  claimedAt: string;
}

/** Options of {@link acquireExtractLease}. */
export interface LeaseOptions {
  /** The run that will hold the lease, named in the message another extract gets. */
  runId: string;
  log: Logger;
  /** Default {@link LEASE_TTL_MS}. */
  ttlMs?: number;
  /** Renew this often; default a quarter of `ttlMs` (15 s), so one or two missed beats are harmless. */
  heartbeatMs?: number;
  /** Look at a held lease again this often while waiting; default {@link LEASE_POLL_MS} or `heartbeatMs` if shorter. */
  pollMs?: number;
  /** Stops the wait for a held lease (SIGTERM). */
  signal?: AbortSignal;
  /** Host name written in the lease and compared with a holder's; default `os.hostname()`. Tests play other hosts. */
  host?: string;
  /** Clock; tests pass their own. */
  now?: () => number;
}

/** A held lease on the lake; see {@link acquireExtractLease}. */
export interface Lease {
  readonly owner: string;
  /** Aborted when a heartbeat finds the lease taken by another extract (ours had lapsed). */
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
 * `locks/extract.json` is created with a conditional write (`LakeStore.putIfAbsent`), then renewed by
 * a heartbeat every `heartbeatMs`.
 *
 * When another extract holds it:
 * - its process is provably gone (same host, boot and pid namespace, and its pid no longer exists or
 *   now has another start time: a killed run): the lease is taken over at once;
 * - otherwise this extract waits, logging the holder's run and host and when its lease lapses, and
 *   takes it when it is released or lapses (its holder stopped renewing it);
 * - if the holder keeps renewing for `ttlMs` plus one heartbeat, it is alive and busy: give up.
 *
 * A takeover is atomic between contenders: each first makes a claim object named after the stale
 * lease's content with a conditional write, so only one of them replaces it. Limits, stated plainly:
 * renewal is a read then a plain write, so a holder that was hung past its expiry and wakes in the
 * same instant as a takeover could overwrite it; its next heartbeat (or `assertHeld` before
 * publishing) then finds two owners have alternated and the loser stops through `lost`.
 *
 * @throws TransientError when another extract kept its lease alive through the wait (the message
 *   names its run and when the lease ends; retry later), or when `signal` aborted the wait.
 */
export async function acquireExtractLease(store: LakeStore, options: LeaseOptions): Promise<Lease> {
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(ttlMs / 4));
  const pollMs = Math.max(1, options.pollMs ?? Math.min(LEASE_POLL_MS, heartbeatMs));
  const now = options.now ?? Date.now;
  const { log } = options;
  const key = extractLockKey();
  const self = currentProcessIdentity(options.host);
  const owner = `${options.runId}/${randomBytes(6).toString('hex')}`;
  const leaseText = (): string => {
    const body: LeaseBody = {
      owner,
      runId: options.runId,
      ...self,
      acquiredAt: new Date(now()).toISOString(),
      expiresAt: new Date(now() + ttlMs).toISOString(),
    };
    return JSON.stringify(body);
  };
  const claimText = (): string => JSON.stringify({ owner, ...self, claimedAt: new Date(now()).toISOString() });

  /** Replace the stale lease whose text is `stale`, if this extract wins the claim on it. */
  const takeOver = async (stale: string, body: LeaseBody | undefined, reason: string): Promise<boolean> => {
    const digest = createHash('sha256').update(stale).digest('hex').slice(0, 32);
    const passed: string[] = [];
    for (let generation = 1; generation <= MAX_TAKEOVER_GENERATIONS; generation++) {
      const claimKey = extractLockTakeoverKey(digest, generation);
      if (!(await store.putIfAbsent(claimKey, claimText()))) {
        const claim = await readJson<ClaimBody>(store, claimKey, 'claimedAt');
        // A live claimer is replacing it right now; a claim that vanished was finished.
        if (!claim.text || (claim.body && !whyProcessIsGone(claim.body, self) && Date.parse(claim.body.claimedAt) + ttlMs > now())) {
          return false;
        }
        passed.push(claimKey);
        continue;
      }
      try {
        // Only the claim's holder may replace this lease; it still must be the one judged stale.
        if ((await readJson<LeaseBody>(store, key, 'expiresAt')).text !== stale) return false;
        await store.put(key, Readable.from([leaseText()]));
        log.warn({ key, staleRun: body?.runId, staleHost: body?.host, reason }, 'took over a stale extract lease');
        return true;
      } finally {
        // Once the lease has changed, a late claimer of this digest finds it changed and backs off.
        for (const done of [...passed, claimKey]) await store.delete(done).catch(() => undefined);
      }
    }
    return false;
  };

  const pause = async (ms: number): Promise<void> => {
    try {
      await sleep(Math.max(1, ms), undefined, { signal: options.signal });
    } catch (error) {
      throw new TransientError(
        `The extract was stopped while it waited for another extract's lease on ${store.url}; it wrote nothing. Run it again.`,
        { cause: options.signal?.reason ?? error },
      );
    }
  };
  const waitStart = now();
  const giveUpAt = waitStart + ttlMs + heartbeatMs;
  let lastSeen: string | undefined;
  for (;;) {
    if (await store.putIfAbsent(key, leaseText())) break;
    const { body, text } = await readJson<LeaseBody>(store, key, 'expiresAt');
    if (text === undefined) continue; // released between the write and the read: try again
    const expiresAt = body ? Date.parse(body.expiresAt) : Number.NaN;
    const gone = body ? whyProcessIsGone(body, self) : undefined;
    const reason = !body
      ? 'unreadable lock object'
      : gone ?? (expiresAt <= now() ? `not renewed since it lapsed at ${body.expiresAt}` : undefined);
    if (reason) {
      if (await takeOver(text, body, reason)) break;
      // Another extract took it or is taking it: judge the lease it writes.
      await pause(Math.min(pollMs, TAKEOVER_BACKOFF_MS));
      continue;
    }
    const holder = body as LeaseBody;
    if (now() >= giveUpAt) {
      throw new TransientError(
        `Another extract (run ${holder.runId} on ${holder.host}) is writing to the lake ${store.url}; its lease ends at ${holder.expiresAt} unless it renews it, and it kept renewing it while this extract waited ${Math.round((now() - waitStart) / 1000)} s. Wait for it to finish, then run again; if it was killed, the lease expires by itself at that time.`,
        { cause: new Error(`lease ${key} held by ${holder.owner}`) },
      );
    }
    if (text !== lastSeen) {
      lastSeen = text;
      log.info(
        {
          key,
          holderRun: holder.runId,
          holderHost: holder.host,
          holderPid: holder.pid,
          lapsesInMs: Math.max(0, expiresAt - now()),
          givesUpInMs: Math.max(0, giveUpAt - now()),
        },
        'waiting for the extract lease held by another extract',
      );
    }
    await pause(Math.min(pollMs, expiresAt - now() + 1, giveUpAt - now()));
  }

  const controller = new AbortController();
  let stopped = false;
  const check = async (): Promise<LeaseBody | undefined> => {
    const { body } = await readJson<LeaseBody>(store, key, 'expiresAt');
    return body?.owner === owner ? body : undefined;
  };
  const beat = async (): Promise<void> => {
    if (stopped) return;
    try {
      const mine = await check();
      if (!mine) {
        controller.abort(
          new TransientError(
            `This extract lost its lease on ${store.url} (another extract took it over after missed heartbeats); it stopped without publishing. Run again.`,
            { cause: new Error(`lease ${key} no longer held by ${owner}`) },
          ),
        );
        return;
      }
      if (stopped) return;
      await store.put(key, Readable.from([JSON.stringify({ ...mine, expiresAt: new Date(now() + ttlMs).toISOString() })]));
    } catch (error) {
      // A missed beat is not fatal: the lease lasts several beats; the next one tries again.
      log.warn({ key, err: error instanceof Error ? error.message : String(error) }, 'lease heartbeat failed');
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

/**
 * The object at `key` as text and, when it parses with an `owner` and a valid date in `dateField`,
 * as a body; `{}` when there is no object.
 */
async function readJson<T extends { owner: string }>(
  store: LakeStore,
  key: string,
  dateField: string,
): Promise<{ body?: T; text?: string }> {
  let text: string;
  try {
    text = (await buffer(await store.get(key))).toString('utf8');
  } catch (error) {
    // Gone between the write and the read: as good as no object.
    if (error instanceof DataError) return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const date = parsed[dateField];
    if (typeof parsed.owner === 'string' && typeof date === 'string' && !Number.isNaN(Date.parse(date))) {
      return { body: parsed as unknown as T, text };
    }
  } catch {
    // Unreadable objects are judged by their absent body: a lease is stale, a claim lapsed.
  }
  return { text };
}
