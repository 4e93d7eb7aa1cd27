import { ConfigError } from '../../lib/errors';
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
  const stream = await startStream({
    clientSecret: config.webhooks.clientSecret,
    port: config.webhooks.port,
    streamName: config.webhooks.streamName,
    store: openLake(config.lakeUrl, { s3: config.aws }),
    databaseUrl: config.databaseUrl,
    // The consumer runs in a worker thread so that its work never delays the receiver's answers.
    consumerWorker: {
      intercom: {
        apiUrl: config.intercom.apiUrl,
        token,
        apiVersion: config.intercom.apiVersion,
        maxAttempts: config.intercom.maxAttempts,
      },
      logLevel: config.monitoring.logLevel,
    },
    log,
  });
  process.stdout.write(`Webhook receiver listening on ${stream.url}/webhooks/intercom\n`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await stream.close();
});
