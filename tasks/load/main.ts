import { parseArgs } from 'node:util';
import { ConfigError } from '../../lib/errors';
import { openLake } from '../../lib/lake/open-lake';
import { runMain } from '../../lib/run-main';
import { runIncrementalLoad } from './run-incremental-load';
import { recordsLoaded, runLoad, type LoadMode } from './run-load';

// `npm run load [-- --mode full|upsert|incremental]`: lake -> warehouse.
void runMain('load', async ({ config, log, signal, metrics }) => {
  const mode = parseMode(process.argv.slice(2));
  const options = {
    store: openLake(config.lakeUrl, { s3: config.aws }),
    databaseUrl: config.databaseUrl,
    log,
    signal,
  };
  const summary =
    mode === 'incremental' ? await runIncrementalLoad(options) : await runLoad({ ...options, mode });
  metrics.add({ records: recordsLoaded(summary) });
  log.info(
    { ...summary.tables, quarantined: summary.quarantined, method: summary.method, lake: summary.lake },
    'load summary',
  );
});

function parseMode(args: string[]): LoadMode | 'incremental' {
  let mode: string | undefined;
  try {
    mode = parseArgs({ args, options: { mode: { type: 'string', default: 'full' } } }).values.mode;
  } catch (error) {
    throw new ConfigError(
      [`${(error as Error).message}. Usage: npm run load [-- --mode full|upsert|incremental]`],
      {
        cause: error,
      },
    );
  }
  if (mode !== 'full' && mode !== 'upsert' && mode !== 'incremental') {
    throw new ConfigError([
      `--mode is "${mode}"; use --mode full (the default), --mode upsert or --mode incremental.`,
    ]);
  }
  return mode;
}
