import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createIntercomClient } from '../../lib/intercom/client';
import { readJsonArray } from '../../lib/lake/json-array-reader';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataKey } from '../../lib/lake/keys';
import type { RunManifest } from '../../lib/lake/manifest';
import { S3Store } from '../../lib/lake/s3-store';
import type { LakeStore } from '../../lib/lake/store';
import { silentLogger } from '../../lib/logger';
import { startSandbox, type FaultOptions, type Sandbox } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { expectedContacts, expectedConversations } from '../helpers/expected';
import {
  expectedAdmins,
  expectedDataAttributes,
  expectedSegments,
  expectedTags,
  expectedTeams,
  pairs,
} from '../helpers/expected-lists';
import { readRecordsById } from '../helpers/read-lake';
import { startS3rver } from '../helpers/s3rver';

/**
 * Issue 11's five list streams end to end: the sandbox over HTTP -> extract -> a folder or an
 * s3rver lake -> full load into MariaDB. Each stream's file holds every record once, field for
 * field as the sandbox serves it; its table holds one row per record; the link tables hold exactly
 * the pairs the records name (team_admin from the teams, contact_tag from the contacts' completed
 * tag lists, conversation_tag from the conversations). With faults on, every kind of fault the
 * client retries hits these endpoints as well, and the outcome is the same.
 */

type Json = Record<string, unknown>;
type Row = mysql.RowDataPacket;

const WORKSPACE = { seed: 31, contacts: 70, conversations: 12, admins: 7, teams: 3, tags: 24, segments: 5 };
/**
 * Faults the client must get past: 429s, 5xx, resets, and every 3rd list page cut short (and a rate
 * limit). Not every 2nd: the companies' scroll (one page and the empty last page here) cannot
 * resume, and a cut on every 2nd page could cut every new scroll at the same page for ever.
 */
const FAULTS: FaultOptions = { rate429: 0.1, rate5xx: 0.1, rateReset: 0.03, malformedEvery: 3 };

interface Lake {
  store: LakeStore;
  close(): Promise<void>;
}

async function folderLake(): Promise<Lake> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lake-lists-'));
  return { store: new FolderStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
}

async function s3Lake(): Promise<Lake> {
  const s3 = await startS3rver();
  return { store: new S3Store(`s3://${s3.bucket}/lake`, { client: s3.client }), close: () => s3.close() };
}

const parseRaw = (raw: unknown): Json => (typeof raw === 'string' ? JSON.parse(raw) : raw) as Json;

describe.each([
  ['folder', 'off', folderLake],
  ['folder', 'on', folderLake],
  ['s3', 'off', s3Lake],
  ['s3', 'on', s3Lake],
] as const)('list streams, %s lake, faults %s', (_kind, faults, openLake) => {
  const faultsOn = faults === 'on';
  let sandbox: Sandbox;
  let lake: Lake;
  let database: TestDatabase;
  let db: mysql.Connection;
  let manifest: RunManifest;

  beforeAll(async () => {
    sandbox = await startSandbox({
      ...WORKSPACE,
      windowMs: 1_000,
      // A broken scroll starts again once the old one idles out (a minute at Intercom); the
      // companies fit on one scroll page.
      scrollIdleMs: 200,
      scrollPageSize: 100,
      // With faults on, a budget of 30 calls a window too, which the client must keep to.
      ...(faultsOn && { faults: FAULTS, rateLimitPerWindow: 30 }),
    });
    lake = await openLake();
    database = await createTestDatabase();
    const client = createIntercomClient({
      baseUrl: sandbox.url,
      token: sandbox.token,
      apiVersion: '2.14',
      retryBaseMs: 5,
      maxAttempts: 12,
    });
    try {
      manifest = await runExtract({
        client,
        store: lake.store,
        log: silentLogger(),
        apiUrl: sandbox.url,
        apiVersion: '2.14',
      });
    } finally {
      await client.close();
    }
    await runLoad({ store: lake.store, databaseUrl: database.url, log: silentLogger() });
    db = await mysql.createConnection({ uri: database.url, dateStrings: true });
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
    await lake?.close();
    await sandbox?.close();
  });

  async function rows(sql: string): Promise<Row[]> {
    const [result] = await db.query<Row[]>(sql);
    return result;
  }

  /** The stream's lake file holds `want` exactly (each id once), and the manifest counts it. */
  async function expectLakeFile(stream: keyof RunManifest['streams'], want: Map<string, Json>) {
    const got = await readRecordsById(lake.store, dataKey(stream));
    expect(got).toEqual(want);
    expect(manifest.streams[stream].count).toBe(want.size);
  }

  /** The table holds one row per record of `want`, its raw the record. */
  async function expectTable(table: string, want: Map<string, Json>) {
    const stored = await rows(`SELECT id, raw FROM ${table}`);
    expect(stored).toHaveLength(want.size);
    for (const row of stored) expect(parseRaw(row.raw)).toEqual(want.get(String(row.id)));
  }

  it('asked each list endpoint once per model when clean, and again after faults when not', () => {
    // One request per list (data attributes: one per model): 7 without faults.
    const routes = ['GET /admins', 'GET /teams', 'GET /tags', 'GET /segments', 'GET /data_attributes'];
    const requests = routes.reduce((sum, route) => sum + (sandbox.stats.byRoute[route] ?? 0), 0);
    expect(sandbox.stats.byRoute['GET /data_attributes']).toBeGreaterThanOrEqual(3);
    if (faultsOn) {
      expect(sandbox.stats.faults).toBeGreaterThan(0);
      // Every 2nd list page cut short and a fifth of all requests failing: these lists met faults too.
      expect(requests).toBeGreaterThan(7);
    } else {
      expect(sandbox.stats.faults).toBe(0);
      expect(requests).toBe(7);
    }
  });

  it('admins: every admin once in data/admins.json and in admin', async () => {
    const want = expectedAdmins(sandbox.workspace);
    expect(want.size).toBe(WORKSPACE.admins);
    await expectLakeFile('admins', want);
    await expectTable('admin', want);
    const member = [...want.values()].find((a) => (a.team_ids as number[]).length > 0)!;
    const [typed] = await rows(`SELECT name, email, team_ids FROM admin WHERE id = ${db.escape(member.id)}`);
    expect({ ...typed, team_ids: parseRaw(typed?.team_ids) }).toEqual({
      name: member.name,
      email: member.email,
      team_ids: (member.team_ids as number[]).map(String),
    });
  });

  it('teams: every team once, and team_admin holds exactly the pairs of admin_ids (which the admins mirror)', async () => {
    const want = expectedTeams(sandbox.workspace);
    expect(want.size).toBe(WORKSPACE.teams);
    await expectLakeFile('teams', want);
    await expectTable('team', want);
    const fromTeams = pairs(
      [...want.values()].flatMap((t) =>
        (t.admin_ids as number[]).map((a): [string, string] => [String(t.id), String(a)]),
      ),
    );
    const fromAdmins = pairs(
      [...expectedAdmins(sandbox.workspace).values()].flatMap((a) =>
        (a.team_ids as number[]).map((t): [string, string] => [String(t), String(a.id)]),
      ),
    );
    expect(fromTeams.size).toBeGreaterThan(0);
    expect(fromAdmins).toEqual(fromTeams);
    const links = await rows('SELECT team_id, admin_id FROM team_admin');
    expect(links).toHaveLength(fromTeams.size);
    expect(pairs(links.map((l) => [String(l.team_id), String(l.admin_id)]))).toEqual(fromTeams);
  });

  it('tags: every tag once, and contact_tag / conversation_tag hold exactly the pairs the records name', async () => {
    const want = expectedTags(sandbox.workspace);
    await expectLakeFile('tags', want);
    await expectTable('tag', want);

    const contactPairs = pairs(
      [...expectedContacts(sandbox.workspace)].flatMap(([id, contact]) =>
        ((contact.tags as { data: { id: string }[] }).data ?? []).map((t): [string, string] => [id, t.id]),
      ),
    );
    const contactLinks = await rows('SELECT contact_id, tag_id FROM contact_tag');
    expect(contactPairs.size).toBeGreaterThan(0);
    expect(contactLinks).toHaveLength(contactPairs.size);
    expect(pairs(contactLinks.map((l) => [String(l.contact_id), String(l.tag_id)]))).toEqual(contactPairs);

    const conversationPairs = pairs(
      [...expectedConversations(sandbox.workspace)].flatMap(([id, conversation]) =>
        (conversation.tags as { tags: { id: string }[] }).tags.map((t): [string, string] => [id, t.id]),
      ),
    );
    const conversationLinks = await rows('SELECT conversation_id, tag_id FROM conversation_tag');
    expect(conversationPairs.size).toBeGreaterThan(0);
    expect(conversationLinks).toHaveLength(conversationPairs.size);
    expect(pairs(conversationLinks.map((l) => [String(l.conversation_id), String(l.tag_id)]))).toEqual(
      conversationPairs,
    );
    // Every tag a contact or conversation carries is a listed tag.
    const listed = new Set(want.keys());
    for (const pair of [...contactPairs, ...conversationPairs]) expect(listed).toContain(pair.split('/')[1]);
  });

  it('segments: every segment once, with the count include_count=true asks for', async () => {
    const want = expectedSegments(sandbox.workspace);
    expect(want.size).toBe(WORKSPACE.segments);
    // `count` is there only because the list asks include_count=true (null: not computed yet).
    for (const segment of want.values()) expect(segment).toHaveProperty('count');
    expect([...want.values()].some((segment) => typeof segment.count === 'number')).toBe(true);
    await expectLakeFile('segments', want);
    await expectTable('segment', want);
    const counts = await rows('SELECT id, count FROM segment');
    for (const row of counts) expect(row.count).toBe(want.get(String(row.id))?.count);
  });

  it('data_attributes: every model listed, each (model, name) once, standard ones without an id', async () => {
    const want = expectedDataAttributes(sandbox.workspace);
    const got: unknown[] = [];
    for await (const record of readJsonArray(await lake.store.get(dataKey('data_attributes')))) {
      got.push(record);
    }
    expect(got).toEqual(want);
    const keys = want.map((a) => `${String(a.model)}/${String(a.name)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(want.map((a) => a.model))).toEqual(new Set(['contact', 'company', 'conversation']));
    expect(manifest.streams.data_attributes.count).toBe(want.length);

    const stored = await rows('SELECT model, name, id, custom, raw FROM data_attribute');
    expect(stored).toHaveLength(want.length);
    const wantByKey = new Map(want.map((a) => [`${String(a.model)}/${String(a.name)}`, a]));
    for (const row of stored) {
      const record = wantByKey.get(`${String(row.model)}/${String(row.name)}`);
      expect(parseRaw(row.raw)).toEqual(record);
      expect(row.id).toBe(record?.id === undefined ? null : String(record.id));
      expect(row.custom).toBe(record?.custom ? 1 : 0);
    }
    // `name` is a standard attribute of contacts and of companies: two rows, one per model.
    const named = await rows("SELECT model FROM data_attribute WHERE name = 'name' ORDER BY model");
    expect(named.map((r) => r.model)).toEqual(['company', 'contact']);
  });

  it('quarantined nothing', async () => {
    expect(await rows('SELECT stream, record_id, reason FROM quarantine')).toEqual([]);
  });
});
