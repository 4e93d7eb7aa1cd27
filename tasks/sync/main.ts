import { openLake } from '../../lib/lake/open-lake';
import { maskUrl } from '../../lib/redact';
import { runMain } from '../../lib/run-main';
import { extractWithConfig } from '../extract/extract-with-config';
import { recordsLoaded, runLoad } from '../load/run-load';

// `npm start`: the whole sync, extract then load, ending with a short summary.
void runMain('sync', async (ctx) => {
  const { config, log, signal } = ctx;
  const started = performance.now();
  const extract = await extractWithConfig(ctx);
  const load = await runLoad({
    store: openLake(config.lakeUrl, { s3: config.aws }),
    databaseUrl: config.databaseUrl,
    mode: 'full',
    log,
    signal,
  });
  // The task's Records metric counts both steps: records written to the lake, then rows loaded.
  ctx.metrics.add({ records: recordsLoaded(load) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [
    '',
    `Sync finished in ${seconds} s${extract.sandbox ? ' (source: the built-in sandbox)' : ''}.`,
    `  lake:        ${extract.lakeUrl} (run ${extract.manifest.runId})`,
    `  warehouse:   ${maskUrl(config.databaseUrl)}`,
    ...Object.entries(load.tables).map(([table, rows]) => `  ${table.padEnd(21)} ${rows} rows`),
    `  quarantined: ${load.quarantined}${load.quarantined > 0 ? ' (see the quarantine table)' : ''}`,
    `  written by:  ${load.method === 'load-data' ? 'LOAD DATA LOCAL INFILE' : 'INSERT'}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
});
