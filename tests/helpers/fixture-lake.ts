import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FolderStore } from '../../lib/lake/folder-store';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { newRunId, runKey, runManifestKey, type StreamName } from '../../lib/lake/keys';
import { writeManifest, type RunManifest } from '../../lib/lake/manifest';
import { publishRun } from '../../lib/lake/publish';
import type { LakeStore } from '../../lib/lake/store';
import { STREAMS } from '../../lib/streams/registry';

type Json = Record<string, unknown>;

/**
 * Contacts and conversations shaped like the sandbox's quirk records (sandbox/quirk-records.ts, the
 * oddities a live workspace sends) and the 2.14 OpenAPI schemas: far-future `signed_up_at`,
 * `email: ""`, `name: null`, a `bot` author, numeric-string conversation ids, nested list wrappers.
 */

/** A contact as `GET /contacts` lists it, nested lists completed. `i` makes it unique. */
export function fixtureContact(i: number, overrides: Json = {}): Json {
  const id = `63ea41aaeddb9b627ce9${String(i).padStart(4, '0')}`;
  return {
    type: 'contact',
    id,
    workspace_id: 'wjw5eps7',
    external_id: String(20033080 + i),
    role: i % 3 === 0 ? 'lead' : 'user',
    email: `user${i}.sample@gmail.com`,
    phone: i % 2 === 0 ? '+353 1 555 0100' : null,
    name: `User ${i}`,
    avatar: null,
    owner_id: i % 4 === 0 ? 4423433 : null,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: false,
    created_at: 1676296619 + i,
    updated_at: 1676296625 + i,
    signed_up_at: 2328134400,
    last_seen_at: null,
    last_replied_at: null,
    last_contacted_at: null,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    location: { type: 'location', country: 'Ireland', region: 'Dublin', city: 'Dublin' },
    custom_attributes: { plan: 'pro', seats: i },
    tags: {
      type: 'list',
      data: [{ id: '7800292', type: 'tag', url: '/tags/7800292' }],
      url: `/contacts/${id}/tags`,
      total_count: 1,
      has_more: false,
    },
    notes: { type: 'list', data: [], url: `/contacts/${id}/notes`, total_count: 0, has_more: false },
    companies: {
      type: 'list',
      data: [{ id: '63ea41c4b0e17c51fa4ec0d1', type: 'company', url: '/companies/63ea41c4b0e17c51fa4ec0d1' }],
      url: `/contacts/${id}/companies`,
      total_count: 1,
      has_more: false,
    },
    sms_consent: false,
    unsubscribed_from_sms: false,
    ...overrides,
  };
}

/** A conversation part as `GET /conversations/{id}` nests it. */
export function fixturePart(conversationId: string, j: number, overrides: Json = {}): Json {
  const bot = j % 3 === 1;
  return {
    type: 'conversation_part',
    id: `${conversationId}${String(j).padStart(5, '0')}`,
    part_type: j % 5 === 4 ? 'assignment' : 'comment',
    body: `<p>reply ${j} of ${conversationId}</p>`,
    created_at: 1607553246 + j,
    updated_at: 1607553246 + j,
    notified_at: 1607553246 + j,
    assigned_to: j % 5 === 4 ? { type: 'admin', id: '4423433' } : null,
    author: bot
      ? { id: '4423434', type: 'bot', name: 'Operator', email: 'operator+wjw5eps7@intercom.io' }
      : { id: '5fd150d50697b6d0bbc4a2c2', type: 'user', name: null, email: '' },
    attachments: [],
    external_id: null,
    redacted: false,
    ...overrides,
  };
}

/**
 * A conversation as `GET /conversations/{id}` returns it, with `parts` parts. `declaredParts`
 * overrides `statistics.count_conversation_parts` (the API counts the source message too, so a
 * complete record says parts + 1; more than that means the API cut the parts at 500).
 */
export function fixtureConversation(
  i: number,
  options: { parts?: number; contacts?: string[]; declaredParts?: number; overrides?: Json } = {},
): Json {
  const id = String(1000 + i);
  const parts = Array.from({ length: options.parts ?? 3 }, (_, j) => fixturePart(id, j));
  const contacts = options.contacts ?? [fixtureContact(i).id as string];
  return {
    type: 'conversation',
    id,
    title: i % 2 === 0 ? null : `Question ${i}`,
    created_at: 1607553243 + i,
    updated_at: 1626346673 + i,
    waiting_since: i % 2 === 0 ? null : 1626346000,
    snoozed_until: null,
    source: {
      type: 'conversation',
      id: String(701718739 + i),
      delivered_as: 'customer_initiated',
      subject: '',
      body: '<p>hey there</p>',
      author: { type: 'lead', id: contacts[0] ?? '5fd150d50697b6d0bbc4a2c2', name: null, email: '' },
      attachments: [],
      url: null,
      redacted: false,
    },
    contacts: { type: 'contact.list', contacts: contacts.map((c) => ({ type: 'contact', id: c })) },
    first_contact_reply: { created_at: 1607553243, type: 'conversation', url: null },
    open: i % 2 === 0,
    state: i % 2 === 0 ? 'open' : 'closed',
    read: false,
    tags: { type: 'tag.list', tags: [{ type: 'tag', id: '7800292', name: 'vip' }] },
    priority: 'not_priority',
    admin_assignee_id: 4423433,
    team_assignee_id: null,
    sla_applied: null,
    statistics: {
      type: 'conversation_statistics',
      time_to_assignment: null,
      time_to_admin_reply: 4317957,
      time_to_first_close: null,
      time_to_last_close: null,
      median_time_to_reply: 4317954,
      first_contact_reply_at: 1607553243,
      first_assignment_at: null,
      first_admin_reply_at: 1625654131,
      first_close_at: null,
      last_assignment_at: null,
      last_assignment_admin_reply_at: null,
      last_contact_reply_at: 1607553246,
      last_admin_reply_at: 1625656000,
      last_close_at: null,
      last_closed_by_id: null,
      count_reopens: 0,
      count_assignments: 0,
      count_conversation_parts: options.declaredParts ?? parts.length + 1,
    },
    conversation_rating: null,
    teammates: { type: 'admin.list', admins: [{ type: 'admin', id: '4423433' }] },
    custom_attributes: {},
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: parts,
      total_count: parts.length,
    },
    ...options.overrides,
  };
}

/** A company as `GET /companies/scroll` lists it (the 2.14 spec's example, filled in). `i` makes it unique. */
export function fixtureCompany(i: number, overrides: Json = {}): Json {
  return {
    type: 'company',
    id: `6762f0971bb69f9f2193${String(i).padStart(4, '0')}`,
    company_id: `remote_company_${i}`,
    app_id: 'wjw5eps7',
    name: `Company ${i}`,
    remote_created_at: 1734537367 + i,
    created_at: 1734537367 + i,
    updated_at: 1734537400 + i,
    last_request_at: i % 2 === 0 ? null : 1734540000,
    monthly_spend: i % 2 === 0 ? 0 : 49.5,
    session_count: 0,
    user_count: 4,
    size: i % 2 === 0 ? null : 120,
    website: null,
    industry: 'Software',
    tags: { type: 'tag.list', tags: [{ type: 'tag', id: '7800292', name: 'vip' }] },
    segments: { type: 'segment.list', segments: [] },
    plan: i % 2 === 0 ? {} : { type: 'plan', id: '300', name: 'Pro' },
    custom_attributes: { tier: 'gold' },
    ...overrides,
  };
}

/** A ticket as `POST /tickets/search` lists it with `parts` parts (the 2.14 spec's example, filled in). */
export function fixtureTicket(i: number, options: { parts?: number; overrides?: Json } = {}): Json {
  const id = String(633 + i);
  const parts = Array.from({ length: options.parts ?? 2 }, (_, j) => ({
    type: 'ticket_part',
    id: `${id}${String(j).padStart(4, '0')}`,
    part_type: j === 0 ? 'comment' : 'ticket_state_updated_by_admin',
    body: j === 0 ? '<p>It broke</p>' : null,
    previous_ticket_state: j === 0 ? undefined : 'submitted',
    ticket_state: j === 0 ? undefined : 'in_progress',
    created_at: 1719492000 + j,
    updated_at: 1719492000 + j,
    author: { type: 'admin', id: '991267', name: 'Ciaran', email: 'admin@example.com' },
    attachments: [],
    redacted: false,
  }));
  return {
    type: 'ticket',
    id,
    ticket_id: String(40 + i),
    category: 'Customer',
    ticket_attributes: { _default_title_: `Ticket ${i}`, _default_description_: null },
    ticket_state: {
      type: 'ticket_state',
      id: '8577',
      category: 'submitted',
      internal_label: 'Submitted',
      external_label: 'Submitted',
    },
    ticket_type: { type: 'ticket_type', id: '100', name: 'Bug report', archived: false },
    contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: fixtureContact(i).id }] },
    admin_assignee_id: '0',
    team_assignee_id: '0',
    created_at: 1719491000 + i,
    updated_at: 1719493000 + i,
    open: true,
    snoozed_until: null,
    linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
    ticket_parts: { type: 'ticket_part.list', ticket_parts: parts, total_count: parts.length },
    is_shared: false,
    ...options.overrides,
  };
}

/** What to put in a fixture lake: contacts and conversations, and any other stream's records (none by default). */
export interface FixtureLakeContent extends Partial<Record<StreamName, unknown[]>> {
  users: unknown[];
  conversations: unknown[];
  /** Replace a stream file's bytes after the manifest was written (corrupt files). */
  rawFiles?: Partial<Record<StreamName, string>>;
  /** Override the manifest's counts (reconciliation failures). */
  counts?: Partial<Record<StreamName, number>>;
}

/** A lake in a temp folder; `remove()` deletes it. */
export interface FixtureLake {
  store: FolderStore;
  folder: string;
  runId: string;
  remove(): Promise<void>;
}

/** A fresh empty temp folder for a lake. */
export async function createLakeFolder(): Promise<{ folder: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'fixture-lake-'));
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

/**
 * Write `records` as the stream files of run `runId` (`runs/<id>/users.json`,
 * `conversations.json`, ..., one after the other, with the extract's writer; a stream without
 * records gets an empty file); what each file holds.
 */
export async function writeRunFiles(
  store: LakeStore,
  runId: string,
  records: Partial<Record<StreamName, Iterable<unknown>>>,
): Promise<RunManifest['streams']> {
  const streams = {} as RunManifest['streams'];
  for (const { name: stream } of STREAMS) {
    const key = runKey(runId, stream);
    let count = 0;
    const put = await store.put(
      key,
      jsonArrayChunks(Readable.from(records[stream] ?? []), () => count++),
    );
    streams[stream] = { key, count, bytes: put.bytes, sha256: put.sha256 };
  }
  return streams;
}

/**
 * Write the manifest of run `runId`, whose files `streams` describes, as the extract would at its
 * end but with no API behind it (no requests, nothing truncated), then publish the run to `data/`.
 */
export async function publishWrittenRun(
  store: LakeStore,
  runId: string,
  run: { streams: RunManifest['streams']; parts: number; apiUrl: string },
): Promise<void> {
  const now = new Date().toISOString();
  await writeManifest(store, runManifestKey(runId), {
    runId,
    apiVersion: '2.14',
    apiUrl: run.apiUrl,
    startedAt: now,
    finishedAt: now,
    streams: run.streams,
    parts: run.parts,
    truncatedConversations: [],
    timings: {},
    requests: { total: 0, retries: 0, rateLimited: 0 },
  });
  await publishRun(store, runId);
}

/**
 * Write `content` as a finished, published run (files under `runs/<id>/`, copied to `data/`,
 * manifest last), as the extract would. Pass `folder` to publish a second run into the same lake.
 */
export async function writeFixtureLake(content: FixtureLakeContent, folder?: string): Promise<FixtureLake> {
  const made = folder
    ? { folder, remove: () => rm(folder, { recursive: true, force: true }) }
    : await createLakeFolder();
  const store = new FolderStore(made.folder);
  const runId = newRunId(new Date(), Math.random);
  const streams = await writeRunFiles(store, runId, content);
  for (const { name: stream } of STREAMS) {
    streams[stream].count = content.counts?.[stream] ?? streams[stream].count;
    const raw = content.rawFiles?.[stream];
    if (raw !== undefined) {
      const replaced = await store.put(streams[stream].key, Readable.from([raw]));
      streams[stream] = { ...streams[stream], bytes: replaced.bytes, sha256: replaced.sha256 };
    }
  }
  const parts = content.conversations.reduce<number>((sum, c) => {
    const list = (c as { conversation_parts?: { conversation_parts?: unknown[] } })?.conversation_parts;
    return sum + (list?.conversation_parts?.length ?? 0);
  }, 0);
  await publishWrittenRun(store, runId, { streams, parts, apiUrl: 'http://127.0.0.1:0' });
  return { store, folder: made.folder, runId, remove: made.remove };
}
