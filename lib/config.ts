import { z } from 'zod';
import { ConfigError } from './errors';

/** Intercom's regional API hosts; anything else must be a loopback sandbox. */
export const INTERCOM_REGION_URLS = {
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
} as const;

export const DEFAULTS = {
  INTERCOM_API_URL: INTERCOM_REGION_URLS.us,
  INTERCOM_API_VERSION: '2.14',
  LAKE_URL: './lake',
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/intercom',
  INTERCOM_MAX_ATTEMPTS: 8,
} as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The whole validated configuration; see docs/architecture.md for each variable. */
export interface Config {
  intercom: {
    /** Undefined means "no token": a local run then starts the built-in sandbox. */
    token: string | undefined;
    apiUrl: string;
    apiVersion: string;
    /** True when the URL is a loopback address (the sandbox), false for a real region. */
    isSandboxUrl: boolean;
    /** Attempts per request before a retryable failure becomes fatal. */
    maxAttempts: number;
  };
  lakeUrl: string;
  /** Records per checkpointed extract segment; undefined = the extract's default. */
  extractSegmentRecords: number | undefined;
  databaseUrl: string;
  sentryDsn: string | undefined;
  logLevel: string;
}

const optionalTrimmed = z
  .string()
  .optional()
  .transform((v) => {
    const t = v?.trim();
    return t ? t : undefined;
  });

const schema = z.object({
  INTERCOM_ACCESS_TOKEN: optionalTrimmed,
  INTERCOM_API_URL: optionalTrimmed,
  INTERCOM_API_VERSION: optionalTrimmed,
  LAKE_URL: optionalTrimmed,
  DATABASE_URL: optionalTrimmed,
  SENTRY_DSN: optionalTrimmed,
  LOG_LEVEL: optionalTrimmed,
  INTERCOM_MAX_ATTEMPTS: optionalTrimmed,
  EXTRACT_SEGMENT_RECORDS: optionalTrimmed,
});

function checkApiUrl(raw: string, problems: string[]): { url: string; isSandbox: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    problems.push(
      `INTERCOM_API_URL "${raw}" is not a URL. Use one of ${Object.values(INTERCOM_REGION_URLS).join(', ')}.`,
    );
    return { url: raw, isSandbox: false };
  }
  const url = raw.replace(/\/+$/, '');
  if (LOOPBACK_HOSTS.has(parsed.hostname)) return { url, isSandbox: true };
  const known = Object.values(INTERCOM_REGION_URLS) as string[];
  if (!known.includes(url)) {
    problems.push(
      `INTERCOM_API_URL "${url}" is not an Intercom region. Use ${known.join(' (US), ').replace(/, ([^,]*)$/, ' (EU), $1')} (AU), or a loopback URL for the sandbox.`,
    );
  }
  return { url, isSandbox: false };
}

function checkLakeUrl(raw: string, problems: string[]): void {
  if (raw.startsWith('s3://')) {
    const bucket = raw.slice('s3://'.length).split('/')[0] ?? '';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      problems.push(`LAKE_URL "${raw}" does not name a valid S3 bucket (s3://bucket[/prefix]).`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    problems.push(`LAKE_URL "${raw}" must be s3://bucket[/prefix] or a folder path.`);
  }
}

function checkDatabaseUrl(raw: string, problems: string[]): void {
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'mysql:') {
      problems.push('DATABASE_URL must start with mysql:// (mysql://user:password@host:port/database).');
    } else if (!parsed.pathname.replace(/^\//, '')) {
      problems.push('DATABASE_URL names no database (mysql://user:password@host:port/database).');
    }
  } catch {
    // Never echo the value: it may hold a password.
    problems.push('DATABASE_URL is not a URL (mysql://user:password@host:port/database).');
  }
}

/**
 * Parse and validate the environment once.
 *
 * @throws ConfigError listing every problem in plain words.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.parse(env);
  const problems: string[] = [];

  const api = checkApiUrl(parsed.INTERCOM_API_URL ?? DEFAULTS.INTERCOM_API_URL, problems);
  const apiVersion = parsed.INTERCOM_API_VERSION ?? DEFAULTS.INTERCOM_API_VERSION;
  if (!/^(\d+\.\d+|Unstable)$/.test(apiVersion)) {
    problems.push(`INTERCOM_API_VERSION "${apiVersion}" is not an Intercom API version such as 2.14.`);
  }
  const token = parsed.INTERCOM_ACCESS_TOKEN;
  if (token && /\s/.test(token)) {
    problems.push('INTERCOM_ACCESS_TOKEN contains white space; paste the token alone.');
  }
  if (!token && parsed.INTERCOM_API_URL && !api.isSandbox) {
    problems.push(
      `INTERCOM_ACCESS_TOKEN is missing for ${api.url}. Create an access token in the Intercom Developer Hub and set it (in AWS, through Secrets Manager).`,
    );
  }
  const maxAttempts = Number(parsed.INTERCOM_MAX_ATTEMPTS ?? DEFAULTS.INTERCOM_MAX_ATTEMPTS);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 50) {
    problems.push(
      `INTERCOM_MAX_ATTEMPTS "${parsed.INTERCOM_MAX_ATTEMPTS}" must be a whole number from 1 to 50.`,
    );
  }
  const segmentText = parsed.EXTRACT_SEGMENT_RECORDS;
  const extractSegmentRecords = segmentText === undefined ? undefined : Number(segmentText);
  if (
    extractSegmentRecords !== undefined &&
    (!Number.isInteger(extractSegmentRecords) || extractSegmentRecords < 1)
  ) {
    problems.push(`EXTRACT_SEGMENT_RECORDS "${segmentText}" is not a whole number of records of at least 1.`);
  }
  const lakeUrl = parsed.LAKE_URL ?? DEFAULTS.LAKE_URL;
  checkLakeUrl(lakeUrl, problems);
  const databaseUrl = parsed.DATABASE_URL ?? DEFAULTS.DATABASE_URL;
  checkDatabaseUrl(databaseUrl, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    intercom: { token, apiUrl: api.url, apiVersion, isSandboxUrl: api.isSandbox, maxAttempts },
    lakeUrl,
    extractSegmentRecords,
    databaseUrl,
    sentryDsn: parsed.SENTRY_DSN,
    logLevel: parsed.LOG_LEVEL ?? 'info',
  };
}
