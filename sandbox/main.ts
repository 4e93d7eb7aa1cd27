import { loadSandboxVariables } from '../lib/config';
import { runMain } from '../lib/run-main';
import { parseSandboxArgs, SANDBOX_USAGE } from './cli-options';
import { startSandbox } from './server';
import { startWebhookSender } from './webhook-sender';

// `npm run sandbox`: wiring only; options are parsed in cli-options.ts, behaviour lives in server.ts.
void runMain('sandbox', async ({ log, signal }) => {
  const { options, help, webhooks } = parseSandboxArgs(process.argv.slice(2), loadSandboxVariables());
  if (help) {
    process.stdout.write(`${SANDBOX_USAGE}\n`);
    return;
  }
  const sandbox = await startSandbox(options);
  const { contactCount, conversationCount, adminCount, companyCount, ticketCount } = sandbox.workspace;
  // The token is a random local one that only this process accepts, so printing it is the point.
  process.stdout.write(
    `Intercom sandbox listening on ${sandbox.url} (${contactCount} contacts, ${conversationCount} conversations, ` +
      `${adminCount} admins, ${companyCount} companies, ${ticketCount} tickets)\n` +
      `Run the extract against it with:\n` +
      `  INTERCOM_API_URL=${sandbox.url} INTERCOM_ACCESS_TOKEN=${sandbox.token} npm run extract\n`,
  );
  const sender =
    webhooks && sandbox.live
      ? startWebhookSender({
          live: sandbox.live,
          ...webhooks,
          seed: options.seed,
          onFailure: (topic, status) => log.warn({ topic, status }, 'webhook not accepted'),
        })
      : undefined;
  if (webhooks) {
    process.stdout.write(
      `Sending a signed webhook for every change to ${webhooks.url}` +
        (webhooks.everyMs > 0 ? ` (one change every ${webhooks.everyMs} ms)\n` : '\n'),
    );
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sender?.close();
  if (sender) log.info({ ...sender.stats }, 'webhooks sent');
  await sandbox.close();
  log.info({ requests: sandbox.stats.requests, rateLimited: sandbox.stats.rateLimited }, 'sandbox stopped');
});
