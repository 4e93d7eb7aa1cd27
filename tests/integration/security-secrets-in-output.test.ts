import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { createTestDatabase, queryServer, type TestDatabase } from '../helpers/database';
import { runCli, type CliResult } from '../helpers/run-cli';

/**
 * Issue 6, security: the access token and the database password never reach stdout or stderr,
 * whether the run succeeds or fails (wrong token, wrong password, unreachable database, bad config).
 * Both are random per run; the password holds an `@` so that its URL-encoded form differs.
 */

const token = `fake_tok_${randomBytes(18).toString('hex')}`;
const password = `Pw@${randomBytes(12).toString('hex')}`;
const user = `sec_${randomBytes(5).toString('hex')}`;

/** Every way the two secrets could be written out. */
const forms = [
  token,
  password,
  encodeURIComponent(password),
  Buffer.from(token).toString('base64'),
  Buffer.from(password).toString('base64'),
];

let sandbox: Sandbox;
let db: TestDatabase;
let lakeDir: string;

function databaseUrl(options: { password?: string; port?: number } = {}): string {
  const pw = encodeURIComponent(options.password ?? password);
  return `mysql://${user}:${pw}@127.0.0.1:${options.port ?? 3306}/${db.name}`;
}

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    INTERCOM_ACCESS_TOKEN: token,
    INTERCOM_API_URL: sandbox.url,
    LAKE_URL: lakeDir,
    DATABASE_URL: databaseUrl(),
    // Debug logs are where a careless header or URL would show first.
    LOG_LEVEL: 'debug',
    ...overrides,
  };
}

function expectNoSecret(result: CliResult): void {
  const output = result.stdout + result.stderr;
  for (const secret of forms) expect(output).not.toContain(secret);
}

beforeAll(async () => {
  sandbox = await startSandbox({ token, contacts: 5, conversations: 3 });
  db = await createTestDatabase();
  lakeDir = await mkdtemp(path.join(tmpdir(), 'security-'));
  await queryServer(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
  await queryServer(`GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO ?@'%'`, [user]);
});

afterAll(async () => {
  await sandbox?.close();
  await queryServer(`DROP USER IF EXISTS ?@'%'`, [user]).catch(() => undefined);
  await db?.drop();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

describe('the token and the database password never appear in output', () => {
  it('in a whole sync that succeeds', async () => {
    const result = await runCli('tasks/sync/main.ts', env());
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Sync finished');
    expect(sandbox.stats.requests).toBeGreaterThan(0);
    expectNoSecret(result);
  });

  it('when Intercom refuses the token', async () => {
    const other = await startSandbox({ contacts: 1, conversations: 1 });
    try {
      const result = await runCli('tasks/extract/main.ts', env({ INTERCOM_API_URL: other.url }));
      expect(result.code).toBe(3);
      expect(result.stdout + result.stderr).toContain('refused the access token');
      expectNoSecret(result);
    } finally {
      await other.close();
    }
  });

  it('when the database refuses the password', async () => {
    const wrong = `Pw@${randomBytes(12).toString('hex')}`;
    const result = await runCli(
      'tasks/load/main.ts',
      env({ DATABASE_URL: databaseUrl({ password: wrong }) }),
    );
    expect(result.code).not.toBe(0);
    expectNoSecret(result);
    for (const secret of [wrong, encodeURIComponent(wrong)]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  });

  it('when the database cannot be reached', async () => {
    const result = await runCli('tasks/load/main.ts', env({ DATABASE_URL: databaseUrl({ port: 1 }) }));
    expect(result.code).not.toBe(0);
    expectNoSecret(result);
  });

  it('when the configuration is invalid', async () => {
    const result = await runCli(
      'tasks/sync/main.ts',
      env({
        LAKE_URL: 's3://',
        INTERCOM_API_VERSION: 'not-a-version',
        DATABASE_URL: `${databaseUrl()}?ssl=maybe`,
      }),
    );
    expect(result.code).toBe(2);
    expectNoSecret(result);
  });
});
