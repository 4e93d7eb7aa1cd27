import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import type { CliResult } from '../helpers/run-cli';

// A user's clone holds only the tracked files: no sibling folders, no lake, no local state.
// This copies the working tree's tracked files to a temp folder with nothing of this workspace
// above it and runs `npm start` there, so a file read from outside the repository fails the sync.

const ROOT = path.resolve(__dirname, '../..');
const SANDBOX_CONTACTS = 12;
const SANDBOX_CONVERSATIONS = 6;
/** sandbox/quirk-records.ts: served before the generated records. */
const QUIRKS = 3;

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every directory from `dir` up to the file system root. */
function ancestors(dir: string): string[] {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}

describe('a fresh clone (the tracked files alone, nothing beside them)', () => {
  let base: string;
  let clone: string;
  let database: TestDatabase;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'fresh-clone-'));
    clone = path.join(base, 'intercom-lake-sync');
    const { stdout } = await promisify(execFile)('git', ['ls-files', '-z'], {
      cwd: ROOT,
      maxBuffer: 1 << 24,
    });
    // Tracked files as the working tree has them; one deleted but not yet committed is left out.
    const files = stdout.split('\0').filter((f) => f && existsSync(path.join(ROOT, f)));
    for (const file of files) {
      await mkdir(path.dirname(path.join(clone, file)), { recursive: true });
      await cp(path.join(ROOT, file), path.join(clone, file), { verbatimSymlinks: true });
    }
    await symlink(await realpath(path.join(ROOT, 'node_modules')), path.join(clone, 'node_modules'));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('has no shared/ folder anywhere above it', () => {
    for (const dir of ancestors(clone)) expect(existsSync(path.join(dir, 'shared'))).toBe(false);
    expect(existsSync(path.join(clone, 'package.json'))).toBe(true);
  });

  it('runs the whole sync with npm start on local defaults and fills the warehouse', async () => {
    const lake = path.join(base, 'lake');
    const result = await run('npm', ['start'], clone, {
      LAKE_URL: lake,
      DATABASE_URL: database.url,
      SANDBOX_CONTACTS: String(SANDBOX_CONTACTS),
      SANDBOX_CONVERSATIONS: String(SANDBOX_CONVERSATIONS),
    });
    if (result.code !== 0)
      throw new Error(`npm start exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
    expect(result.stdout).toContain('source: the built-in sandbox');
    expect(existsSync(path.join(lake, 'data', 'users.json'))).toBe(true);

    const db = await mysql.createConnection({ uri: database.url, dateStrings: true });
    try {
      const count = async (table: string): Promise<number> => {
        const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
        return Number(rows[0]?.n);
      };
      expect(await count('users')).toBe(SANDBOX_CONTACTS + QUIRKS);
      expect(await count('conversation')).toBe(SANDBOX_CONVERSATIONS + QUIRKS);
      expect(await count('conversation_part')).toBeGreaterThan(3);
      const [quirk] = await db.query<mysql.RowDataPacket[]>('SELECT signed_up_at FROM users WHERE id = ?', [
        '65f1c0de0a1b2c3d4e5f6071',
      ]);
      expect(quirk).toEqual([{ signed_up_at: '2043-03-01 00:00:00' }]);
    } finally {
      await db.end();
    }
  });

  it('passes the unit tests that read the committed fixtures, inside the copy', async () => {
    const result = await run(
      process.execPath,
      [
        path.join(clone, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--ci',
        '--verbose',
        'tests/unit/openapi-subset.test.ts',
        'tests/unit/warehouse-map-user.test.ts',
      ],
      clone,
      {},
    );
    if (result.code !== 0) throw new Error(`jest exited ${result.code}:\n${result.stderr}`);
    expect(result.stderr).toMatch(/Tests: +\d+ passed, \d+ total/);
    expect(result.stderr).toContain('PASS tests/unit/openapi-subset.test.ts');
  });
});
