import { ConfigError } from '../../lib/errors';
import { createIntercomClient } from '../../lib/intercom/client';
import { openLake } from '../../lib/lake/open-lake';
import { runMain } from '../../lib/run-main';
import { startStream } from './run-stream';

// `npm run stream`: webhooks on 127.0.0.1:$STREAM_PORT -> local Kinesis -> lake events/ and warehouse.
void runMain('stream', async ({ config, log, signal }) => {
  const token = config.intercom.token;
  if (!token) {
    throw new ConfigError([
      'INTERCOM_ACCESS_TOKEN is missing: the stream fetches each notified record from the API. Set it (and INTERCOM_API_URL for a sandbox: npm run sandbox prints both).',
    ]);
  }
  if (!config.webhooks.clientSecret) {
    log.warn('INTERCOM_CLIENT_SECRET is not set: every notification will be refused with 401');
  }
  const client = createIntercomClient({
    baseUrl: config.intercom.apiUrl,
    token,
    apiVersion: config.intercom.apiVersion,
    maxAttempts: config.intercom.maxAttempts,
    logger: log,
    signal,
  });
  const stream = await startStream({
    clientSecret: config.webhooks.clientSecret,
    port: config.webhooks.port,
    streamName: config.webhooks.streamName,
    store: openLake(config.lakeUrl, { s3: config.aws }),
    databaseUrl: config.databaseUrl,
    client,
    log,
    onConsumed: (result, record, appliedAt) => {
      if (result.status === 'rejected') return;
      log.info(
        { ...result, freshnessMs: appliedAt.getTime() - record.arrivedAt.getTime() },
        'notification consumed',
      );
    },
  });
  process.stdout.write(`Webhook receiver listening on ${stream.url}/webhooks/intercom\n`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await stream.close();
  await client.close();
});
