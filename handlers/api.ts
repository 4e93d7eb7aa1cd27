import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Hono } from 'hono';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { buildApiApp } from '../lib/api/app';
import { readDatabaseUrlSecret } from '../lib/api/database-secret';
import { openApiDependencies } from '../lib/api/open-api-dependencies';
import { loadApiConfig, loadMonitoringConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { redactSecrets } from '../lib/redact';

const monitoring = loadMonitoringConfig();
const log = createLogger({ level: monitoring.logLevel });
// Built on the first request and reused by every warm one; forgotten when building failed, so the
// next request tries again (a secret set after the deploy, a database that was starting).
let app: Promise<Hono> | undefined;

async function buildApp(): Promise<Hono> {
  const config = loadApiConfig(undefined, 'lambda');
  const databaseUrl =
    config.databaseUrl ??
    (await readDatabaseUrlSecret(new SecretsManagerClient({}), config.databaseUrlSecretArn as string));
  const opened = await openApiDependencies(config, databaseUrl, { log });
  return buildApiApp(opened.deps);
}

/**
 * Lambda entrypoint behind the API Gateway HTTP API (IAM authorization): the same Hono app as
 * `npm run api`. A configuration or connection failure is answered as a 500 and logged once.
 */
export async function handler(event: LambdaEvent, context: LambdaContext): Promise<unknown> {
  let ready: Hono;
  try {
    ready = await (app ??= buildApp());
  } catch (error) {
    app = undefined;
    const message = error instanceof Error ? error.message : String(error);
    log.error(
      { err: error instanceof Error ? error.name : 'Error' },
      redactSecrets(message, monitoring.secrets),
    );
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'The API could not start; its log says why.' }),
    };
  }
  return handle(ready)(event, context);
}
