import { spawn } from 'node:child_process';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { readBookmarks } from '../../lib/lake/bookmarks';
import { readIncrementManifest } from '../../lib/lake/increment-manifest';
import { FolderStore } from '../../lib/lake/folder-store';
import { silentLogger } from '../../lib/logger';
import { createLiveWorkspace, type LiveWorkspace } from '../../sandbox/live-workspace';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { createWorkspace } from '../../sandbox/workspace';
import { runExtract } from '../../tasks/extract/run-extract';
import { runIncrementalExtract } from '../../tasks/extract/run-incremental';
import { runIncrementalLoad } from '../../tasks/load/run-incremental-load';
import { runLoad } from '../../tasks/load/run-load';
import { queryDatabase } from '../helpers/database';
import { snapshotWarehouse } from '../helpers/warehouse';
import { closedAfterEach } from '../helpers/closed-after-each';

/**
 * Issue 12: full copy, then the workspace changes (updates, new records, a new part, a delete, a
 * merge, a contact the search index has not caught up with, all "today" in a UTC+14 workspace),
 * then incremental runs: the warehouse must equal a fresh full run of the final state, field for
 * field, and the incremental extract must cost calls in proportion to what changed.
 */
const SIZE = { seed: 31, contacts: 300, conversations: 200 } as const;
/** A workspace far from UTC: its calendar day is not the UTC day for 14 hours of each day. */
const TIME_ZONE = 'Pacific/Kiritimati';
const ROOT = path.resolve(__dirname, '../..');

const { opened, folder, database } = closedAfterEach('incremental-');
async function sandboxOf(workspace: LiveWorkspace): Promise<Sandbox> {
  const sandbox = await startSandbox({ workspace, timeZone: TIME_ZONE });
  opened(sandbox);
  return sandbox;
}

function clientOf(sandbox: Sandbox) {
  const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
  opened({ close: () => client.close() });
  return client;
}
const common = (sandbox: Sandbox, store: FolderStore) => ({
  client: clientOf(sandbox),
  store,
  log: silentLogger(),
  apiUrl: sandbox.url,
  apiVersion: '2.14',
  segmentRecords: 50,
});

/** The warehouse as a full run would leave it: sync_state (what loaded it, when) and quarantine stamps left out. */
async function contentOf(url: string): Promise<unknown> {
  const snapshot = (await snapshotWarehouse(url)) as Record<string, unknown>;
  delete snapshot.sync_state;
  snapshot.quarantine = (snapshot.quarantine as Record<string, unknown>[])
    .map(({ stream, record_id, reason, raw }) => ({ stream, record_id, reason, raw }))
    .sort((a, b) => String(a.record_id).localeCompare(String(b.record_id)));
  return snapshot;
}

/** A fresh full extract and load of the workspace as it is now. */
async function freshFullRun(live: LiveWorkspace): Promise<unknown> {
  const sandbox = await sandboxOf(live);
  const store = await folder();
  const db = await database();
  await runExtract(common(sandbox, store));
  await runLoad({ store, databaseUrl: db.url, progress: false });
  return contentOf(db.url);
}

const now = (): number => Math.floor(Date.now() / 1000);

describe('incremental sync', () => {
  it('after full + changes + incremental runs the warehouse equals a fresh full run, for calls in proportion to the changes', async () => {
    const live = createLiveWorkspace(createWorkspace(SIZE));
    const sandbox = await sandboxOf(live);
    const store = await folder();
    const db = await database();
    await runExtract(common(sandbox, store));
    await runLoad({ store, databaseUrl: db.url, progress: false });

    // The changes, all made today.
    const t = now();
    live.touch('contact', 5, t);
    live.touch('contact', 17, t);
    const lagging = live.create('contact', 20, t);
    live.hideFromSearch('contact', lagging);
    live.merge(30, 31, t);
    live.remove('contact', 40);
    live.touch('conversation', 3, t);
    live.touch('conversation', 50, t);
    live.addPart(60, t);
    live.create('conversation', 70, t);
    live.remove('conversation', 80);
    live.touchTicket(2, t, true); // a reply: a new part
    live.touchTicket(5, t);
    live.removeTicket(7);
    const changedContacts = 3; // 5, 17 and 31 (merged into); the new one is not searchable yet
    const changedConversations = 4; // 3, 50, 60 (new part), the new one
    const changedTickets = 2;

    const before: Record<string, number> = { ...sandbox.stats.byRoute, total: sandbox.stats.requests };
    const first = await runIncrementalExtract(common(sandbox, store));
    const calls = (route: string): number => (sandbox.stats.byRoute[route] ?? 0) - (before[route] ?? 0);
    expect(calls('GET /conversations/{id}')).toBe(changedConversations);
    const nested = ['tags', 'companies', 'notes'].reduce((n, l) => n + calls(`GET /contacts/{id}/${l}`), 0);
    expect(nested).toBeLessThanOrEqual(3 * changedContacts);
    const sweepPages = Math.ceil(live.contactCount / 150) + Math.ceil(live.conversationCount / 150);
    expect(calls('GET /contacts') + calls('GET /conversations')).toBe(sweepPages);
    // Tickets have no list: one search page of changes, one of the sweep (40 tickets), one confirming
    // the deleted id; a search item carries its parts, so no ticket needs its detail.
    const ticketSweepPages = Math.ceil(live.ticketCount / 150);
    expect(calls('POST /tickets/search')).toBe(1 + ticketSweepPages + 1);
    expect(calls('GET /tickets/{id}')).toBe(0);
    // Streams without a cursor are copied whole: one list call each, data attributes one per model,
    // companies by scroll (pages of 50, then the empty page that ends it).
    const wholeRoutes = ['GET /admins', 'GET /teams', 'GET /tags', 'GET /segments'];
    for (const route of wholeRoutes) expect(calls(route)).toBe(1);
    expect(calls('GET /data_attributes')).toBe(3); // contact, company, conversation
    const scrollPages = calls('GET /companies/scroll');
    expect(scrollPages).toBe(Math.ceil(live.companyCount / 50) + 1);
    const wholeCalls = wholeRoutes.length + 3 + scrollPages;
    const total = sandbox.stats.requests - (before.total ?? 0);
    // me, one search page per stream, one confirming id search per stream: a constant of 7.
    expect(total).toBeLessThanOrEqual(
      changedConversations + nested + sweepPages + ticketSweepPages + wholeCalls + 7,
    );

    expect(first.streams.users?.files.reduce((n, f) => n + f.count, 0)).toBe(changedContacts);
    expect(first.streams.conversations?.files.reduce((n, f) => n + f.count, 0)).toBe(changedConversations);
    expect(first.streams.users?.deleted[0]?.count).toBe(2); // merged away and deleted
    expect(first.streams.conversations?.deleted[0]?.count).toBe(1);
    expect(first.streams.tickets?.files.reduce((n, f) => n + f.count, 0)).toBe(changedTickets);
    expect(first.streams.tickets).toMatchObject({ swept: true, deleted: [{ count: 1 }] });
    // A definition the workspace no longer has, as a retired attribute leaves: the whole copy of
    // data attributes replaces the table, by model and name (standard attributes have no id).
    await queryDatabase(
      db.url,
      "INSERT INTO data_attribute (model, name, raw) VALUES ('contact', 'retired_attribute', '{}')",
    );
    const attributes = await queryDatabase(db.url, 'SELECT COUNT(*) AS n FROM data_attribute');
    await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    const retired = await queryDatabase(
      db.url,
      "SELECT model, name FROM data_attribute WHERE name = 'retired_attribute'",
    );
    expect(retired).toEqual([]);
    const kept = await queryDatabase(db.url, 'SELECT COUNT(*) AS n FROM data_attribute');
    expect(Number(kept[0]?.n)).toBe(Number(attributes[0]?.n) - 1);
    const parts = await queryDatabase(
      db.url,
      'SELECT COUNT(*) AS n FROM conversation_part WHERE conversation_id = ?',
      [live.conversationAt(60).id],
    );
    expect(Number(parts[0]?.n)).toBe(live.conversationAt(60).conversation_parts.conversation_parts.length);
    const ticketParts = await queryDatabase(
      db.url,
      'SELECT COUNT(*) AS n FROM ticket_part WHERE ticket_id = ?',
      [live.ticketAt(2).id],
    );
    expect(Number(ticketParts[0]?.n)).toBe(live.ticketAt(2).ticket_parts.ticket_parts.length);
    const deletedTicket = await queryDatabase(db.url, 'SELECT id FROM ticket WHERE id = ?', [
      live.ticketAt(7).id,
    ]);
    expect(deletedTicket).toEqual([]);

    // The search index catches up: the lookback finds the contact the first run could not see,
    // and skips the versions the first run copied.
    live.indexSearch();
    const second = await runIncrementalExtract(common(sandbox, store));
    expect(second.streams.users?.files.reduce((n, f) => n + f.count, 0)).toBe(1);
    expect(second.streams.conversations?.files).toEqual([]);
    expect(second.streams.tickets?.files).toEqual([]);
    const summary = await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    expect(summary.runs).toEqual([second.runId]);

    expect(await contentOf(db.url)).toEqual(await freshFullRun(live));
    const state = await queryDatabase(
      db.url,
      'SELECT stream, increment_run_id FROM sync_state ORDER BY stream',
    );
    // Every stream has its row: those with a cursor and those copied whole, all at the last run.
    expect(state).toEqual(
      [
        'admins',
        'companies',
        'conversations',
        'data_attributes',
        'segments',
        'tags',
        'teams',
        'tickets',
        'users',
      ].map((stream) => ({
        stream,
        increment_run_id: second.runId,
      })),
    );
  });

  it('a contact the search index had not caught up with during the full copy comes with the next incremental run', async () => {
    // The full extract lists contacts through search ranges, which cannot see a contact Intercom
    // has not indexed yet; the bookmark a full copy leaves is its start, and the incremental run
    // searches from there less its lookback, so the contact created just before is found then.
    const live = createLiveWorkspace(createWorkspace(SIZE));
    const sandbox = await sandboxOf(live);
    const store = await folder();
    const db = await database();
    const lagging = live.create('contact', 20, now() - 60);
    live.hideFromSearch('contact', lagging);
    const laggingId = live.contactAt(lagging).id;
    await runExtract(common(sandbox, store));
    await runLoad({ store, databaseUrl: db.url, progress: false });
    expect(await queryDatabase(db.url, 'SELECT id FROM users WHERE id = ?', [laggingId])).toEqual([]);

    live.indexSearch();
    const run = await runIncrementalExtract(common(sandbox, store));
    expect(run.streams.users?.files.reduce((n, f) => n + f.count, 0)).toBe(1);
    await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    expect(await queryDatabase(db.url, 'SELECT id FROM users WHERE id = ?', [laggingId])).toEqual([
      { id: laggingId },
    ]);
    expect(await contentOf(db.url)).toEqual(await freshFullRun(live));
  });

  it('pages a calendar-day contact search newest first and stops at the window, not at the day', async () => {
    const live = createLiveWorkspace(createWorkspace(SIZE));
    const sandbox = await sandboxOf(live);
    const store = await folder();
    await runExtract(common(sandbox, store));
    // 200 contacts changed 40 minutes ago: before the window (the full copy's start less 15 minutes),
    // but within the calendar day the contact search matches in any time zone.
    for (let i = 10; i < 210; i++) live.touch('contact', i, now() - 40 * 60);
    live.touch('contact', 5, now());
    const before = sandbox.stats.byRoute['POST /contacts/search'] ?? 0;
    const manifest = await runIncrementalExtract({ ...common(sandbox, store), sweepDeletes: false });
    expect(manifest.streams.users?.files.map((f) => f.count)).toEqual([1]);
    // 201 matches are two pages of 150; the first ends past the window, so the second is never asked for.
    expect((sandbox.stats.byRoute['POST /contacts/search'] ?? 0) - before).toBe(1);
  });

  it('skips the deletion sweep of a stream whose list costs more calls than its changes, unless told to sweep', async () => {
    // 3,003 contacts: 21 list pages, over the 20 an automatic sweep always takes; no contact changed.
    const live = createLiveWorkspace(createWorkspace({ seed: 61, contacts: 3000, conversations: 20 }));
    const sandbox = await sandboxOf(live);
    const store = await folder();
    await runExtract(common(sandbox, store));
    live.touch('conversation', 4, now());
    const auto = await runIncrementalExtract(common(sandbox, store));
    expect(auto.streams.users?.swept).toBe(false);
    expect(auto.streams.conversations?.swept).toBe(true);
    live.remove('contact', 100);
    const forced = await runIncrementalExtract({ ...common(sandbox, store), sweepDeletes: true });
    expect(forced.streams.users).toMatchObject({ swept: true, deleted: [{ count: 1 }] });
  });

  it('a row never goes back to an older version, and a rerun of the load changes nothing', async () => {
    const live = createLiveWorkspace(createWorkspace(SIZE));
    const sandbox = await sandboxOf(live);
    const store = await folder();
    const db = await database();
    await runExtract(common(sandbox, store));
    live.touch('conversation', 7, now());
    await runIncrementalExtract(common(sandbox, store));
    await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    const after = await contentOf(db.url);
    // A newer version in the warehouse (as a webhook would have written it) is kept.
    const id = live.conversationAt(7).id;
    await queryDatabase(
      db.url,
      "UPDATE conversation SET raw = JSON_SET(raw, '$.updated_at', 4102444800), title = 'newer' WHERE id = ?",
      [id],
    );
    await queryDatabase(db.url, 'UPDATE sync_state SET increment_run_id = NULL');
    const again = await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    expect(again.older).toBe(1);
    const rows = await queryDatabase(db.url, 'SELECT title FROM conversation WHERE id = ?', [id]);
    expect(rows).toEqual([{ title: 'newer' }]);
    await queryDatabase(
      db.url,
      'UPDATE conversation SET raw = JSON_SET(raw, "$.updated_at", ?), title = ? WHERE id = ?',
      [live.conversationAt(7).updated_at, live.conversationAt(7).title, id],
    );
    expect(await contentOf(db.url)).toEqual(after);
  });

  it('killed with SIGKILL mid-run, the bookmark has not moved; the rerun ends exact', async () => {
    const live = createLiveWorkspace(createWorkspace(SIZE));
    let child: ReturnType<typeof spawn> | undefined;
    let killAt = Number.POSITIVE_INFINITY;
    const sandbox = await startSandbox({
      workspace: live,
      timeZone: TIME_ZONE,
      // The killed run leaves its company scroll open; the rerun waits until it expires, as Intercom's
      // does after a minute idle: two seconds here.
      scrollIdleMs: 2_000,
      onRequest: (count, route) => {
        if (route === 'GET /conversations/{id}' && count === killAt) child?.kill('SIGKILL');
      },
    });
    opened(sandbox);
    const store = await folder();
    const db = await database();
    await runExtract(common(sandbox, store));
    await runLoad({ store, databaseUrl: db.url, progress: false });
    const t = now();
    for (let j = 10; j < 40; j++) live.touch('conversation', j, t);
    live.remove('conversation', 90);
    const bookmarks = await readBookmarks(store);

    const extract = (): Promise<number | null> =>
      new Promise((resolve) => {
        child = spawn(
          process.execPath,
          ['--import', 'tsx', 'tasks/extract/main.ts', '--mode', 'incremental'],
          {
            cwd: ROOT,
            env: {
              PATH: process.env.PATH ?? '',
              HOME: process.env.HOME ?? '',
              LOG_LEVEL: 'warn',
              INTERCOM_API_URL: sandbox.url,
              INTERCOM_ACCESS_TOKEN: sandbox.token,
              LAKE_URL: store.url,
              EXTRACT_SEGMENT_RECORDS: '5',
            },
            stdio: 'ignore',
          },
        );
        child.on('close', (code, signal) => resolve(signal ? null : code));
      });
    // Killed after its first segments of changed conversations were written.
    killAt = (sandbox.stats.byRoute['GET /conversations/{id}'] ?? 0) + 20;
    expect(await extract()).toBeNull();
    expect(await readBookmarks(store)).toEqual(bookmarks);
    const runs = (await store.list('runs/')).filter((k) => k.endsWith('/increment.json'));
    expect(runs).toEqual([]);

    killAt = Number.POSITIVE_INFINITY;
    expect(await extract()).toBe(0);
    const published = (await store.list('runs/')).filter((k) => k.endsWith('/increment.json'));
    expect(published).toHaveLength(1);
    const runId = published[0]?.split('/')[1] ?? '';
    expect((await readBookmarks(store))?.conversations?.runId).toBe(runId);
    // Only the published run's files are left under increments/.
    const files = (await store.list('increments/')).filter((k) => !k.endsWith(`${runId}.json`));
    expect(files).toEqual([]);
    expect((await readIncrementManifest(store, runId))?.streams.conversations?.files[0]?.count).toBe(30);

    await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
    expect(await contentOf(db.url)).toEqual(await freshFullRun(live));
  });
});
