import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { silentLogger } from '../../lib/logger';
import { partsOf } from '../../lib/records/conversation-parts';
import { EDGE_CONTACTS } from '../../sandbox/generate-contact';
import { EDGE_CONVERSATIONS } from '../../sandbox/generate-conversation';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';
import { runLoad } from '../../tasks/load/run-load';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { expectedContacts, expectedConversations } from '../helpers/expected';

type Json = Record<string, unknown>;
type Row = mysql.RowDataPacket;

/** The three quirk contacts and conversations (sandbox/quirk-records.ts) come first in the sandbox's lists. */
const QUIRKS = 3;

describe('sandbox -> extract -> lake -> load -> warehouse', () => {
  let sandbox: Sandbox;
  let lakeDir: string;
  let database: TestDatabase;
  let db: mysql.Connection;
  let contacts: Map<string, Json>;
  let conversations: Map<string, Json>;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 21, contacts: 120, conversations: 30 });
    lakeDir = await mkdtemp(path.join(tmpdir(), 'lake-sync-'));
    database = await createTestDatabase();
    const store = new FolderStore(lakeDir);
    const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
    await runExtract({ client, store, log: silentLogger(), apiUrl: sandbox.url, apiVersion: '2.14' });
    await runLoad({ store, databaseUrl: database.url, log: silentLogger() });
    db = await mysql.createConnection({ uri: database.url, dateStrings: true });
    contacts = expectedContacts(sandbox.workspace);
    conversations = expectedConversations(sandbox.workspace);
  });
  afterAll(async () => {
    await db?.end();
    await sandbox?.close();
    await database?.drop();
    await rm(lakeDir, { recursive: true, force: true });
  });

  async function rows(sql: string, values: unknown[] = []): Promise<Row[]> {
    const [result] = await db.query<Row[]>(sql, values);
    return result;
  }

  const parseRaw = (raw: unknown): Json => (typeof raw === 'string' ? JSON.parse(raw) : raw) as Json;

  it('has every contact in users, its raw record equal to the API record field for field', async () => {
    const users = await rows('SELECT id, raw FROM users');
    expect(users).toHaveLength(contacts.size);
    for (const user of users) expect(parseRaw(user.raw)).toEqual(contacts.get(String(user.id)));
  });

  it('has every conversation, every part and every contact link', async () => {
    const stored = await rows('SELECT id, raw, parts_count FROM conversation');
    expect(stored).toHaveLength(conversations.size);
    for (const row of stored) expect(parseRaw(row.raw)).toEqual(conversations.get(String(row.id)));

    const parts = await rows('SELECT id, conversation_id, raw FROM conversation_part');
    const wantParts = new Map<string, { conversationId: string; part: Json }>();
    const wantLinks = new Set<string>();
    for (const [id, conversation] of conversations) {
      for (const part of partsOf(conversation) as Json[])
        wantParts.set(String(part.id), { conversationId: id, part });
      const list = (conversation.contacts as { contacts?: { id: string }[] } | undefined)?.contacts ?? [];
      for (const contact of list) wantLinks.add(`${id}/${contact.id}`);
    }
    expect(parts).toHaveLength(wantParts.size);
    for (const row of parts) {
      const want = wantParts.get(String(row.id));
      expect(row.conversation_id).toBe(want?.conversationId);
      expect(parseRaw(row.raw)).toEqual(want?.part);
    }

    const links = await rows('SELECT conversation_id, contact_id FROM conversation_contact');
    expect(new Set(links.map((l) => `${l.conversation_id}/${l.contact_id}`))).toEqual(wantLinks);
    expect(links).toHaveLength(wantLinks.size);
  });

  it('keeps emoji, nulls, empty emails and far-future dates in the typed columns', async () => {
    const contactAt = (offset: number): Json =>
      sandbox.workspace.contactAt(QUIRKS + offset) as unknown as Json;

    const lead = contactAt(EDGE_CONTACTS.nullEverythingLead);
    const [leadRow] = await rows('SELECT role, email, name, phone FROM users WHERE id = ?', [lead.id]);
    expect(leadRow).toEqual({ role: 'lead', email: null, name: null, phone: null });

    const emoji = contactAt(EDGE_CONTACTS.emptyEmailEmojiName);
    const [emojiRow] = await rows('SELECT email, name FROM users WHERE id = ?', [emoji.id]);
    expect(emojiRow?.email).toBe('');
    expect(emojiRow?.name).toBe(emoji.name);
    expect(String(emoji.name)).toMatch(/[\u{10000}-\u{10FFFF}]/u);

    const future = contactAt(EDGE_CONTACTS.farFuture);
    const [futureRow] = await rows('SELECT signed_up_at FROM users WHERE id = ?', [future.id]);
    const signedUp = new Date(Number(future.signed_up_at) * 1000)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 19);
    expect(futureRow?.signed_up_at).toBe(signedUp);
    expect(Number(signedUp.slice(0, 4))).toBeGreaterThanOrEqual(2043);
  });

  it('marks the conversations whose parts Intercom cut at 500 as incomplete', async () => {
    const idAt = (offset: number): string =>
      String(sandbox.workspace.conversationSummaryAt(QUIRKS + offset).id);
    const check = async (offset: number, count: number, complete: number): Promise<void> => {
      const [row] = await rows('SELECT parts_count, parts_complete FROM conversation WHERE id = ?', [
        idAt(offset),
      ]);
      expect(row).toEqual({ parts_count: count, parts_complete: complete });
    };
    await check(EDGE_CONVERSATIONS.parts500, 500, 1);
    await check(EDGE_CONVERSATIONS.parts501, 500, 0);
    await check(EDGE_CONVERSATIONS.parts1200, 500, 0);
    await check(EDGE_CONVERSATIONS.noParts, 0, 1);
  });
});
