import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { dataFileKey } from '../../lib/lake/keys';
import type { LakeStore } from '../../lib/lake/store';
import { openDuck, sqlString, type DuckRow } from '../../lib/refine/duckdb';
import { createLogger } from '../../lib/logger';
import { fixtureContact, fixtureConversation, writeFixtureLake, type FixtureLake } from './fixture-lake';

type Json = Record<string, unknown>;

/**
 * The small workspace docs/METRICS.md works its examples on, with answers known by hand:
 * two teams over 14 days from Monday 2026-11-02 (UTC). Team 100 (Support, admin 1 Ada) has
 * 3,4,3,5,4,3,4,3,4,3,12,4,3,4 conversations a day: day 10 (2026-11-12) is the injected anomaly.
 * Team 200 (Billing, admin 2 Bo) has 3,4,3,5,4,3,4,3,4,3,5,4,3,4: normal weeks. Support answers
 * every conversation 30 minutes after it starts and closes it after 120; Billing answers after 60 and
 * leaves it open. Conversation "X" (Support, day 0, 09:00) is the worked example of
 * conversation-metrics. On day 10, contacts and tags are spread so that top-volume has known ranks.
 */
export const DAY0 = Date.UTC(2026, 10, 2) / 1000;
export const SUPPORT_DAILY = [3, 4, 3, 5, 4, 3, 4, 3, 4, 3, 12, 4, 3, 4];
export const BILLING_DAILY = [3, 4, 3, 5, 4, 3, 4, 3, 4, 3, 5, 4, 3, 4];
export const ANOMALY_DAY = 10;
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** Contact n (1..7): contacts 1..6 belong to company c<n>, contact 7 to none. */
export function contactId(n: number): string {
  return String(fixtureContact(n).id);
}

function part(
  id: string,
  partType: string,
  at: number,
  author: { type: string; id: string },
  body: string | null,
): Json {
  return {
    type: 'conversation_part',
    id,
    part_type: partType,
    body,
    created_at: at,
    updated_at: at,
    notified_at: at,
    assigned_to: partType === 'assignment' ? { type: 'admin', id: author.id } : null,
    author: { ...author, name: null, email: '' },
    attachments: [],
    external_id: null,
    redacted: false,
  };
}

function conversation(
  id: string,
  options: {
    createdAt: number;
    team: string;
    admin: string;
    state: string;
    contact: string;
    tags: string[];
    parts: Json[];
    rating?: number;
  },
): Json {
  const base = fixtureConversation(0, { parts: 0 });
  return {
    ...base,
    id,
    created_at: options.createdAt,
    updated_at: options.createdAt + 5 * HOUR,
    state: options.state,
    open: options.state !== 'closed',
    admin_assignee_id: Number(options.admin),
    team_assignee_id: options.team,
    contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: options.contact }] },
    tags: { type: 'tag.list', tags: options.tags.map((t) => ({ type: 'tag', id: t, name: `tag ${t}` })) },
    conversation_rating:
      options.rating === undefined
        ? null
        : {
            rating: options.rating,
            remark: null,
            created_at: options.createdAt + 6 * HOUR,
            contact: { type: 'contact', id: options.contact },
            teammate: { type: 'admin', id: options.admin },
          },
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: options.parts,
      total_count: options.parts.length,
    },
  };
}

/** The worked example: created 09:00 on day 0, answered 09:30, closed 10:00, reopened 11:00, closed again 12:30. */
export function exampleConversation(): Json {
  const at = DAY0 + 9 * HOUR;
  const user = { type: 'user', id: contactId(7) };
  const admin = { type: 'admin', id: '1' };
  return conversation('X', {
    createdAt: at,
    team: '100',
    admin: '1',
    state: 'closed',
    contact: contactId(7),
    tags: ['t1', 't3'],
    rating: 4,
    parts: [
      part('X1', 'comment', at + 5 * MINUTE, user, '<p>my invoice is wrong</p>'),
      part('X2', 'assignment', at + 10 * MINUTE, admin, null),
      part('X3', 'comment', at + 30 * MINUTE, admin, '<p>looking now</p>'),
      part('X4', 'close', at + 60 * MINUTE, admin, null),
      part('X5', 'open', at + 120 * MINUTE, user, null),
      part('X6', 'comment', at + 121 * MINUTE, user, '<p>still wrong</p>'),
      part('X7', 'assignment', at + 135 * MINUTE, admin, '<p>taking this</p>'),
      part('X8', 'close', at + 210 * MINUTE, admin, '<p>fixed</p>'),
    ],
  });
}

/** Day 10's contact and tags for its i-th conversation (Support's 12 first, then Billing's 5). */
function anomalyDaySpread(i: number): { contact: string; tags: string[] } {
  const contact = i < 6 ? 1 : i < 10 ? 2 : i < 13 ? 3 : i < 15 ? 4 : i === 15 ? 5 : 6;
  const tags = [i < 12 ? 't1' : 't2'];
  if (i < 3) tags.push('t3');
  if (i === 3 || i === 4) tags.push('t4');
  if (i === 5) tags.push('t5');
  if (i === 6) tags.push('t6');
  return { contact: contactId(contact), tags };
}

/** Every conversation of the fixture: 59 for Support (X among them), 52 for Billing. */
export function fixtureConversations(): Json[] {
  const out: Json[] = [exampleConversation()];
  for (let day = 0; day < 14; day++) {
    let dayIndex = 0;
    for (const [team, admin, daily, startHour, answerMinutes] of [
      ['100', '1', SUPPORT_DAILY, 8, 30],
      ['200', '2', BILLING_DAILY, 13, 60],
    ] as const) {
      for (let i = 0; i < daily[day]!; i++, dayIndex++) {
        if (team === '100' && day === 0 && i === 0) continue; // X is this one
        const createdAt = DAY0 + day * DAY + startHour * HOUR + 10 * i * MINUTE;
        const id = `${team}${String(day).padStart(2, '0')}${String(i).padStart(2, '0')}`;
        const spread = day === ANOMALY_DAY ? anomalyDaySpread(dayIndex) : { contact: contactId(7), tags: [] };
        const user = { type: 'user', id: spread.contact };
        const adminRef = { type: 'admin', id: admin };
        const parts = [
          part(`${id}1`, 'comment', createdAt + MINUTE, user, '<p>hello</p>'),
          part(`${id}2`, 'comment', createdAt + answerMinutes * MINUTE, adminRef, '<p>hi</p>'),
        ];
        if (team === '100') parts.push(part(`${id}3`, 'close', createdAt + 120 * MINUTE, adminRef, null));
        const rating = team === '200' && day === 0 ? [5, 4, 2][i] : undefined;
        out.push(
          conversation(id, {
            createdAt,
            team,
            admin,
            state: team === '100' ? 'closed' : 'open',
            ...spread,
            parts,
            rating,
          }),
        );
      }
    }
  }
  return out;
}

/** The other streams the gold jobs read, as data/<stream>.json. */
export const WORKSPACE_STREAMS: Record<string, Json[]> = {
  admins: [
    { type: 'admin', id: '1', name: 'Ada', email: 'ada@example.com', team_ids: [100] },
    { type: 'admin', id: '2', name: 'Bo', email: 'bo@example.com', team_ids: [200] },
  ],
  teams: [
    { type: 'team', id: '100', name: 'Support', admin_ids: [1] },
    { type: 'team', id: '200', name: 'Billing', admin_ids: [2] },
  ],
  companies: ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark'].map((name, i) => ({
    type: 'company',
    id: `c${i + 1}`,
    name,
    company_id: `own-${i + 1}`,
    created_at: DAY0 - DAY,
    updated_at: DAY0 - DAY,
  })),
  tags: ['bug', 'billing', 'vip', 'refund', 'login', 'slow'].map((name, i) => ({
    type: 'tag',
    id: `t${i + 1}`,
    name,
  })),
};

/** Contacts 1..7; contact n ≤ 6 in company c<n>. */
export function fixtureContacts(): Json[] {
  return Array.from({ length: 7 }, (_, k) => {
    const n = k + 1;
    const companies = n <= 6 ? [{ id: `c${n}`, type: 'company', url: `/companies/c${n}` }] : [];
    return fixtureContact(n, {
      companies: { type: 'list', data: companies, url: '', total_count: companies.length, has_more: false },
    });
  });
}

/** Write `records` as a lake JSON array file at `key`. */
export async function putJsonArray(store: LakeStore, key: string, records: unknown[]): Promise<void> {
  await store.put(
    key,
    jsonArrayChunks(Readable.from(records), () => undefined),
  );
}

/** A fixture lake in a temp folder with the workspace above: users, conversations and the four small streams. */
export async function writeRefineFixtureLake(): Promise<FixtureLake> {
  const lake = await writeFixtureLake({ users: fixtureContacts(), conversations: fixtureConversations() });
  for (const [stream, records] of Object.entries(WORKSPACE_STREAMS)) {
    await putJsonArray(lake.store, dataFileKey(`${stream}.json`), records);
  }
  return lake;
}

/** Every row of the Parquet files under `folder` (recursively), by `query` over the relation `t`. */
export async function readParquet(folder: string, query = 'SELECT * FROM t'): Promise<DuckRow[]> {
  const duck = await openDuck({
    memoryLimit: '256MB',
    threads: 1,
    tempDirectory: path.join(tmpdir(), 'refine-test-spill'),
  });
  try {
    await duck.run(
      `CREATE VIEW t AS SELECT * FROM read_parquet(${sqlString(`${folder}/**/*.parquet`)}, hive_partitioning = false)`,
    );
    return await duck.all(query);
  } finally {
    duck.close();
  }
}

/** A logger that writes nothing (tests). */
export const quietLog = createLogger({ level: 'silent' });
