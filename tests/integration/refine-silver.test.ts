import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeIncrementManifest } from '../../lib/lake/increment-manifest';
import { refineJobNamed } from '../../lib/refine/jobs/registry';
import { runRefine } from '../../lib/refine/run-refine';
import {
  fixtureContact,
  fixtureConversation,
  fixturePart,
  writeFixtureLake,
  type FixtureLake,
} from '../helpers/fixture-lake';
import { putJsonArray, quietLog, readParquet } from '../helpers/refine-lake';
import { runCli } from '../helpers/run-cli';

jest.setTimeout(120_000);

const lakes: FixtureLake[] = [];
const folders: string[] = [];

afterAll(async () => {
  for (const lake of lakes) await lake.remove();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function fixtureLake(
  conversations: unknown[],
  users: unknown[] = [fixtureContact(1)],
): Promise<FixtureLake> {
  const lake = await writeFixtureLake({ users, conversations });
  lakes.push(lake);
  return lake;
}

async function silver(inputUrl: string, outputUrl = inputUrl): Promise<Record<string, number>> {
  const result = await runRefine({
    job: refineJobNamed('silver'),
    inputUrl,
    outputUrl,
    options: { now: new Date() },
    memoryLimit: '256MB',
    threads: 1,
    log: quietLog,
  });
  return result.outputs;
}

test('silver is the current state: increments win by updated_at, an older increment loses, a deletion removes, new records join', async () => {
  const lake = await fixtureLake([1, 2, 3, 5].map((i) => fixtureConversation(i, { parts: 2 })));
  const changed = fixtureConversation(2, {
    parts: 4,
    overrides: { state: 'snoozed', updated_at: 1626346673 + 2 + 100 },
  });
  const stale = fixtureConversation(3, { parts: 1, overrides: { state: 'stale', updated_at: 1600000000 } });
  const added = fixtureConversation(4, { parts: 1 });
  await putJsonArray(lake.store, 'increments/conversations/date=2021-07-15/20210715T120000Z-aaaaaa.json', [
    changed,
    stale,
  ]);
  await putJsonArray(lake.store, 'increments/conversations/date=2021-07-16/20210716T120000Z-bbbbbb.json', [
    added,
  ]);
  // 1001 deleted after its last change; 1005's deletion is older than its last change, so it stays.
  await putJsonArray(
    lake.store,
    'increments/conversations/deleted/date=2021-07-16/20210716T120000Z-bbbbbb.json',
    [
      { id: '1001', deleted_at: 1626346673 + 1 + 60 },
      { id: '1005', deleted_at: 1600000000 },
    ],
  );

  const outputs = await silver(lake.folder);

  const rows = await readParquet(
    path.join(lake.folder, 'silver', 'conversations'),
    'SELECT id, state, parts_count FROM t ORDER BY id',
  );
  expect(rows).toEqual([
    { id: '1002', state: 'snoozed', parts_count: 4 },
    { id: '1003', state: 'closed', parts_count: 2 },
    { id: '1004', state: 'open', parts_count: 1 },
    { id: '1005', state: 'closed', parts_count: 2 },
  ]);
  const parts = await readParquet(
    path.join(lake.folder, 'silver', 'conversation_parts'),
    'SELECT conversation_id, count(*)::INTEGER AS n FROM t GROUP BY 1 ORDER BY 1',
  );
  expect(parts).toEqual([
    { conversation_id: '1002', n: 4 },
    { conversation_id: '1003', n: 2 },
    { conversation_id: '1004', n: 1 },
    { conversation_id: '1005', n: 2 },
  ]);
  expect(outputs['silver/conversations/']).toBe(4);
  expect(outputs['silver/conversation_parts/']).toBe(9);
});

test('silver partitions conversations and parts by month of created_at and keeps nested values typed or as JSON text', async () => {
  const december = fixtureConversation(1, { parts: 1 });
  const january = fixtureConversation(2, {
    parts: 0,
    overrides: {
      created_at: Date.UTC(2021, 0, 3) / 1000,
      conversation_parts: {
        type: 'conversation_part.list',
        total_count: 1,
        conversation_parts: [fixturePart('1002', 0, { created_at: Date.UTC(2021, 0, 4) / 1000 })],
      },
      custom_attributes: { plan: 'pro' },
    },
  });
  const lake = await fixtureLake([december, january]);
  await silver(lake.folder);
  await stat(path.join(lake.folder, 'silver/conversations/month=2020-12/part-0.parquet'));
  await stat(path.join(lake.folder, 'silver/conversations/month=2021-01/part-0.parquet'));
  await stat(path.join(lake.folder, 'silver/conversation_parts/month=2021-01/part-0.parquet'));
  const [row] = await readParquet(
    path.join(lake.folder, 'silver', 'conversations'),
    "SELECT strftime(created_at, '%Y-%m-%d') AS created, custom_attributes, contact_ids, tag_ids FROM t WHERE id = '1002'",
  );
  expect(row).toEqual({
    created: '2021-01-03',
    custom_attributes: '{"plan":"pro"}',
    contact_ids: [fixtureContact(2).id],
    tag_ids: ['7800292'],
  });
});

test('a lake without the optional streams gives them empty tables; one without conversations is a clear error', async () => {
  const lake = await fixtureLake([fixtureConversation(1)]);
  const outputs = await silver(lake.folder);
  expect(outputs['silver/admins/']).toBe(0);
  expect(outputs['silver/teams/']).toBe(0);
  const admins = await readParquet(
    path.join(lake.folder, 'silver', 'admins'),
    'SELECT count(*)::INTEGER AS n FROM t',
  );
  expect(admins).toEqual([{ n: 0 }]);

  const empty = await mkdtemp(path.join(tmpdir(), 'refine-empty-'));
  folders.push(empty);
  await expect(silver(empty)).rejects.toThrow(
    /Lake file "data\/users.json" was not found .* Run the extract/,
  );
});

test('each job runs alone from its CLI with --input and --output: silver from lake A to lake B, then a gold job on B', async () => {
  const lake = await fixtureLake([1, 2, 3].map((i) => fixtureConversation(i)));
  const output = await mkdtemp(path.join(tmpdir(), 'refine-out-'));
  folders.push(output);
  const env = {
    LAKE_URL: path.join(tmpdir(), 'refine-nowhere'),
    REFINE_MEMORY_LIMIT: '256MB',
    REFINE_THREADS: '1',
  };

  const first = await runCli('tasks/refine/main.ts', env, [
    'silver',
    '--input',
    lake.folder,
    '--output',
    output,
  ]);
  expect(first.code).toBe(0);
  await stat(path.join(output, 'silver/users/part-0.parquet'));
  // Nothing was written into the input lake or LAKE_URL.
  await expect(stat(path.join(lake.folder, 'silver'))).rejects.toThrow(/ENOENT/);
  await expect(stat(env.LAKE_URL)).rejects.toThrow(/ENOENT/);

  const second = await runCli('tasks/refine/main.ts', env, [
    'conversation-metrics',
    '--input',
    output,
    '--output',
    output,
  ]);
  expect(second.code).toBe(0);
  const rows = await readParquet(
    path.join(output, 'gold/conversation-metrics'),
    'SELECT count(*)::INTEGER AS n FROM t',
  );
  expect(rows).toEqual([{ n: 3 }]);

  const wrong = await runCli('tasks/refine/main.ts', env, ['gold-everything']);
  expect(wrong.code).not.toBe(0);
  expect(wrong.stdout + wrong.stderr).toMatch(
    /gold-everything\\" is not a refine job; the jobs are silver, conversation-metrics/,
  );

  const noSilver = await runCli('tasks/refine/main.ts', env, ['anomalies', '--input', lake.folder]);
  expect(noSilver.code).not.toBe(0);
  expect(noSilver.stdout + noSilver.stderr).toMatch(
    /no Parquet files under \\"silver\/conversations\/\\"\. Run `npm run refine -- silver`/,
  );
});

test('a deletion may give its time as ISO 8601 text, or none (then it is applied whatever the record says)', async () => {
  const lake = await fixtureLake([1, 2, 3].map((i) => fixtureConversation(i, { parts: 1 })));
  await putJsonArray(
    lake.store,
    'increments/conversations/deleted/date=2021-07-20/20210720T120000Z-cccccc.json',
    [
      { id: '1001', deleted_at: '2021-07-20T12:00:00Z' },
      { id: '1002' },
      { id: '1003', deleted_at: '2020-01-01T00:00:00Z' },
    ],
  );
  await silver(lake.folder);
  const rows = await readParquet(
    path.join(lake.folder, 'silver', 'conversations'),
    'SELECT id FROM t ORDER BY id',
  );
  expect(rows).toEqual([{ id: '1003' }]);
});

test("the incremental extract's deletion files give the time as seen_at: read like deleted_at", async () => {
  const lake = await fixtureLake([1, 2].map((i) => fixtureConversation(i, { parts: 1 })));
  await putJsonArray(
    lake.store,
    'increments/conversations/deleted/date=2021-07-20/20210720T120000Z-dddddd.json',
    [
      { id: '1001', seen_at: '2021-07-20T12:00:00.000Z' },
      { id: '1002', seen_at: '2020-01-01T00:00:00.000Z' },
    ],
  );
  await silver(lake.folder);
  const rows = await readParquet(
    path.join(lake.folder, 'silver', 'conversations'),
    'SELECT id FROM t ORDER BY id',
  );
  expect(rows).toEqual([{ id: '1002' }]);
});

test('a stream without a cursor is read from the newest whole copy an incremental run published after the full copy', async () => {
  const lake = await fixtureLake([fixtureConversation(1, { parts: 1 })]);
  const wholeRun = async (runId: string, startedAt: string, admins: unknown[]): Promise<void> => {
    const key = `runs/${runId}/admins.json`;
    await putJsonArray(lake.store, key, admins);
    const bytes = await readFile(path.join(lake.folder, key));
    const written = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    await writeIncrementManifest(lake.store, {
      runId,
      mode: 'incremental',
      apiUrl: 'http://127.0.0.1:0',
      apiVersion: '2.14',
      startedAt,
      finishedAt: startedAt,
      streams: {
        admins: {
          kind: 'whole',
          through: startedAt,
          files: [{ key, day: startedAt.slice(0, 10), count: admins.length, ...written }],
          deleted: [],
          swept: false,
        },
      },
      timings: {},
      requests: { total: 0, retries: 0, rateLimited: 0 },
    });
  };
  const admin = (id: string, name: string) => ({ type: 'admin', id, name, email: `${id}@example.com` });
  // Older than the full copy: left alone. Two later runs: the newest wins.
  await wholeRun('20000101T000000Z-aaaaaa', '2000-01-01T00:00:00.000Z', [admin('1', 'too old')]);
  await wholeRun('20990101T000000Z-bbbbbb', '2099-01-01T00:00:00.000Z', [admin('2', 'earlier run')]);
  await wholeRun('20990102T000000Z-cccccc', '2099-01-02T00:00:00.000Z', [
    admin('2', 'renamed'),
    admin('3', 'new teammate'),
  ]);
  await silver(lake.folder);
  const rows = await readParquet(
    path.join(lake.folder, 'silver', 'admins'),
    'SELECT id, name FROM t ORDER BY id',
  );
  expect(rows).toEqual([
    { id: '2', name: 'renamed' },
    { id: '3', name: 'new teammate' },
  ]);
});

test('silver times are UTC whatever time zone the process runs in', async () => {
  // 02:30 UTC on 1 January is still 31 December in New York: a time zone cast would move the month.
  const newYear = Date.UTC(2021, 0, 1, 2, 30) / 1000;
  const conversation = fixtureConversation(1, {
    parts: 0,
    overrides: {
      created_at: newYear,
      conversation_parts: {
        type: 'conversation_part.list',
        total_count: 1,
        conversation_parts: [fixturePart('1001', 0, { created_at: newYear })],
      },
    },
  });
  const lake = await fixtureLake([conversation], [fixtureContact(1, { created_at: newYear })]);
  const env = {
    LAKE_URL: lake.folder,
    REFINE_MEMORY_LIMIT: '256MB',
    REFINE_THREADS: '1',
    TZ: 'America/New_York',
  };
  const run = await runCli('tasks/refine/main.ts', env, ['silver']);
  expect(run.code).toBe(0);
  await stat(path.join(lake.folder, 'silver/conversations/month=2021-01/part-0.parquet'));
  await stat(path.join(lake.folder, 'silver/conversation_parts/month=2021-01/part-0.parquet'));
  const time = "strftime(created_at, '%Y-%m-%d %H:%M') AS created";
  expect(
    await readParquet(path.join(lake.folder, 'silver', 'conversations'), `SELECT ${time} FROM t`),
  ).toEqual([{ created: '2021-01-01 02:30' }]);
  expect(
    await readParquet(path.join(lake.folder, 'silver', 'conversation_parts'), `SELECT ${time} FROM t`),
  ).toEqual([{ created: '2021-01-01 02:30' }]);
  expect(await readParquet(path.join(lake.folder, 'silver', 'users'), `SELECT ${time} FROM t`)).toEqual([
    { created: '2021-01-01 02:30' },
  ]);
});
