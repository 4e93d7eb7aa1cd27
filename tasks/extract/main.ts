import { runMain } from '../../lib/run-main';
import { parseExtractArgs } from './extract-args';
import { extractWithConfig } from './extract-with-config';

// `npm run extract [-- --mode full|incremental] [--since D --until D]`: Intercom -> lake. Wiring
// only; the logic is in run-extract.ts (full) and run-incremental.ts (incremental, backfill).
void runMain('extract', async (ctx) => {
  await extractWithConfig({ ...ctx, request: parseExtractArgs(process.argv.slice(2)) });
});
