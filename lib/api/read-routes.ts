/**
 * Read-only routes over the warehouse, as a Hono sub-app the API mounts (`app.route('/', …)`):
 * `GET /contacts/{id}` (the contact's row and its latest conversations) and
 * `GET /events?since=&topic=&limit=&cursor=` (the webhook notifications applied, oldest first,
 * paged by an opaque cursor).
 */
import { Hono, type Context } from 'hono';
import type { Pool, RowDataPacket } from 'mysql2/promise';

/** What the routes read from. */
export interface ReadRoutesOptions {
  pool: Pool;
}

/** Conversations listed with a contact, most recently updated first. */
export const CONTACT_CONVERSATIONS = 20;
/** Events per page unless `limit` says otherwise, and the most it may say. */
export const EVENTS_PAGE = 100;
export const MAX_EVENTS_PAGE = 500;

/** JSON columns of `users` (MariaDB hands JSON back as text). */
const USER_JSON = ['location', 'custom_attributes', 'tags', 'companies', 'raw'];

/** The read routes, built on `options.pool`. */
export function createReadRoutes(options: ReadRoutesOptions): Hono {
  const { pool } = options;
  const app = new Hono();

  app.get('/contacts/:id', async (c) => {
    const id = c.req.param('id');
    const [users] = await pool.query<RowDataPacket[]>('SELECT * FROM `users` WHERE `id` = ?', [id]);
    const row = users[0];
    if (!row) return c.json({ error: `No contact ${id} in the warehouse.` }, 404);
    const [conversations] = await pool.query<RowDataPacket[]>(
      `SELECT c.id, c.title, c.state, c.open, c.created_at, c.updated_at, c.parts_count
         FROM conversation_contact cc JOIN conversation c ON c.id = cc.conversation_id
        WHERE cc.contact_id = ? ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`,
      [id, CONTACT_CONVERSATIONS],
    );
    return c.json({ contact: withJson(row, USER_JSON), conversations: conversations.map(plain) });
  });

  app.get('/events', async (c) => {
    const query = parseEventsQuery(c);
    if ('error' in query) return c.json({ error: query.error }, 400);
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.since) {
      where.push('`applied_at` >= ?');
      values.push(query.since);
    }
    if (query.topic) {
      where.push('`topic` = ?');
      values.push(query.topic);
    }
    if (query.after) {
      where.push('(`applied_at` > ? OR (`applied_at` = ? AND `id` > ?))');
      values.push(query.after.appliedAt, query.after.appliedAt, query.after.id);
    }
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT id, topic, item_type, item_id, created_at, applied_at, raw FROM webhook_event
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY applied_at, id LIMIT ?`,
      [...values, query.limit + 1],
    );
    const page = rows.slice(0, query.limit).map((row) => withJson(row, ['raw']));
    const last = page.at(-1);
    const next =
      rows.length > query.limit && last
        ? Buffer.from(JSON.stringify({ a: last.applied_at, i: last.id })).toString('base64url')
        : null;
    return c.json({ events: page, next });
  });

  return app;
}

interface EventsQuery {
  since?: string;
  topic?: string;
  limit: number;
  after?: { appliedAt: string; id: string };
}

/** `since` (ISO 8601 or Unix seconds), `topic`, `limit` (1..500) and `cursor`, or what is wrong with them. */
function parseEventsQuery(c: Context): EventsQuery | { error: string } {
  const out: EventsQuery = { limit: EVENTS_PAGE };
  const since = c.req.query('since');
  if (since) {
    const date = /^\d+$/.test(since) ? new Date(Number(since) * 1000) : new Date(since);
    if (Number.isNaN(date.getTime())) {
      return {
        error: `since "${since}" is neither an ISO 8601 time (2026-12-01T10:00:00Z) nor Unix seconds.`,
      };
    }
    out.since = date.toISOString().slice(0, 19).replace('T', ' ');
  }
  const topic = c.req.query('topic');
  if (topic) out.topic = topic;
  const limit = c.req.query('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_EVENTS_PAGE) {
      return { error: `limit "${limit}" must be a whole number from 1 to ${MAX_EVENTS_PAGE}.` };
    }
    out.limit = n;
  }
  const cursor = c.req.query('cursor');
  if (cursor) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
        a?: unknown;
        i?: unknown;
      };
      if (typeof parsed.a !== 'string' || typeof parsed.i !== 'string') throw new Error('bad cursor');
      out.after = { appliedAt: parsed.a, id: parsed.i };
    } catch {
      return { error: 'cursor is not one this API gave; pass the "next" of the previous page as it is.' };
    }
  }
  return out;
}

/** The row as a plain object, the named JSON columns parsed. */
function withJson(row: RowDataPacket, columns: string[]): Record<string, unknown> {
  const out = plain(row);
  for (const column of columns) {
    const value = out[column];
    if (typeof value === 'string') out[column] = JSON.parse(value) as unknown;
  }
  return out;
}

function plain(row: RowDataPacket): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Date ? formatUtc(value) : value;
  return out;
}

/** A DATETIME (read back as a Date in UTC) as `YYYY-MM-DD HH:MM:SS`, as the warehouse holds it. */
function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
