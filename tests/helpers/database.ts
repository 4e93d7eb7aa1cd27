import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import mysql from 'mysql2/promise';

/** The local server the tests use (MariaDB/MySQL on 127.0.0.1:3306, user root, no password). */
export const TEST_SERVER_URL = 'mysql://root@127.0.0.1:3306';

/** A database made for one test; `drop()` removes it. */
export interface TestDatabase {
  /** `mysql://root@127.0.0.1:3306/<name>`. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database (utf8mb4) with a random name, for one test. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const connection = await mysql.createConnection(`${TEST_SERVER_URL}/`);
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  return {
    url: `${TEST_SERVER_URL}/${name}`,
    name,
    drop: async () => {
      const c = await mysql.createConnection(`${TEST_SERVER_URL}/`);
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** A random database name that does not exist yet (for tests of database creation). */
export function unusedDatabaseName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

/** Run `sql` on the test server (outside any test database) and return the rows. */
export async function queryServer<T = mysql.RowDataPacket>(
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const connection = await mysql.createConnection({ uri: `${TEST_SERVER_URL}/`, dateStrings: true });
  try {
    const [rows] = await connection.query(sql, values);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

/** Run `sql` on the database at `url` (a test database's `url`) and return the rows. */
export async function queryDatabase(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const connection = await mysql.createConnection({ uri: url, dateStrings: true, charset: 'utf8mb4' });
  try {
    const [rows] = await connection.query(sql, values);
    return rows as Record<string, unknown>[];
  } finally {
    await connection.end();
  }
}

/** A TCP proxy in front of the test server whose connections a test can cut. */
export interface CuttableProxy {
  /** `mysql://root@127.0.0.1:<proxy port>/<database>`. */
  url: string;
  /** Drop every open connection and refuse new ones, as a server that went away. */
  cut(): Promise<void>;
  close(): Promise<void>;
}

/** Start a proxy on 127.0.0.1 (random port) to database `name` on the test server. */
export async function startCuttableProxy(name: string): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(3306, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  let stopped: Promise<void> | undefined;
  return {
    url: `mysql://root@127.0.0.1:${port}/${name}`,
    cut: () => (stopped ??= stop()),
    close: () => (stopped ??= stop()),
  };
}
