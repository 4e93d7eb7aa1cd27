import { loadSandboxVariables } from '../lib/config';
import { runMain } from '../lib/run-main';
import { parseSandboxArgs, SANDBOX_USAGE } from './cli-options';
import { startSandbox } from './server';

// `npm run sandbox`: wiring only; options are parsed in cli-options.ts, behaviour lives in server.ts.
void runMain('sandbox', async ({ log, signal }) => {
  const { options, help } = parseSandboxArgs(process.argv.slice(2), loadSandboxVariables());
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
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  log.info({ requests: sandbox.stats.requests, rateLimited: sandbox.stats.rateLimited }, 'sandbox stopped');
});
