import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataKey } from '../../lib/lake/keys';
import { S3Store } from '../../lib/lake/s3-store';
import type { LakeStore } from '../../lib/lake/store';
import { silentLogger } from '../../lib/logger';
import { ticketPartsOf } from '../../lib/records/map-ticket';
import { startSandbox, type FaultOptions, type Sandbox } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../helpers/database';
import { expectedCompanies, expectedContacts, expectedTickets } from '../helpers/expected';
import { readRecordsById } from '../helpers/read-lake';
import { startS3rver } from '../helpers/s3rver';

type Json = Record<string, unknown>;

// Random faults on every route, and one 500 in the middle of the companies scroll (Intercom's
// "restart the scroll operation"), after which the client must start a new scroll.
const FAULTS: FaultOptions = {
  rate429: 0.03,
  rate5xx: 0.05,
  rateReset: 0.02,
  scrollFailAfterPages: 3,
};

const backends = [
  {
    name: 'folder',
    async open(): Promise<{ store: LakeStore; close(): Promise<void> }> {
      const dir = await mkdtemp(path.join(tmpdir(), 'lake-ct-'));
      return { store: new FolderStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3 (s3rver)',
    async open(): Promise<{ store: LakeStore; close(): Promise<void> }> {
      const s3 = await startS3rver();
      return { store: new S3Store(`s3://${s3.bucket}/lake`, { client: s3.client }), close: () => s3.close() };
    },
  },
];

/** A JSON column's value: MySQL 8 sends JSON (mysql2 parses it), MariaDB's may arrive as text. */
function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

describe.each(backends)('companies and tickets, sandbox → extract → load, $name lake', (backend) => {
  describe.each([
    ['without faults', undefined],
    ['with faults and a scroll broken mid-way', FAULTS],
  ] as const)('%s', (_label, faults) => {
    let sandbox: Sandbox;
    let lake: { store: LakeStore; close(): Promise<void> };
    let db: TestDatabase;

    beforeAll(async () => {
      sandbox = await startSandbox({
        seed: 23,
        contacts: 150,
        conversations: 10,
        companies: 57,
        tickets: 45,
        // Six pages of companies and the empty one: a scroll long enough to break in the middle.
        scrollPageSize: 10,
        // A broken scroll waits for the old one to idle out (a minute at Intercom) before a new one.
        scrollIdleMs: 200,
        faults,
      });
      lake = await backend.open();
      db = await createTestDatabase();
      const client = createIntercomClient({
        baseUrl: sandbox.url,
        token: sandbox.token,
        apiVersion: '2.14',
        maxAttempts: 12,
        retryBaseMs: 50,
        timeoutMs: 5_000,
      });
      try {
        await runExtract({
          client,
          store: lake.store,
          log: silentLogger(),
          apiUrl: sandbox.url,
          apiVersion: '2.14',
        });
      } finally {
        await client.close();
      }
      await runLoad({ store: lake.store, databaseUrl: db.url, log: silentLogger(), progress: false });
    });
    afterAll(async () => {
      await sandbox?.close();
      await lake?.close();
      await db?.drop();
    });

    it('the lake holds every company and every ticket once, field for field', async () => {
      const companies = await readRecordsById(lake.store, dataKey('companies'));
      const tickets = await readRecordsById(lake.store, dataKey('tickets'));
      const wantCompanies = expectedCompanies(sandbox.workspace);
      const wantTickets = expectedTickets(sandbox.workspace);
      expect([...companies.keys()].sort()).toEqual([...wantCompanies.keys()].sort());
      expect([...tickets.keys()].sort()).toEqual([...wantTickets.keys()].sort());
      for (const [id, want] of wantCompanies) expect(companies.get(id)).toEqual(want);
      for (const [id, want] of wantTickets) expect(tickets.get(id)).toEqual(want);
      if (faults) {
        expect(sandbox.stats.faults).toBeGreaterThan(0);
        // The broken scroll and at least one whole new one.
        expect(sandbox.stats.byRoute['GET /companies/scroll']).toBeGreaterThanOrEqual(3 + 1 + 7);
      }
    });

    it('the warehouse holds one company row per company, its raw the lake record', async () => {
      const want = expectedCompanies(sandbox.workspace);
      const rows = await queryDatabase(db.url, 'SELECT id, company_id, name, raw FROM company ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([...want.keys()].sort());
      for (const row of rows) {
        const record = want.get(String(row.id)) as Json;
        expect(json(row.raw)).toEqual(record);
        expect(row.company_id).toBe(record.company_id);
        expect(row.name).toBe(record.name);
      }
    });

    it("contact_company holds exactly the (contact, company) pairs of the contacts' completed lists", async () => {
      const want: string[] = [];
      for (const [contactId, contact] of expectedContacts(sandbox.workspace)) {
        const data = (contact.companies as { data: { id: string }[] }).data;
        for (const company of new Set(data.map((c) => c.id))) want.push(`${contactId} ${company}`);
      }
      const rows = await queryDatabase(db.url, 'SELECT contact_id, company_id FROM contact_company');
      expect(rows.map((r) => `${String(r.contact_id)} ${String(r.company_id)}`).sort()).toEqual(want.sort());
      // The workspace links contacts to companies, some to more than the 10 a contact lists itself.
      expect(want.length).toBeGreaterThan(sandbox.workspace.contactCount / 2);
      const companies = new Set(expectedCompanies(sandbox.workspace).keys());
      for (const pair of want) expect(companies.has(pair.split(' ')[1] ?? '')).toBe(true);
    });

    it('the warehouse holds every ticket and each of its parts once, in order', async () => {
      const want = expectedTickets(sandbox.workspace);
      const tickets = await queryDatabase(db.url, 'SELECT id, parts_count, raw FROM ticket ORDER BY id');
      expect(tickets.map((r) => r.id)).toEqual([...want.keys()].sort());
      for (const row of tickets) {
        const record = want.get(String(row.id)) as Json;
        expect(json(row.raw)).toEqual(record);
        expect(row.parts_count).toBe(ticketPartsOf(record).length);
      }
      const wantParts = [...want.values()].flatMap((t) =>
        ticketPartsOf(t).map((p, position) => `${String(t.id)} ${position} ${String((p as Json).id)}`),
      );
      const parts = await queryDatabase(db.url, 'SELECT ticket_id, position, id FROM ticket_part');
      expect(parts.map((r) => `${String(r.ticket_id)} ${String(r.position)} ${String(r.id)}`).sort()).toEqual(
        wantParts.sort(),
      );
      // The ticket with 180 parts is there whole.
      expect(Math.max(...tickets.map((r) => Number(r.parts_count)))).toBe(180);
    });
  });
});

describe('tickets whose search result lacks their parts', () => {
  let sandbox: Sandbox;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 29,
      contacts: 20,
      conversations: 3,
      tickets: 30,
      ticketPartsInSearch: false,
      faults: { rate5xx: 0.05 },
    });
    dir = await mkdtemp(path.join(tmpdir(), 'lake-tickets-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('are each fetched again with GET /tickets/{id}, and the lake holds the detail, parts included', async () => {
    const store = new FolderStore(dir);
    const client = createIntercomClient({
      baseUrl: sandbox.url,
      token: sandbox.token,
      apiVersion: '2.14',
      retryBaseMs: 20,
    });
    try {
      await runExtract({ client, store, log: silentLogger(), apiUrl: sandbox.url, apiVersion: '2.14' });
    } finally {
      await client.close();
    }
    const tickets = await readRecordsById(store, dataKey('tickets'));
    const want = expectedTickets(sandbox.workspace);
    expect([...tickets.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, record] of want) expect(tickets.get(id)).toEqual(record);
    // One detail per ticket, plus the retries of injected 5xx.
    const details = sandbox.stats.byRoute['GET /tickets/{id}'] ?? 0;
    expect(details).toBeGreaterThanOrEqual(want.size);
    expect(details).toBeLessThan(want.size * 2);
  });
});
