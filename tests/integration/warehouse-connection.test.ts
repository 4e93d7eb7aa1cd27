import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { createServer } from 'node:net';
import { ConfigError, TransientError } from '../../lib/errors';
import { openWarehouse } from '../../lib/warehouse/connection';
import { parseDatabaseUrl } from '../../lib/warehouse/database-url';
import { queryServer, unusedDatabaseName } from '../helpers/database';

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('warehouse connection', () => {
  it('creates the database with utf8mb4 when it does not exist', async () => {
    const name = unusedDatabaseName();
    const warehouse = await openWarehouse(`mysql://root@127.0.0.1:3306/${name}`);
    try {
      const rows = await queryServer(
        'SELECT DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [name],
      );
      expect(rows).toEqual([{ cs: 'utf8mb4' }]);
      expect(warehouse.label).toBe(`127.0.0.1:3306/${name}`);
    } finally {
      await warehouse.close();
      await queryServer(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  });

  it('sends a statement without values as it is and still fills ? placeholders when given values', async () => {
    const name = unusedDatabaseName();
    const warehouse = await openWarehouse(`mysql://root@127.0.0.1:3306/${name}`);
    try {
      // A ? inside a literal of a statement without values must reach the server untouched.
      const [plain] = await warehouse.pool.query<RowDataPacket[]>("SELECT 'a?b' AS s, '?' AS q");
      expect(plain).toEqual([{ s: 'a?b', q: '?' }]);
      const [bound] = await warehouse.pool.query<RowDataPacket[]>('SELECT ? AS s, ? AS n', [
        'it\'s \\ "?"',
        42,
      ]);
      expect(bound).toEqual([{ s: 'it\'s \\ "?"', n: 42 }]);
      const [inList] = await warehouse.pool.query<RowDataPacket[]>('SELECT 2 IN (?) AS found', [[1, 2, 3]]);
      expect(inList).toEqual([{ found: 1 }]);
    } finally {
      await warehouse.close();
      await queryServer(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  });

  it('says a wrong password is refused, naming host and user but never the password', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const attempt = openWarehouse(`mysql://root:${password}@127.0.0.1:3306/${unusedDatabaseName()}`);
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /127\.0\.0\.1:3306 refused user "root".*password in DATABASE_URL/,
    );
    expect((error as Error).message).not.toContain(password);
  });

  it('says an unreachable server cannot be reached, as a transient error', async () => {
    const port = await closedPort();
    const error = await openWarehouse(`mysql://root:secret-pw@127.0.0.1:${port}/intercom`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain(
      `Cannot reach the database server at 127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect((error as Error).message).not.toContain('secret-pw');
  });
});

describe('parseDatabaseUrl', () => {
  it('reads user, password, host, port, database and ssl=rds', () => {
    expect(parseDatabaseUrl('mysql://app:p%40ss@db.example.com:3307/warehouse?ssl=rds')).toEqual({
      host: 'db.example.com',
      port: 3307,
      user: 'app',
      password: 'p@ss',
      database: 'warehouse',
      tls: true,
    });
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/intercom')).toMatchObject({ port: 3306, tls: false });
  });

  it('refuses a database name that could not be quoted safely, without echoing the password', () => {
    expect(() => parseDatabaseUrl('mysql://u:topsecret@h/bad`name')).toThrow(ConfigError);
    expect(() => parseDatabaseUrl('mysql://u:topsecret@h/')).toThrow(/names the database ""/);
    expect(() => parseDatabaseUrl('mysql://u:topsecret@h/db?ssl=maybe')).toThrow(/ssl=maybe/);
    try {
      parseDatabaseUrl('not a url topsecret');
    } catch (error) {
      expect((error as Error).message).not.toContain('topsecret');
    }
  });
});
