import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { handleTrigger } from '../../handlers/trigger-logic';
import { LOCAL_COMMANDS, localTaskEnv } from '../../lib/launcher/local-launcher';
import { silentLogger } from '../../lib/logger';
import { partsOf } from '../../lib/records/conversation-parts';
import { createWorkspace } from '../../sandbox/workspace';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const ROOT = path.resolve(__dirname, '../..');
const SIZES = { contacts: 30, conversations: 12 };

describe('the trigger with the local launcher', () => {
  let database: TestDatabase;
  let lake: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    lake = await mkdtemp(path.join(tmpdir(), 'lake-trigger-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(lake, { recursive: true, force: true });
  });

  it('runs a real sync (npm start: sandbox -> lake -> warehouse) and answers 200', async () => {
    const env = localTaskEnv({
      ...process.env,
      INTERCOM_ACCESS_TOKEN: '',
      INTERCOM_API_URL: '',
      LAKE_URL: lake,
      DATABASE_URL: database.url,
      SANDBOX_CONTACTS: String(SIZES.contacts),
      SANDBOX_CONVERSATIONS: String(SIZES.conversations),
      AWS_LAMBDA_FUNCTION_NAME: 'trigger-under-test',
    });
    const response = await handleTrigger(
      { task: 'sync' },
      { kind: 'local', options: { commands: LOCAL_COMMANDS, cwd: ROOT, env } },
      silentLogger(),
    );
    expect(response).toMatchObject({ statusCode: 200, task: 'sync', launcher: 'local', exitCode: 0 });

    // The same workspace the child's sandbox served (same default seed and sizes).
    const workspace = createWorkspace(SIZES);
    let parts = 0;
    for (let j = 0; j < workspace.conversationCount; j++) {
      parts += partsOf(workspace.conversationAt(j) as unknown as Record<string, unknown>).length;
    }
    const connection = await mysql.createConnection(database.url);
    try {
      const count = async (table: string): Promise<number> => {
        const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
        return Number((rows as { n: number }[])[0]?.n);
      };
      expect(await count('users')).toBe(workspace.contactCount);
      expect(await count('conversation')).toBe(workspace.conversationCount);
      expect(await count('conversation_part')).toBe(parts);
    } finally {
      await connection.end();
    }
  });
});
