import { parseArgs } from 'node:util';
import { runApiBench } from './api';
import { benchExtractMemory, benchOursSpeed } from './extract';
import { runExtractBenches, type ExtractBenchPlan } from './extract-report';
import { runIncrementalBench } from './incremental';
import { runLoadBenches, type LoadBenchPlan } from './load';
import { LakeShelf, type WorkspaceSize } from './lib/lake-shelf';
import { scriptNodeArgs } from './lib/run-measured';
import { timeStep } from './lib/step';
import { runTriggerBench } from './trigger';
import { runWebhookBench, type WebhookBenchPlan } from './webhooks';

/**
 * Workspace sizes of both memory benches, the same for the extract and the load so that the lake the
 * extract memory bench writes at each size is the one the load memory bench reads (bench/lib/lake-shelf.ts).
 * The largest holds ≥ 1,000,000 contacts, 200,000 conversations and 2,000,000 parts (issue #5): the
 * sandbox gives ~8 parts per conversation, and 260,000 conversations give 2,074,377 parts at its seed.
 */
const FULL_MEMORY: WorkspaceSize[] = [
  { contacts: 20_000, conversations: 5000 },
  { contacts: 100_000, conversations: 26_000 },
  { contacts: 1_000_000, conversations: 260_000 },
];
const QUICK_MEMORY: WorkspaceSize[] = [
  { contacts: 1000, conversations: 200 },
  { contacts: 3000, conversations: 600 },
  { contacts: 9000, conversations: 1800 },
];

/** Node's defaults only at the smallest size, where the comparison is cheap; the flags everywhere. */
function extractMemory(sizes: WorkspaceSize[]): ExtractBenchPlan['memory'] {
  return sizes.map((size, index) => ({ ...size, cappedOnly: index > 0 }));
}

// Our extract over ≥ 8 rate-limit windows (~15,000 calls); the comparators over a subset each.
const FULL_EXTRACT: ExtractBenchPlan = {
  speed: {
    contacts: 20_000,
    conversations: 13_000,
    sequential: [600, 150],
    sdk: [6000, 4000],
    'sdk-sequential': [600, 150],
  },
  memory: extractMemory(FULL_MEMORY),
  deployedArgs: scriptNodeArgs('extract'),
};
const QUICK_EXTRACT: ExtractBenchPlan = {
  speed: {
    contacts: 2000,
    conversations: 1500,
    sequential: [150, 30],
    sdk: [1000, 500],
    'sdk-sequential': [150, 30],
  },
  memory: extractMemory(QUICK_MEMORY),
  deployedArgs: scriptNodeArgs('extract'),
};

const FULL_LOAD: LoadBenchPlan = { speed: { contacts: 100_000, conversations: 20_000 }, memory: FULL_MEMORY };
const QUICK_LOAD: LoadBenchPlan = { speed: { contacts: 3000, conversations: 600 }, memory: QUICK_MEMORY };

// `npm run bench`: measures against the limits of docs/architecture.md and writes docs/BENCHMARKS.md.
// Issue 15: 1,000 notifications from 8 concurrent senders.
const WEBHOOKS: WebhookBenchPlan = { notifications: 1000, senders: 8, contacts: 500, conversations: 300 };
const QUICK_WEBHOOKS: WebhookBenchPlan = { notifications: 200, senders: 8, contacts: 100, conversations: 60 };

// `--only extract|load|trigger|api|webhooks|incremental` runs one part; `--quick` runs small sizes; `--out FILE` writes there.
// `--only extract-speed` or `--only extract-memory` with `--contacts N --conversations M` measure our
// extract alone at that workspace shape and print the figures as JSON (no file written).
// Each step logs its duration to stderr (`bench step <name>: <seconds> s`).
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      contacts: { type: 'string' },
      conversations: { type: 'string' },
    },
  });
  if (values.only === 'extract-speed' || values.only === 'extract-memory') {
    const contacts = Number(values.contacts ?? 20_000);
    const conversations = Number(values.conversations ?? 13_000);
    const result =
      values.only === 'extract-speed'
        ? await timeStep('extract/speed', () => benchOursSpeed(contacts, conversations))
        : await timeStep('extract/memory', () =>
            benchExtractMemory(contacts, conversations, scriptNodeArgs('extract')),
          );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const quick = values.quick ?? false;
  const wants = (part: string): boolean => !values.only || values.only === part;
  const started = performance.now();
  // The extract memory bench's lakes, kept for the load memory bench when both run.
  const shelf = wants('extract') && wants('load') ? new LakeShelf() : undefined;
  try {
    if (wants('extract')) {
      await timeStep('extract', () =>
        runExtractBenches(quick ? QUICK_EXTRACT : FULL_EXTRACT, values.out, shelf),
      );
    }
    if (wants('load')) {
      await timeStep('load', () =>
        runLoadBenches(quick ? QUICK_LOAD : FULL_LOAD, { quick, shelf, file: values.out }),
      );
    }
  } finally {
    await shelf?.clear();
  }
  if (wants('trigger') && !quick) await timeStep('trigger', () => runTriggerBench(values.out));
  if (wants('webhooks')) {
    await timeStep('webhooks', () => runWebhookBench(quick ? QUICK_WEBHOOKS : WEBHOOKS, values.out));
  }
  if (wants('api')) await timeStep('api', () => runApiBench({ quick, file: values.out }));
  if (wants('incremental')) {
    const size = quick
      ? { contacts: 3000, conversations: 2000 }
      : { contacts: 20_000, conversations: 20_000 };
    await timeStep('incremental', () => runIncrementalBench(size, values.out));
  }
  process.stderr.write(`bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
