import { TransientError } from '../../lib/errors';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { silentLogger } from '../../lib/logger';
import { createLiveWorkspace } from '../../sandbox/live-workspace';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { createWorkspace } from '../../sandbox/workspace';
import { runExtract } from '../../tasks/extract/run-extract';
import { runBackfill } from '../../tasks/extract/run-backfill';
import { runIncrementalExtract } from '../../tasks/extract/run-incremental';
import { runIncrementalLoad } from '../../tasks/load/run-incremental-load';
import { runLoad } from '../../tasks/load/run-load';
import { snapshotWarehouse } from '../helpers/warehouse';
import { closedAfterEach } from '../helpers/closed-after-each';

/**
 * Issue 12's backfill: `--since/--until` copies each UTC day as its own unit; a failed day fails the
 * command and leaves the others copied; a day run again replaces its files whole.
 */
const SIZE = { seed: 41, contacts: 200, conversations: 150 } as const;
const at = (iso: string): number => Date.parse(iso) / 1000;

const { opened, folder, database } = closedAfterEach('backfill-');
function options(sandbox: Sandbox, store: FolderStore) {
  // One attempt per request: a day whose requests fail fails at once instead of backing off.
  const client = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    maxAttempts: 1,
  });
  opened({ close: () => client.close() });
  return { client, store, log: silentLogger(), apiUrl: sandbox.url, apiVersion: '2.14', segmentRecords: 50 };
}

describe('backfill by day', () => {
  it('copies each day as a unit: a failed day fails the command and leaves the others, a rerun replaces a day whole', async () => {
    const live = createLiveWorkspace(createWorkspace(SIZE));
    // UTC+14: a contact changed late on a UTC day is on the next calendar day of the workspace.
    const sandbox = await startSandbox({ workspace: live, timeZone: 'Pacific/Kiritimati' });
    opened(sandbox);
    const store = await folder();
    const db = await database();
    await runExtract(options(sandbox, store));
    await runLoad({ store, databaseUrl: db.url, progress: false });
    // Changes an hourly run never sees: made on days before the bookmark.
    live.touch('conversation', 5, at('2026-11-20T12:00:00Z'));
    live.touch('contact', 8, at('2026-11-20T23:30:00Z'));
    live.touch('conversation', 6, at('2026-11-21T12:00:00Z'));
    live.touch('conversation', 7, at('2026-11-22T00:10:00Z'));
    const hourly = await runIncrementalExtract({ ...options(sandbox, store), sweepDeletes: false });
    // Only the streams without a cursor (copied whole each run) have files.
    expect(
      Object.values(hourly.streams)
        .filter((s) => s.kind === 'changes')
        .flatMap((s) => s.files),
    ).toEqual([]);

    const days: [string, string][] = [];
    const backfill = runBackfill({
      ...options(sandbox, store),
      since: '2026-11-20',
      until: '2026-11-22',
      onDay: (day, outcome) => {
        days.push([day, outcome]);
        // Intercom fails every request of the second day.
        sandbox.setFaults(day === '2026-11-20' ? { rate5xx: 1 } : {});
      },
    });
    await expect(backfill).rejects.toBeInstanceOf(TransientError);
    await expect(backfill).rejects.toThrow(
      /Backfill of 1 of 3 days failed \(2026-11-21\); the other days were copied/,
    );
    expect(days).toEqual([
      ['2026-11-20', 'done'],
      ['2026-11-21', 'failed'],
      ['2026-11-22', 'done'],
    ]);
    const files = async (): Promise<string[]> =>
      (await store.list('increments/')).map((k) => k.replace(/[^/]+\.json$/, '<run>.json'));
    expect(await files()).toEqual([
      'increments/conversations/date=2026-11-20/<run>.json',
      'increments/conversations/date=2026-11-22/<run>.json',
      'increments/users/date=2026-11-20/<run>.json',
    ]);

    const [again] = await runBackfill({
      ...options(sandbox, store),
      since: '2026-11-21',
      until: '2026-11-21',
    });
    expect(again?.streams.conversations?.files.map((f) => f.count)).toEqual([1]);
    const before = await store.list('increments/conversations/date=2026-11-20/');
    const [rerun] = await runBackfill({
      ...options(sandbox, store),
      since: '2026-11-20',
      until: '2026-11-20',
    });
    const after = await store.list('increments/conversations/date=2026-11-20/');
    expect(after).toEqual([`increments/conversations/date=2026-11-20/${rerun?.runId}.json`]);
    expect(after).not.toEqual(before);

    // The load applies every published run; the first 2026-11-20 file is gone, replaced by the rerun.
    await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    const fresh = await startSandbox({ workspace: live });
    opened(fresh);
    const freshStore = await folder();
    const freshDb = await database();
    await runExtract(options(fresh, freshStore));
    await runLoad({ store: freshStore, databaseUrl: freshDb.url, progress: false });
    expect(await snapshotWarehouse(db.url)).toEqual(await snapshotWarehouse(freshDb.url));
  });
});
