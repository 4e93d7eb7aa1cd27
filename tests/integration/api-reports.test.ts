import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { queryDatabase } from '../helpers/database';
import { startTestApi, type TestApi } from '../helpers/api';

const EXPIRES_S = 600;

/** Teams, admins and conversations whose report answers are worked out by hand below. */
async function insertFixture(url: string): Promise<void> {
  const teams = [
    ['1', 'Support'],
    ['2', '=Sales'],
    ['3', 'Billing'],
    ['4', 'Empty'],
    ['5', 'Equal'],
  ];
  const admins = [
    ['11', 'Ann 🚀'],
    ['12', '@bob'],
    ['13', 'Cy, "Jr."'],
  ];
  for (const [id, name] of teams)
    await queryDatabase(url, "INSERT INTO team (id, name, raw) VALUES (?, ?, '{}')", [id, name]);
  for (const [id, name] of admins)
    await queryDatabase(url, "INSERT INTO admin (id, name, raw) VALUES (?, ?, '{}')", [id, name]);
  // [id, created_at (UTC), team_assignee_id, admin_assignee_id]
  const conversations: [string, string, string | null, string | null][] = [
    ['c1', '2025-01-15 10:00:00', '1', '11'],
    ['c2', '2025-03-31 23:59:59', '1', '11'],
    ['c3', '2025-04-01 00:00:00', '1', '11'],
    ['c4', '2025-07-04 12:00:00', '1', '12'],
    ['c5', '2025-12-31 23:59:59', '2', '12'],
    ['c6', '2025-05-05 08:00:00', '2', null],
    ['c7', '2025-08-08 08:00:00', null, '13'],
    ['c8', '2025-02-02 02:00:00', null, null],
    ['c9', '2024-12-31 23:59:59', '3', '13'],
    ['c10', '2026-01-01 00:00:00', '3', '11'],
    ['c11', '2025-10-10 10:10:10', '1', '11'],
    ['c12', '2025-06-30 23:00:00', '2', '12'],
    ['c13', '2025-09-09 09:09:09', '9', '11'],
    ['c14', '2025-11-11 11:11:11', '5', null],
    ['c15', '2025-01-01 00:00:00', '5', null],
  ];
  for (const [id, createdAt, team, admin] of conversations) {
    await queryDatabase(
      url,
      "INSERT INTO conversation (id, created_at, team_assignee_id, admin_assignee_id, parts_count, parts_complete, raw) VALUES (?, ?, ?, ?, 0, 1, '{}')",
      [id, createdAt, team, admin],
    );
  }
}

// Worked out by hand from the fixture: team 3 has conversations only in 2024 and 2026, so no row;
// team 9 is not in `team` (empty name); the formula guard quotes "=Sales" and "@bob".
const BY_QUARTER_2025 = [
  'team_id,team_name,admin_id,admin_name,q1,q2,q3,q4',
  '1,Support,11,Ann 🚀,2,1,0,1',
  "1,Support,12,'@bob,0,0,1,0",
  "2,'=Sales,12,'@bob,0,1,0,1",
  "2,'=Sales,,,0,1,0,0",
  '5,Equal,,,1,0,0,1',
  '9,,11,Ann 🚀,0,0,1,0',
  ',,13,"Cy, ""Jr.""",0,0,1,0',
  ',,,,1,0,0,0',
  '',
].join('\n');

// 2025 counts over the five rows of `team`: 5, 3, 0, 0, 2; mean 2, so team 5 (exactly 2) is out.
const ABOVE_MEAN_2025 = ['team_id,team_name,conversations', '1,Support,5', "2,'=Sales,3", ''].join('\n');

describe.each(['folder', 's3'] as const)('reports with a %s lake', (lakeKind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(lakeKind, { REPORT_URL_EXPIRES_S: String(EXPIRES_S) });
    await insertFixture(api.db.url);
  });
  afterAll(async () => {
    await api.close();
  });

  test('GET /reports lists both reports with their parameters', async () => {
    const answer = await api.request('GET', '/reports');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      expect.objectContaining({
        name: 'conversations-by-quarter',
        params: [expect.objectContaining({ name: 'year', type: 'integer' })],
      }),
      expect.objectContaining({
        name: 'teams-above-mean',
        params: [expect.objectContaining({ name: 'year', type: 'integer' })],
      }),
    ]);
  });

  test.each([
    ['conversations-by-quarter', BY_QUARTER_2025, 8],
    ['teams-above-mean', ABOVE_MEAN_2025, 2],
  ])(
    '%s?year=2025 links to the hand-computed CSV, written under reports/<name>/',
    async (name, expected, rows) => {
      const before = Date.now();
      const answer = await api.request('GET', `/reports/${name}?year=2025`);
      expect(answer.status).toBe(200);
      const body = answer.body as { report: string; rows: number; url: string; expires_at: string };
      expect(body).toMatchObject({ report: name, rows });
      const expiresAt = Date.parse(body.expires_at);
      expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + EXPIRES_S * 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + EXPIRES_S * 1000);

      const download = await api.fetch('GET', body.url);
      expect(download.status).toBe(200);
      expect(download.text).toBe(expected);

      const keys = await api.opened.deps.lake.list(`reports/${name}/`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(new RegExp(`^reports/${name}/\\d{8}T\\d{9}Z\\.csv$`));
      await api.opened.deps.lake.delete(keys[0] as string);
    },
  );

  test('a year without conversations gives a header-only CSV', async () => {
    const answer = await api.request('GET', '/reports/conversations-by-quarter?year=2018');
    expect(answer.status).toBe(200);
    const body = answer.body as { rows: number; url: string };
    expect(body.rows).toBe(0);
    expect((await api.fetch('GET', body.url)).text).toBe(
      'team_id,team_name,admin_id,admin_name,q1,q2,q3,q4\n',
    );
  });

  test('every cell a spreadsheet would run as a formula starts with a quote; numbers stay numbers', async () => {
    const names = [
      ['t-eq', '=1+1'],
      ['t-plus', '+1'],
      ['t-minus', '-1'],
      ['t-at', '@SUM(A1)'],
      ['t-tab', '\tx'],
      ['t-cr', '\rx'],
      ['t-plain', 'a=b'],
    ];
    for (const [id, name] of names) {
      await queryDatabase(api.db.url, "INSERT INTO team (id, name, raw) VALUES (?, ?, '{}')", [id, name]);
      await queryDatabase(
        api.db.url,
        "INSERT INTO conversation (id, created_at, team_assignee_id, parts_count, parts_complete, raw) VALUES (?, '2019-06-01 00:00:00', ?, 0, 1, '{}')",
        [`guard-${id}`, id],
      );
    }
    try {
      const body = (await api.request('GET', '/reports/conversations-by-quarter?year=2019')).body as {
        url: string;
      };
      expect((await api.fetch('GET', body.url)).text).toBe(
        [
          'team_id,team_name,admin_id,admin_name,q1,q2,q3,q4',
          "t-at,'@SUM(A1),,,0,1,0,0",
          't-cr,"\'\rx",,,0,1,0,0',
          "t-eq,'=1+1,,,0,1,0,0",
          "t-minus,'-1,,,0,1,0,0",
          't-plain,a=b,,,0,1,0,0',
          "t-plus,'+1,,,0,1,0,0",
          "t-tab,'\tx,,,0,1,0,0",
          '',
        ].join('\n'),
      );
    } finally {
      await queryDatabase(api.db.url, "DELETE FROM conversation WHERE id LIKE 'guard-%'");
      await queryDatabase(api.db.url, "DELETE FROM team WHERE id LIKE 't-%'");
    }
  });

  test('the link works until it expires, then answers 403', async () => {
    const signedAt = new Date(Date.now() - (EXPIRES_S - 30) * 1000);
    api.clockAt = signedAt;
    const fresh = (await api.request('GET', '/reports/teams-above-mean?year=2025')).body as { url: string };
    // Signed EXPIRES_S - 30 s ago: still valid for 30 s.
    expect((await api.fetch('GET', fresh.url)).status).toBe(200);
    api.clockAt = new Date(Date.now() - (EXPIRES_S + 30) * 1000);
    const stale = (await api.request('GET', '/reports/teams-above-mean?year=2025')).body as {
      url: string;
      expires_at: string;
    };
    expect(Date.parse(stale.expires_at)).toBeLessThan(Date.now());
    api.clockAt = undefined;
    const refused = await api.fetch('GET', stale.url);
    expect(refused.status).toBe(403);
  });

  test.each([
    ['/reports/teams-above-mean', 400],
    ['/reports/teams-above-mean?year=twenty', 400],
    ['/reports/teams-above-mean?year=1969', 400],
    ['/reports/teams-above-mean?year=2025&team=1', 400],
    ['/reports/no-such-report?year=2025', 404],
  ])('GET %s answers %i with an error that says why', async (url, status) => {
    const answer = await api.request('GET', url);
    expect(answer.status).toBe(status);
    expect((answer.body as { error: string }).error).toMatch(/year|report|parameter/i);
  });

  if (lakeKind === 's3') {
    test('the same presigned link works, then answers 403 once the S3 server clock passes its expiry', async () => {
      const body = (await api.request('GET', '/reports/teams-above-mean?year=2025')).body as {
        url: string;
        expires_at: string;
      };
      expect((await api.fetch('GET', body.url)).status).toBe(200);
      // Only Date moves (s3rver runs in this process and checks expiry against it); timers stay real.
      jest.useFakeTimers({
        now: Date.parse(body.expires_at) + 5000,
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'requestAnimationFrame',
          'cancelAnimationFrame',
          'requestIdleCallback',
          'cancelIdleCallback',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      try {
        const expired = await api.fetch('GET', body.url);
        expect(expired.status).toBe(403);
        expect(expired.text).toMatch(/expired/i);
      } finally {
        jest.useRealTimers();
      }
    });
  }

  if (lakeKind === 'folder') {
    test('a folder link is refused with 403 once the API clock passes its expiry, or when tampered with', async () => {
      const body = (await api.request('GET', '/reports/teams-above-mean?year=2025')).body as {
        url: string;
        expires_at: string;
      };
      const tampered = body.url.replace(
        /signature=([0-9a-f])/,
        (_, c: string) => `signature=${c === '0' ? '1' : '0'}`,
      );
      expect((await api.fetch('GET', tampered)).status).toBe(403);
      const longer = body.url.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`);
      expect((await api.fetch('GET', longer)).status).toBe(403);
      expect((await api.fetch('GET', body.url)).status).toBe(200);
      api.clockAt = new Date(Date.parse(body.expires_at) + 1000);
      try {
        const expired = await api.request('GET', new URL(body.url).pathname + new URL(body.url).search, {
          auth: false,
        });
        expect(expired.status).toBe(403);
        expect((expired.body as { error: string }).error).toMatch(/expired/);
      } finally {
        api.clockAt = undefined;
      }
    });

    test('the folder lake holds the CSV the link serves', async () => {
      const body = (await api.request('GET', '/reports/teams-above-mean?year=2025')).body as { url: string };
      const file = new URL(body.url).pathname.replace('/report-files/', 'reports/');
      expect(await readFile(path.join(api.lakeUrl, file), 'utf8')).toBe(ABOVE_MEAN_2025);
    });
  }
});
