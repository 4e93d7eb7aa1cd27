import { existsSync } from 'node:fs';
import type { Config } from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';

/** The Intercom API an extract reads: the configured one, or a built-in sandbox started for it. */
export interface Source {
  apiUrl: string;
  token: string;
  /** True when this process started the sandbox itself. */
  sandbox: boolean;
  /** Stops the sandbox when one was started; a no-op otherwise. */
  close(): Promise<void>;
}

/** Environment variables that say the code runs in AWS, where a missing token must never mean "sandbox". */
const AWS_MARKERS = [
  'ECS_CONTAINER_METADATA_URI_V4',
  'ECS_CONTAINER_METADATA_URI',
  'AWS_LAMBDA_FUNCTION_NAME',
];

/**
 * Decide which API to read. With a token: the configured URL. Without one, on a laptop: a sandbox
 * started in this process (docs/architecture.md: "without it the local run uses the sandbox").
 *
 * @throws ConfigError when the token is missing in AWS, or missing for an external sandbox URL.
 */
export async function resolveSource(
  config: Config,
  log: Logger,
  env: Record<string, string | undefined> = process.env,
): Promise<Source> {
  const { token, apiUrl, isSandboxUrl } = config.intercom;
  if (token) return { apiUrl, token, sandbox: false, close: async () => {} };
  if (AWS_MARKERS.some((name) => env[name])) {
    throw new ConfigError([
      'INTERCOM_ACCESS_TOKEN is missing. In AWS it must be injected from Secrets Manager or SSM (see docs/DEPLOY.md); the sandbox only runs locally.',
    ]);
  }
  if (isSandboxUrl && env.INTERCOM_API_URL) {
    throw new ConfigError([
      `INTERCOM_ACCESS_TOKEN is missing for the sandbox at ${apiUrl}. \`npm run sandbox\` prints the token to use.`,
    ]);
  }
  // Loaded lazily so that production runs never load the sandbox code.
  const { startSandbox } = await import('../../sandbox/server');
  const { RECORDED_RECORDS_PATH } = await import('../../sandbox/recorded');
  // The recorded records sit beside the project, never in it: the task image and a lone clone
  // lack them, and `npm start` there still runs on the generated records alone.
  const includeRecorded = existsSync(RECORDED_RECORDS_PATH);
  const sandbox = await startSandbox({
    contacts: numberFrom(env.SANDBOX_CONTACTS),
    conversations: numberFrom(env.SANDBOX_CONVERSATIONS),
    includeRecorded,
  });
  log.info(
    {
      apiUrl: sandbox.url,
      contacts: sandbox.workspace.contactCount,
      conversations: sandbox.workspace.conversationCount,
      recorded: includeRecorded,
    },
    'no INTERCOM_ACCESS_TOKEN: using the built-in sandbox',
  );
  return { apiUrl: sandbox.url, token: sandbox.token, sandbox: true, close: () => sandbox.close() };
}

function numberFrom(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError([`"${value}" is not a whole number of records.`]);
  return n;
}
