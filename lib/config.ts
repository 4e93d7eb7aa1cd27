import { createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { ConfigError } from './errors';
import { loadEcsLauncherConfig, type EcsLauncherConfig } from './launcher/ecs-config';
import { localTaskEnv } from './launcher/local-launcher';
import { lakeUrlProblem } from './lake/s3-url';
import { databasePasswordOf, parseDatabaseUrl } from './warehouse/database-url';

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
  STREAM_PORT: 8788,
  EVENTS_STREAM_NAME: 'intercom-events',
  INTERCOM_MAX_ATTEMPTS: 8,
  API_PORT: 8787,
  IMPORT_SCHEMAS: 'intercom_imports',
  REPORT_URL_EXPIRES_S: 86_400,
  REFINE_MEMORY_LIMIT: '1GB',
  REFINE_THREADS: 2,
} as const;

/** Longest `REPORT_URL_EXPIRES_S`: S3 refuses presigned URLs valid for more than 7 days. */
export const MAX_REPORT_URL_EXPIRES_S = 604_800;
/** Shortest `API_TOKEN` and `REPORT_LINK_KEY` accepted: anything shorter is guessable. */
const MIN_SECRET_LENGTH = 16;
/** Import database names follow the same rule as the table names of `POST /imports`. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,63}$/;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** A process environment, or the plain object a test passes instead. */
export type Env = Record<string, string | undefined>;

/** pino's levels; `LOG_LEVEL` must be one of them. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Variables that say the code runs in AWS (Fargate or Lambda), where a missing token must never mean "sandbox". */
const AWS_MARKERS = [
  'ECS_CONTAINER_METADATA_URI_V4',
  'ECS_CONTAINER_METADATA_URI',
  'AWS_LAMBDA_FUNCTION_NAME',
];

/** What logs, Sentry and metrics need; read before the rest so a configuration error is reported too. */
export interface MonitoringConfig {
  /** `LOG_LEVEL`, `info` when unset or not a pino level (loadConfig reports the latter). */
  logLevel: string;
  /** `SENTRY_DSN`: errors go to Sentry when set. */
  sentryDsn: string | undefined;
  /** `SENTRY_ENVIRONMENT`, e.g. the deploy stage. */
  sentryEnvironment: string | undefined;
  /** True inside Lambda or ECS (`AWS_EXECUTION_ENV`): CloudWatch metrics are written as EMF lines. */
  emitMetrics: boolean;
  /** The Intercom token and the database password, to keep out of every message and report. */
  secrets: (string | undefined)[];
}

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
  /** Where an `s3://` lake is served from: `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`). */
  aws: { region: string | undefined; endpoint: string | undefined };
  /** True in Fargate or Lambda: a missing token is then an error, never the sandbox. */
  runsInAws: boolean;
  /**
   * Webhooks (docs/REALTIME.md): `INTERCOM_CLIENT_SECRET` (the app's client secret; undefined:
   * every notification is refused), `STREAM_PORT` (where `npm run stream` listens) and
   * `EVENTS_STREAM_NAME` (the Kinesis stream notifications go on).
   */
  webhooks: { clientSecret: string | undefined; port: number; streamName: string };
  /** Size of the built-in sandbox (`SANDBOX_CONTACTS`, `SANDBOX_CONVERSATIONS`); undefined = its default. */
  sandbox: { contacts: number | undefined; conversations: number | undefined };
  /** The refine's DuckDB: `REFINE_MEMORY_LIMIT` (default 1GB), `REFINE_THREADS` (default 2), `REFINE_WORK_DIR` (default the OS temp folder). */
  refine: {
    memoryLimit: string;
    threads: number;
    workDir: string | undefined;
    /** `ATHENA_WORKGROUP` and `GLUE_DATABASE`: where `--engine athena` runs the gold queries (set by serverless.yml). */
    athena: { workgroup: string | undefined; database: string | undefined };
  };
  monitoring: MonitoringConfig;
}

/** Where the trigger starts tasks: ECS RunTask with the stack's settings, or child processes here. */
export type LauncherConfig =
  | { kind: 'ecs'; ecs: EcsLauncherConfig }
  | {
      kind: 'local';
      /** The children's environment: this one less the Lambda runtime's variables. */ taskEnv: Env;
    };

/** The trigger Lambda's configuration (it runs no extract or load itself). */
export interface TriggerConfig {
  monitoring: MonitoringConfig;
  launcher: LauncherConfig;
}

const optionalTrimmed = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined) => {
    const t = v?.trim();
    return t ? t : undefined;
  }),
);

const schema = z.object({
  INTERCOM_ACCESS_TOKEN: optionalTrimmed,
  INTERCOM_API_URL: optionalTrimmed,
  INTERCOM_API_VERSION: optionalTrimmed,
  LAKE_URL: optionalTrimmed,
  DATABASE_URL: optionalTrimmed,
  SENTRY_DSN: optionalTrimmed,
  SENTRY_ENVIRONMENT: optionalTrimmed,
  LOG_LEVEL: optionalTrimmed,
  INTERCOM_MAX_ATTEMPTS: optionalTrimmed,
  EXTRACT_SEGMENT_RECORDS: optionalTrimmed,
  INTERCOM_CLIENT_SECRET: optionalTrimmed,
  STREAM_PORT: optionalTrimmed,
  EVENTS_STREAM_NAME: optionalTrimmed,
  AWS_REGION: optionalTrimmed,
  AWS_DEFAULT_REGION: optionalTrimmed,
  AWS_ENDPOINT_URL_S3: optionalTrimmed,
  AWS_ENDPOINT_URL: optionalTrimmed,
  AWS_EXECUTION_ENV: optionalTrimmed,
  SANDBOX_CONTACTS: optionalTrimmed,
  SANDBOX_CONVERSATIONS: optionalTrimmed,
  TRIGGER_LAUNCHER: optionalTrimmed,
  API_PORT: optionalTrimmed,
  API_TOKEN: optionalTrimmed,
  IMPORT_SCHEMAS: optionalTrimmed,
  REPORT_URL_EXPIRES_S: optionalTrimmed,
  REPORT_LINK_KEY: optionalTrimmed,
  DATABASE_URL_SECRET_ARN: optionalTrimmed,
  REFINE_MEMORY_LIMIT: optionalTrimmed,
  REFINE_THREADS: optionalTrimmed,
  REFINE_WORK_DIR: optionalTrimmed,
  ATHENA_WORKGROUP: optionalTrimmed,
  GLUE_DATABASE: optionalTrimmed,
});

type Parsed = z.infer<typeof schema>;

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
  const known: string[] = Object.values(INTERCOM_REGION_URLS);
  if (!known.includes(url)) {
    problems.push(
      `INTERCOM_API_URL "${url}" is not an Intercom region. Use ${regionChoices()}, or a loopback URL for the sandbox.`,
    );
  }
  return { url, isSandbox: false };
}

/** "https://api.intercom.io (US), https://api.eu.intercom.io (EU) or https://api.au.intercom.io (AU)". */
function regionChoices(): string {
  const named = Object.entries(INTERCOM_REGION_URLS).map(
    ([region, url]) => `${url} (${region.toUpperCase()})`,
  );
  return `${named.slice(0, -1).join(', ')} or ${named.at(-1)}`;
}

function checkDatabaseUrl(raw: string, problems: string[]): void {
  try {
    parseDatabaseUrl(raw);
  } catch (error) {
    // Its messages never repeat the URL, which may hold a password.
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }
}

/** A whole number of at least `min`, or undefined when unset; a problem otherwise. */
function wholeNumber(
  name: string,
  text: string | undefined,
  min: number,
  problems: string[],
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    problems.push(`${name} "${text}" is not a whole number of at least ${min}.`);
    return undefined;
  }
  return n;
}

function monitoringOf(parsed: Parsed): MonitoringConfig {
  const level = parsed.LOG_LEVEL?.toLowerCase();
  return {
    logLevel: level && LOG_LEVELS.includes(level) ? level : 'info',
    sentryDsn: parsed.SENTRY_DSN,
    sentryEnvironment: parsed.SENTRY_ENVIRONMENT,
    emitMetrics: Boolean(parsed.AWS_EXECUTION_ENV),
    secrets: [
      parsed.INTERCOM_ACCESS_TOKEN,
      databasePasswordOf(parsed.DATABASE_URL),
      parsed.INTERCOM_CLIENT_SECRET,
    ],
  };
}

/**
 * Read what logs, Sentry and metrics need; lenient, so that the error of a bad configuration can
 * still be logged and reported.
 *
 * @throws never.
 */
export function loadMonitoringConfig(env: Env = process.env): MonitoringConfig {
  return monitoringOf(schema.parse(env));
}

/**
 * Read the trigger's configuration: `TRIGGER_LAUNCHER=local` runs tasks as child processes on this
 * machine (`sls invoke local`), anything else calls ECS with the stack's settings.
 *
 * @throws ConfigError when the launcher is unknown, or the ECS settings are missing or malformed.
 */
export function loadTriggerConfig(env: Env = process.env): TriggerConfig {
  const parsed = schema.parse(env);
  const kind = parsed.TRIGGER_LAUNCHER?.toLowerCase() ?? 'ecs';
  const monitoring = monitoringOf(parsed);
  if (kind === 'local') return { monitoring, launcher: { kind: 'local', taskEnv: localTaskEnv(env) } };
  if (kind !== 'ecs') {
    throw new ConfigError([`TRIGGER_LAUNCHER is "${kind}"; use "local" or leave it unset for ECS.`]);
  }
  return { monitoring, launcher: { kind: 'ecs', ecs: loadEcsLauncherConfig(env) } };
}

/**
 * Parse and validate the environment once.
 *
 * @throws ConfigError listing every problem in plain words.
 */
export function loadConfig(env: Env = process.env): Config {
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
  const lakeProblem = lakeUrlProblem(lakeUrl);
  if (lakeProblem) problems.push(lakeProblem);
  if (parsed.LOG_LEVEL && !LOG_LEVELS.includes(parsed.LOG_LEVEL.toLowerCase())) {
    problems.push(`LOG_LEVEL "${parsed.LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}.`);
  }
  const sandbox = {
    contacts: wholeNumber('SANDBOX_CONTACTS', parsed.SANDBOX_CONTACTS, 0, problems),
    conversations: wholeNumber('SANDBOX_CONVERSATIONS', parsed.SANDBOX_CONVERSATIONS, 0, problems),
  };
  const databaseUrl = parsed.DATABASE_URL ?? DEFAULTS.DATABASE_URL;
  checkDatabaseUrl(databaseUrl, problems);
  const streamPort = wholeNumber('STREAM_PORT', parsed.STREAM_PORT, 0, problems);
  if (streamPort !== undefined && streamPort > 65_535) {
    problems.push(`STREAM_PORT "${parsed.STREAM_PORT}" is not a port number (0 to 65535).`);
  }
  const streamName = parsed.EVENTS_STREAM_NAME ?? DEFAULTS.EVENTS_STREAM_NAME;
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(streamName)) {
    problems.push(
      `EVENTS_STREAM_NAME "${streamName}" is not a Kinesis stream name (1 to 128 letters, digits, _ . -).`,
    );
  }
  const memoryLimit = parsed.REFINE_MEMORY_LIMIT ?? DEFAULTS.REFINE_MEMORY_LIMIT;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) {
    problems.push(`REFINE_MEMORY_LIMIT "${memoryLimit}" is not a size such as 1GB or 512MB.`);
  }
  const refineThreads =
    wholeNumber('REFINE_THREADS', parsed.REFINE_THREADS, 1, problems) ?? DEFAULTS.REFINE_THREADS;

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    intercom: { token, apiUrl: api.url, apiVersion, isSandboxUrl: api.isSandbox, maxAttempts },
    lakeUrl,
    extractSegmentRecords,
    databaseUrl,
    aws: {
      region: parsed.AWS_REGION ?? parsed.AWS_DEFAULT_REGION,
      endpoint: parsed.AWS_ENDPOINT_URL_S3 ?? parsed.AWS_ENDPOINT_URL,
    },
    runsInAws: AWS_MARKERS.some((name) => Boolean(env[name]?.trim())),
    webhooks: {
      clientSecret: parsed.INTERCOM_CLIENT_SECRET,
      port: streamPort ?? DEFAULTS.STREAM_PORT,
      streamName,
    },
    sandbox,
    refine: {
      memoryLimit,
      threads: refineThreads,
      workDir: parsed.REFINE_WORK_DIR,
      athena: { workgroup: parsed.ATHENA_WORKGROUP, database: parsed.GLUE_DATABASE },
    },
    monitoring: monitoringOf(parsed),
  };
}

/**
 * The `SANDBOX_*` variables, for `npm run sandbox`, whose flags each read one of them
 * (sandbox/cli-options.ts validates them with the flags).
 *
 * @throws never.
 */
export function loadSandboxVariables(env: Env = process.env): Env {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('SANDBOX_')));
}

/** How the API checks who calls it. */
export type ApiAuth =
  /** Locally: every request carries `Authorization: Bearer <API_TOKEN>`. */
  | { kind: 'bearer'; token: string }
  /** In AWS: API Gateway already verified the SigV4 signature against IAM before the Lambda runs. */
  | { kind: 'iam' };

/** The warehouse API's configuration (`npm run api` and the API Lambda). */
export interface ApiConfig {
  /** `API_PORT`: the local server listens on 127.0.0.1 on it. */
  port: number;
  auth: ApiAuth;
  /** `IMPORT_SCHEMAS`: the databases `POST /imports` may write to; the first is the default. */
  importSchemas: string[];
  /** `REPORT_URL_EXPIRES_S`: how long a report link works. */
  reportUrlExpiresS: number;
  /**
   * Key that signs the report links a folder lake serves: `REPORT_LINK_KEY`, or derived from
   * `API_TOKEN` when unset; undefined when neither is set (an S3 lake presigns instead).
   */
  reportLinkKey: Buffer | undefined;
  lakeUrl: string;
  /** Undefined in Lambda when `DATABASE_URL_SECRET_ARN` names the secret to read it from. */
  databaseUrl: string | undefined;
  /** `DATABASE_URL_SECRET_ARN`: the Secrets Manager secret holding `DATABASE_URL` (Lambda). */
  databaseUrlSecretArn: string | undefined;
  aws: { region: string | undefined; endpoint: string | undefined };
  monitoring: MonitoringConfig;
}

/**
 * Read the API's configuration. `runtime: 'local'` (`npm run api`) requires `API_TOKEN`;
 * `'lambda'` trusts API Gateway's IAM authorization and takes the database URL from
 * `DATABASE_URL_SECRET_ARN` when it is set.
 *
 * @throws ConfigError listing every problem: a missing or short token, a bad port or expiry, an
 *   import database that is not a plain name or is the sync's own database.
 */
export function loadApiConfig(env: Env = process.env, runtime: 'local' | 'lambda' = 'local'): ApiConfig {
  const parsed = schema.parse(env);
  const problems: string[] = [];
  const port = wholeNumber('API_PORT', parsed.API_PORT, 1, problems) ?? DEFAULTS.API_PORT;
  if (port > 65_535) problems.push(`API_PORT "${parsed.API_PORT}" is above 65535.`);
  const token = parsed.API_TOKEN;
  if (runtime === 'local' && !token) {
    problems.push(
      'API_TOKEN is missing. Set it to a long random string (for example: openssl rand -hex 32); clients send it as "Authorization: Bearer <API_TOKEN>".',
    );
  } else if (token && (token.length < MIN_SECRET_LENGTH || /\s/.test(token))) {
    problems.push(`API_TOKEN must be at least ${MIN_SECRET_LENGTH} characters without white space.`);
  }
  const linkKey = parsed.REPORT_LINK_KEY;
  if (linkKey && linkKey.length < MIN_SECRET_LENGTH) {
    problems.push(`REPORT_LINK_KEY must be at least ${MIN_SECRET_LENGTH} characters.`);
  }
  const expires =
    wholeNumber('REPORT_URL_EXPIRES_S', parsed.REPORT_URL_EXPIRES_S, 1, problems) ??
    DEFAULTS.REPORT_URL_EXPIRES_S;
  if (expires > MAX_REPORT_URL_EXPIRES_S) {
    problems.push(
      `REPORT_URL_EXPIRES_S "${parsed.REPORT_URL_EXPIRES_S}" is above ${MAX_REPORT_URL_EXPIRES_S} (7 days), the longest an S3 presigned URL lasts.`,
    );
  }
  const secretArn = runtime === 'lambda' ? parsed.DATABASE_URL_SECRET_ARN : undefined;
  const databaseUrl = secretArn ? parsed.DATABASE_URL : (parsed.DATABASE_URL ?? DEFAULTS.DATABASE_URL);
  if (databaseUrl) checkDatabaseUrl(databaseUrl, problems);
  const syncDatabase = databaseUrl ? safeDatabaseName(databaseUrl) : undefined;
  const importSchemas = (parsed.IMPORT_SCHEMAS ?? DEFAULTS.IMPORT_SCHEMAS)
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (importSchemas.length === 0) problems.push('IMPORT_SCHEMAS is empty; name at least one database.');
  for (const name of importSchemas) {
    if (!SCHEMA_NAME.test(name)) {
      problems.push(`IMPORT_SCHEMAS names "${name}", which is not a database name matching ${SCHEMA_NAME}.`);
    } else if (name === syncDatabase) {
      problems.push(
        `IMPORT_SCHEMAS names "${name}", the sync's own database (DATABASE_URL); imports go to a database of their own, such as intercom_imports.`,
      );
    }
  }
  const lakeUrl = parsed.LAKE_URL ?? DEFAULTS.LAKE_URL;
  const lakeProblem = lakeUrlProblem(lakeUrl);
  if (lakeProblem) problems.push(lakeProblem);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    auth: runtime === 'lambda' ? { kind: 'iam' } : { kind: 'bearer', token: token as string },
    importSchemas,
    reportUrlExpiresS: expires,
    reportLinkKey: linkKey
      ? Buffer.from(linkKey, 'utf8')
      : token
        ? createHmac('sha256', token).update('intercom-lake-sync report links').digest()
        : undefined,
    lakeUrl,
    databaseUrl,
    databaseUrlSecretArn: secretArn,
    aws: {
      region: parsed.AWS_REGION ?? parsed.AWS_DEFAULT_REGION,
      endpoint: parsed.AWS_ENDPOINT_URL_S3 ?? parsed.AWS_ENDPOINT_URL,
    },
    monitoring: {
      ...monitoringOf(parsed),
      secrets: [...monitoringOf(parsed).secrets, token, linkKey],
    },
  };
}

/** The database a URL names, or undefined when it does not parse (its problem is reported apart). */
function safeDatabaseName(databaseUrl: string): string | undefined {
  try {
    return parseDatabaseUrl(databaseUrl).database;
  } catch {
    return undefined;
  }
}

/** Variables a Lambda gets as Secrets Manager ARNs (`<NAME>_ARN`), resolved before {@link loadConfig}. */
const SECRET_VARIABLES = ['INTERCOM_CLIENT_SECRET', 'INTERCOM_ACCESS_TOKEN', 'DATABASE_URL'] as const;

/**
 * The environment, and which of its secrets are to be read from Secrets Manager: a Lambda cannot
 * have a secret injected as a variable, so serverless.yml gives it `INTERCOM_CLIENT_SECRET_ARN`
 * (and the like) instead, and the handler reads each value once per container.
 *
 * @returns `env` (a copy) and `refs`: variable name -> secret ARN, for each `<NAME>_ARN` set
 *   whose `<NAME>` is not set already.
 * @throws never.
 */
export function loadSecretReferences(env: Env = process.env): { env: Env; refs: Record<string, string> } {
  const refs: Record<string, string> = {};
  for (const name of SECRET_VARIABLES) {
    const arn = env[`${name}_ARN`]?.trim();
    if (arn && !env[name]?.trim()) refs[name] = arn;
  }
  return { env: { ...env }, refs };
}
