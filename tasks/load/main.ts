import { parseArgs } from 'node:util';
import { ConfigError } from '../../lib/errors';
import { openLake } from '../../lib/lake/open-lake';
import { runMain } from '../../lib/run-main';
import { recordsLoaded, runLoad, type LoadMode } from './run-load';

// `npm run load [-- --mode full|upsert]`: lake -> warehouse.
void runMain('load', async ({ config, log, signal, metrics }) => {
  const summary = await runLoad({
    store: openLake(config.lakeUrl, { s3: config.aws }),
    databaseUrl: config.databaseUrl,
    mode: parseMode(process.argv.slice(2)),
    log,
    signal,
  });
  metrics.add({ records: recordsLoaded(summary) });
  log.info(
    { ...summary.tables, quarantined: summary.quarantined, method: summary.method, lake: summary.lake },
    'load summary',
  );
});

function parseMode(args: string[]): LoadMode {
  let mode: string | undefined;
  try {
    mode = parseArgs({ args, options: { mode: { type: 'string', default: 'full' } } }).values.mode;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message}. Usage: npm run load [-- --mode full|upsert]`], {
      cause: error,
    });
  }
  if (mode !== 'full' && mode !== 'upsert') {
    throw new ConfigError([`--mode is "${mode}"; use --mode full (the default) or --mode upsert.`]);
  }
  return mode;
}
