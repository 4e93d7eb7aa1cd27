import { openLake } from '../../lib/lake/open-lake';
import { maskUrl } from '../../lib/redact';
import { runMain } from '../../lib/run-main';
import { parseExtractArgs } from '../extract/extract-args';
import { extractWithConfig } from '../extract/extract-with-config';
import { runIncrementalLoad } from '../load/run-incremental-load';
import { recordsLoaded, runLoad } from '../load/run-load';

// `npm start [-- --mode full|incremental]`: the whole sync, extract then load, ending with a short
// summary; incremental on a lake that already holds a full copy.
void runMain('sync', async (ctx) => {
  const { config, log, signal } = ctx;
  const started = performance.now();
  // Without --mode: incremental when the lake already holds a full copy (and the log says so).
  const extract = await extractWithConfig({
    ...ctx,
    request: parseExtractArgs(process.argv.slice(2), 'auto'),
  });
  const loadOptions = {
    store: openLake(config.lakeUrl, { s3: config.aws }),
    databaseUrl: config.databaseUrl,
    log,
    signal,
  };
  const load =
    extract.mode === 'full'
      ? await runLoad({ ...loadOptions, mode: 'full' })
      : await runIncrementalLoad(loadOptions);
  // The task's Records metric counts both steps: records written to the lake, then rows loaded.
  ctx.metrics.add({ records: recordsLoaded(load) });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [
    '',
    `Sync finished in ${seconds} s${extract.sandbox ? ' (source: the built-in sandbox)' : ''}.`,
    `  lake:        ${extract.lakeUrl} (${extract.mode} run ${extract.manifest?.runId ?? extract.increments?.map((m) => m.runId).join(', ') ?? ''})`,
    `  warehouse:   ${maskUrl(config.databaseUrl)}`,
    ...Object.entries(load.tables).map(([table, rows]) => `  ${table.padEnd(21)} ${rows} rows`),
    `  quarantined: ${load.quarantined}${load.quarantined > 0 ? ' (see the quarantine table)' : ''}`,
    `  written by:  ${load.method === 'load-data' ? 'LOAD DATA LOCAL INFILE' : 'INSERT'}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
});
