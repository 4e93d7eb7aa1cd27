import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataManifestKey } from '../../lib/lake/keys';
import { readManifest } from '../../lib/lake/manifest';
import { runCli } from '../helpers/run-cli';
import { readParquet } from '../helpers/refine-lake';

// The built-in sandbox (quirk records included) extracted by the real CLI, then refined by the CLI.
jest.setTimeout(180_000);

let lake: string;

beforeAll(async () => {
  lake = await mkdtemp(path.join(tmpdir(), 'refine-sandbox-'));
});

afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

test('on a sandbox workspace, silver holds exactly the records of the lake: contacts, conversations and parts the manifest counts', async () => {
  const env = {
    LAKE_URL: lake,
    SANDBOX_CONTACTS: '150',
    SANDBOX_CONVERSATIONS: '60',
    REFINE_THREADS: '1',
    REFINE_MEMORY_LIMIT: '256MB',
  };
  const extract = await runCli('tasks/extract/main.ts', env);
  expect(extract.code).toBe(0);
  const manifest = await readManifest(new FolderStore(lake), dataManifestKey());

  const silver = await runCli('tasks/refine/main.ts', env, ['silver']);
  expect(silver.code).toBe(0);
  const count = async (table: string, distinct = 'id') =>
    (
      await readParquet(
        path.join(lake, 'silver', table),
        `SELECT count(*)::INTEGER AS n, count(DISTINCT ${distinct})::INTEGER AS ids FROM t`,
      )
    )[0];
  expect(await count('users')).toEqual({
    n: manifest.streams.users.count,
    ids: manifest.streams.users.count,
  });
  expect(await count('conversations')).toEqual({
    n: manifest.streams.conversations.count,
    ids: manifest.streams.conversations.count,
  });
  expect((await count('conversation_parts', 'conversation_id || id'))?.n).toBe(manifest.parts);
  expect(manifest.streams.users.count).toBeGreaterThanOrEqual(150);

  // Every gold job and the report then run on it.
  for (const job of [
    'conversation-metrics',
    'admin-metrics',
    'team-metrics',
    'top-volume',
    'anomalies',
    'report',
  ]) {
    const run = await runCli('tasks/refine/main.ts', env, [job]);
    expect([job, run.code]).toEqual([job, 0]);
  }
  const metrics = await readParquet(
    path.join(lake, 'gold', 'conversation-metrics'),
    'SELECT count(*)::INTEGER AS n FROM t',
  );
  expect(metrics).toEqual([{ n: manifest.streams.conversations.count }]);
});
