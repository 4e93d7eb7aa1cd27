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

/**
 * Decide which API to read. With a token: the configured URL. Without one, on a laptop: a sandbox
 * started in this process (docs/architecture.md: "without it the local run uses the sandbox").
 *
 * @throws ConfigError when the token is missing in AWS, or missing for an external sandbox URL.
 */
export async function resolveSource(config: Config, log: Logger): Promise<Source> {
  const { token, apiUrl, isSandboxUrl } = config.intercom;
  if (token) return { apiUrl, token, sandbox: false, close: async () => {} };
  if (config.runsInAws) {
    throw new ConfigError([
      'INTERCOM_ACCESS_TOKEN is missing. In AWS it must be injected from Secrets Manager or SSM (see docs/DEPLOY.md); the sandbox only runs locally.',
    ]);
  }
  // A loopback URL is never the default, so it was set on purpose: an external sandbox.
  if (isSandboxUrl) {
    throw new ConfigError([
      `INTERCOM_ACCESS_TOKEN is missing for the sandbox at ${apiUrl}. \`npm run sandbox\` prints the token to use.`,
    ]);
  }
  // Loaded lazily so that production runs never load the sandbox code.
  const { startSandbox } = await import('../../sandbox/server');
  const sandbox = await startSandbox(config.sandbox);
  log.info(
    {
      apiUrl: sandbox.url,
      contacts: sandbox.workspace.contactCount,
      conversations: sandbox.workspace.conversationCount,
    },
    'no INTERCOM_ACCESS_TOKEN: using the built-in sandbox',
  );
  return { apiUrl: sandbox.url, token: sandbox.token, sandbox: true, close: () => sandbox.close() };
}
