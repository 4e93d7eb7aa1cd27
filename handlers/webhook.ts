import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { loadConfig, loadMonitoringConfig, loadSecretReferences } from '../lib/config';
import { createEventPublisher, createKinesisClient } from '../lib/events/kinesis';
import { createReceiverApp } from '../lib/events/receiver';
import { createLogger } from '../lib/logger';
import { resolveSecrets } from '../lib/secrets';

// Built once per Lambda container: the client secret is read from Secrets Manager on the first
// request, then reused by every warm invocation.
const monitoring = loadMonitoringConfig();
const log = createLogger({ level: monitoring.logLevel });
let app: Promise<Hono> | undefined;

async function buildApp(): Promise<Hono> {
  const { env, refs } = loadSecretReferences();
  const config = loadConfig(await resolveSecrets(env, refs, new SecretsManagerClient({})));
  const kinesis = createKinesisClient({ region: config.aws.region });
  return createReceiverApp({
    clientSecret: config.webhooks.clientSecret,
    log,
    publish: createEventPublisher(kinesis, config.webhooks.streamName),
  });
}

/**
 * Lambda Function URL entrypoint (AuthType NONE: the HMAC signature is the authentication):
 * POST /webhooks/intercom verifies, puts the notification on Kinesis and answers; see
 * lib/events/receiver.ts for every answer.
 */
export async function handler(event: Parameters<ReturnType<typeof handle>>[0], context?: unknown) {
  app ??= buildApp().catch((error: unknown) => {
    app = undefined;
    throw error;
  });
  return handle(await app)(event, context as Parameters<ReturnType<typeof handle>>[1]);
}
