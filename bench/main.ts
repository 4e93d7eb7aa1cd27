import { parseArgs } from 'node:util';
import { runExtractBenches, type ExtractBenchPlan } from './extract-report';
import { runLoadBenches } from './load';
import { scriptNodeArgs } from './lib/run-measured';
import { runTriggerBench } from './trigger';

const QUICK: ExtractBenchPlan = {
  speed: { contacts: 2000, conversations: 1500, sequential: [150, 30], sdk: [1000, 500] },
  memory: [
    { contacts: 1000, conversations: 200 },
    { contacts: 3000, conversations: 600 },
  ],
  deployedArgs: scriptNodeArgs('extract'),
};

// Our extract over ≥ 8 rate-limit windows (~15,000 calls); the comparators over a subset each.
// Memory at the load bench's sizes, the largest 1M contacts / 240k conversations / ~2M parts, which
// takes ~3 minutes per run: there it runs once, with the flags of `npm run extract` (as deployed).
const FULL: ExtractBenchPlan = {
  speed: { contacts: 20_000, conversations: 13_000, sequential: [600, 150], sdk: [6000, 4000] },
  memory: [
    { contacts: 10_000, conversations: 2400 },
    { contacts: 100_000, conversations: 24_000 },
    { contacts: 1_000_000, conversations: 240_000, cappedOnly: true },
  ],
  deployedArgs: scriptNodeArgs('extract'),
};

// `npm run bench`: measures against the limits of docs/architecture.md and writes docs/BENCHMARKS.md.
// `--only extract|load|trigger` runs one part; `--quick` runs small sizes; `--out FILE` writes there.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, quick: { type: 'boolean' }, out: { type: 'string' } },
  });
  const quick = values.quick ?? false;
  const wants = (part: string): boolean => !values.only || values.only === part;
  const started = performance.now();
  if (wants('extract')) await runExtractBenches(quick ? QUICK : FULL, values.out);
  if (wants('load')) await runLoadBenches({ quick });
  if (wants('trigger') && !quick) await runTriggerBench(values.out);
  process.stderr.write(`bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
