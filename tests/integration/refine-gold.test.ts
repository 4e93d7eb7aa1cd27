import path from 'node:path';
import { refineJobNamed } from '../../lib/refine/jobs/registry';
import { runRefine } from '../../lib/refine/run-refine';
import type { FixtureLake } from '../helpers/fixture-lake';
import { quietLog, readParquet, writeRefineFixtureLake } from '../helpers/refine-lake';

// The worked examples of docs/METRICS.md, computed by hand on the fixture of tests/helpers/refine-lake.ts.
jest.setTimeout(120_000);

let lake: FixtureLake;

async function refine(
  job: string,
  options: { since?: string; until?: string } = {},
): Promise<Record<string, number>> {
  const result = await runRefine({
    job: refineJobNamed(job),
    inputUrl: lake.folder,
    outputUrl: lake.folder,
    options: { ...options, now: new Date('2026-11-20T06:00:00Z') },
    memoryLimit: '256MB',
    threads: 1,
    log: quietLog,
  });
  return result.outputs;
}

function gold(job: string, table: string): string {
  return path.join(lake.folder, 'gold', job, table);
}

beforeAll(async () => {
  lake = await writeRefineFixtureLake();
  await refine('silver');
});

afterAll(async () => {
  await lake.remove();
});

test('silver holds one row per lake record: 7 contacts, 111 conversations, 286 parts, 2 admins, 2 teams, 6 companies, 6 tags', async () => {
  const counts: Record<string, number> = {};
  for (const table of [
    'users',
    'conversations',
    'conversation_parts',
    'admins',
    'teams',
    'companies',
    'tags',
  ]) {
    const [row] = await readParquet(
      path.join(lake.folder, 'silver', table),
      'SELECT count(*)::INTEGER AS n FROM t',
    );
    counts[table] = row!.n as number;
  }
  expect(counts).toEqual({
    users: 7,
    conversations: 111,
    conversation_parts: 58 * 3 + 8 + 52 * 2,
    admins: 2,
    teams: 2,
    companies: 6,
    tags: 6,
  });
});

test('conversation-metrics: the worked example X has the times and counts computed by hand', async () => {
  await refine('conversation-metrics');
  const [x] = await readParquet(
    gold('conversation-metrics', 'conversation_metrics'),
    `SELECT count_parts::INTEGER AS parts, count_comments::INTEGER AS comments, count_assignments::INTEGER AS assignments,
       count_reopens::INTEGER AS reopens, strftime(first_contact_reply_at, '%H:%M') AS first_contact_reply,
       strftime(last_contact_reply_at, '%H:%M') AS last_contact_reply,
       strftime(first_admin_response_at, '%H:%M') AS first_admin_response, first_admin_response_by_id,
       strftime(last_admin_response_at, '%H:%M') AS last_admin_response,
       strftime(first_assignment_at, '%H:%M') AS first_assignment, strftime(last_assignment_at, '%H:%M') AS last_assignment,
       strftime(first_close_at, '%H:%M') AS first_close, strftime(last_close_at, '%H:%M') AS last_close,
       strftime(first_reopen_at, '%H:%M') AS reopen,
       time_to_first_response_minutes::DOUBLE AS ttfr, time_to_first_assignment_minutes::DOUBLE AS ttfa,
       time_to_first_close_minutes::DOUBLE AS ttfc, time_to_last_close_minutes::DOUBLE AS ttlc, rating, state
     FROM t WHERE conversation_id = 'X'`,
  );
  expect(x).toEqual({
    parts: 8,
    comments: 3,
    assignments: 2,
    reopens: 1,
    first_contact_reply: '09:05',
    last_contact_reply: '11:01',
    first_admin_response: '09:30',
    first_admin_response_by_id: '1',
    last_admin_response: '11:15',
    first_assignment: '09:10',
    last_assignment: '11:15',
    first_close: '10:00',
    last_close: '12:30',
    reopen: '11:00',
    ttfr: 30,
    ttfa: 10,
    ttfc: 60,
    ttlc: 210,
    rating: 4,
    state: 'closed',
  });
  const [all] = await readParquet(
    gold('conversation-metrics', 'conversation_metrics'),
    'SELECT count(*)::INTEGER AS n FROM t',
  );
  expect(all!.n).toBe(111);
});

const ASSIGNEE_COLUMNS = `conversations::INTEGER AS conversations, closed::INTEGER AS closed,
  avg_time_to_first_response_minutes::DOUBLE AS avg_ttfr, median_time_to_first_response_minutes::DOUBLE AS median_ttfr,
  avg_time_to_first_close_minutes::DOUBLE AS avg_ttfc, median_time_to_first_close_minutes::DOUBLE AS median_ttfc,
  avg_parts::DOUBLE AS avg_parts, avg_rating::DOUBLE AS avg_rating, rated::INTEGER AS rated, name`;

// Support/Ada: 59 conversations, all closed, all answered in 30 min; 58 closed after 120 min and X
// after 60: (58×120 + 60)/59 = 118.98; parts (58×3 + 8)/59 = 3.08; only X rated (4).
// Billing/Bo: 52 open conversations answered in 60 min, 2 parts each, day 0's three rated 5, 4, 2.
const SUPPORT = {
  conversations: 59,
  closed: 59,
  avg_ttfr: 30,
  median_ttfr: 30,
  avg_ttfc: 118.98,
  median_ttfc: 120,
  avg_parts: 3.08,
  avg_rating: 4,
  rated: 1,
};
const BILLING = {
  conversations: 52,
  closed: 0,
  avg_ttfr: 60,
  median_ttfr: 60,
  avg_ttfc: null,
  median_ttfc: null,
  avg_parts: 2,
  avg_rating: 3.67,
  rated: 3,
};

test('admin-metrics: per assigned admin, as computed by hand', async () => {
  await refine('admin-metrics');
  const rows = await readParquet(
    gold('admin-metrics', 'admin_metrics'),
    `SELECT admin_id, ${ASSIGNEE_COLUMNS} FROM t ORDER BY admin_id`,
  );
  expect(rows).toEqual([
    { admin_id: '1', name: 'Ada', ...SUPPORT },
    { admin_id: '2', name: 'Bo', ...BILLING },
  ]);
});

test('team-metrics: per assigned team, as computed by hand', async () => {
  await refine('team-metrics');
  const rows = await readParquet(
    gold('team-metrics', 'team_metrics'),
    `SELECT team_id, ${ASSIGNEE_COLUMNS} FROM t ORDER BY team_id`,
  );
  expect(rows).toEqual([
    { team_id: '100', name: 'Support', ...SUPPORT },
    { team_id: '200', name: 'Billing', ...BILLING },
  ]);
});

test('top-volume: on day 10 alone, the five companies and tags with most conversations, the tie at one broken by id', async () => {
  await refine('top-volume', { since: '2026-11-12', until: '2026-11-12' });
  const rows = await readParquet(
    gold('top-volume', 'top_volume'),
    "SELECT kind, rank, id, name, conversations::INTEGER AS conversations, strftime(since, '%Y-%m-%d') AS since FROM t ORDER BY kind, rank",
  );
  const row = (kind: string, rank: number, id: string, name: string, conversations: number) => ({
    kind,
    rank,
    id,
    name,
    conversations,
    since: '2026-11-12',
  });
  expect(rows).toEqual([
    row('company', 1, 'c1', 'Acme', 6),
    row('company', 2, 'c2', 'Globex', 4),
    row('company', 3, 'c3', 'Initech', 3),
    row('company', 4, 'c4', 'Umbrella', 2),
    row('company', 5, 'c5', 'Hooli', 1),
    row('tag', 1, 't1', 'bug', 12),
    row('tag', 2, 't2', 'billing', 5),
    row('tag', 3, 't3', 'vip', 3),
    row('tag', 4, 't4', 'refund', 2),
    row('tag', 5, 't5', 'login', 1),
  ]);
});

test("anomalies: Support's day of 12 is flagged (median 4, MAD 1, score 5.396); Billing's normal weeks and the constant response times are not", async () => {
  await refine('anomalies');
  const flagged = await readParquet(
    gold('anomalies', 'anomalies'),
    "SELECT team_id, team_name, strftime(day, '%Y-%m-%d') AS day, metric, value, median, mad, round(score, 4) AS score FROM t",
  );
  expect(flagged).toEqual([
    {
      team_id: '100',
      team_name: 'Support',
      day: '2026-11-12',
      metric: 'conversations',
      value: 12,
      median: 4,
      mad: 1,
      score: 5.396,
    },
  ]);
  const daily = await readParquet(
    gold('anomalies', 'team_daily'),
    'SELECT team_id, list(conversations::INTEGER ORDER BY day) AS counts, count(*)::INTEGER AS days FROM t GROUP BY team_id ORDER BY team_id',
  );
  expect(daily).toEqual([
    { team_id: '100', counts: [3, 4, 3, 5, 4, 3, 4, 3, 4, 3, 12, 4, 3, 4], days: 14 },
    { team_id: '200', counts: [3, 4, 3, 5, 4, 3, 4, 3, 4, 3, 5, 4, 3, 4], days: 14 },
  ]);
});
