import { runMain } from '../../lib/run-main';
import { extractWithConfig } from './extract-with-config';

// `npm run extract`: Intercom -> lake. Wiring only; the logic is in run-extract.ts.
void runMain('extract', async (ctx) => {
  await extractWithConfig(ctx);
});
