import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FolderStore } from '../../lib/lake/folder-store';
import { STREAMS } from '../../lib/streams/registry';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../helpers/database';
import { runCli } from '../helpers/run-cli';

/**
 * Issue 12: `npm start` on a lake that already holds a full copy runs incrementally and says so;
 * on an empty lake it copies everything.
 */
describe('npm start on a lake with a full copy', () => {
  let lake: string;
  let db: TestDatabase;
  beforeAll(async () => {
    lake = await mkdtemp(path.join(tmpdir(), 'sync-incremental-'));
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    await rm(lake, { recursive: true, force: true });
  });

  it('copies everything first, then only what changed, and says which it does', async () => {
    const env = { LAKE_URL: lake, DATABASE_URL: db.url, SANDBOX_CONTACTS: '40', SANDBOX_CONVERSATIONS: '20' };
    const first = await runCli('tasks/sync/main.ts', env);
    expect(first.code).toBe(0);
    expect(first.stderr + first.stdout).toMatch(/the lake holds no full copy yet: copying everything/);
    expect(first.stdout).toMatch(/Sync finished .*\n.*\(full run /);

    const second = await runCli('tasks/sync/main.ts', env);
    expect(second.code).toBe(0);
    expect(second.stderr + second.stdout).toMatch(
      /the lake holds a full copy: copying only what changed since \(npm run extract -- --mode full for a new full copy\)/,
    );
    expect(second.stdout).toMatch(/\(incremental run \d{8}T\d{6}Z-[0-9a-f]{6}\)/);
    const store = new FolderStore(lake);
    expect((await store.list('runs/')).filter((k) => k.endsWith('/increment.json'))).toHaveLength(1);
    const state = await queryDatabase(
      db.url,
      'SELECT COUNT(*) AS n FROM sync_state WHERE increment_run_id IS NOT NULL',
    );
    // Every stream: those searched by cursor and those copied whole.
    expect(Number(state[0]?.n)).toBe(STREAMS.length);
    const users = await queryDatabase(db.url, 'SELECT COUNT(*) AS n FROM users');
    expect(Number(users[0]?.n)).toBe(43);
  });
});
