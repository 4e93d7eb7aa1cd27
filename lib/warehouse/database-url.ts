import { ConfigError } from '../errors';

/** What `DATABASE_URL` says, split up. The password is kept only to connect; never log this object. */
export interface DatabaseSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** TLS with the Amazon RDS CA bundle (`?ssl=rds` or `?ssl=true`). */
  tls: boolean;
}

/** Database names we accept: they are quoted into `CREATE DATABASE`, so keep them plain. */
const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * Parse `mysql://user:password@host:port/database[?ssl=rds]`.
 * @throws ConfigError when the URL is not of that form (the message never repeats the URL, which
 *   may hold a password).
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseSettings {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch (error) {
    throw new ConfigError(['DATABASE_URL is not a URL (mysql://user:password@host:port/database).'], {
      cause: error,
    });
  }
  const problems: string[] = [];
  if (url.protocol !== 'mysql:')
    problems.push('DATABASE_URL must start with mysql:// (mysql://user:password@host:port/database).');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(database)) {
    problems.push(
      `DATABASE_URL names the database "${database}"; use 1-64 letters, digits, "_", "$" or "-" (mysql://user:password@host:port/database).`,
    );
  }
  const ssl = url.searchParams.get('ssl');
  if (ssl !== null && !['rds', 'true', 'false'].includes(ssl)) {
    problems.push(
      `DATABASE_URL has ssl=${ssl}; use ssl=rds (TLS with the Amazon RDS CA bundle) or leave it out.`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    database,
    tls: ssl === 'rds' || ssl === 'true',
  };
}

/** `host:port/database`, safe for messages. */
export function labelOf(settings: DatabaseSettings): string {
  return `${settings.host}:${settings.port}/${settings.database}`;
}

/**
 * The password in `databaseUrl`, to keep it out of messages even when the rest of the URL is
 * wrong; undefined when there is none or the text is not a URL. Never throws.
 */
export function databasePasswordOf(databaseUrl: string | undefined): string | undefined {
  if (!databaseUrl) return undefined;
  try {
    return decodeURIComponent(new URL(databaseUrl).password) || undefined;
  } catch {
    return undefined;
  }
}
