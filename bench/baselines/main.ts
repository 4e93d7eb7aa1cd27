import { writeFile } from 'node:fs/promises';
import { openLake } from '../../lib/lake/open-lake';
import { sdkExtract } from './sdk';
import { sequentialExtract } from './sequential';

// A comparator extract in its own process, as our extract runs (bench/extract.ts starts it):
// BASELINE=sequential|sdk|sdk-sequential, the sandbox in INTERCOM_*, the subset in BASELINE_CONTACTS and
// BASELINE_CONVERSATIONS, the run's counts written as JSON to BASELINE_RESULT.
async function main(): Promise<void> {
  const env = process.env;
  const options = {
    baseUrl: env.INTERCOM_API_URL ?? '',
    token: env.INTERCOM_ACCESS_TOKEN ?? '',
    store: openLake(env.LAKE_URL ?? ''),
    runId: env.BASELINE_RUN_ID ?? '',
    contacts: Number(env.BASELINE_CONTACTS),
    conversations: Number(env.BASELINE_CONVERSATIONS),
  };
  const result =
    env.BASELINE === 'sdk'
      ? await sdkExtract(options)
      : env.BASELINE === 'sdk-sequential'
        ? await sdkExtract({ ...options, concurrency: 1 })
        : await sequentialExtract(options);
  await writeFile(env.BASELINE_RESULT ?? '', JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
