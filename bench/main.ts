import { parseArgs } from 'node:util';
import { runExtractBenches } from './extract';

// `npm run bench`: measures against the limits of docs/architecture.md and writes docs/BENCHMARKS.md.
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean' } } });
  const quick = values.quick ?? false;
  if (!values.only || values.only === 'extract') {
    await runExtractBenches(
      quick
        ? {
            speed: [300, 200],
            memory: [
              [1000, 100],
              [3000, 100],
            ],
          }
        : {
            speed: [5000, 4000],
            memory: [
              [10_000, 1000],
              [100_000, 1000],
            ],
          },
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
