import {
  benchExtractMemory,
  benchExtractSpeed,
  CALLS_PER_WINDOW,
  FLOOR_CALLS_PER_S,
  REALISTIC_LATENCY,
  WINDOW_MS,
  type ExtractMemoryResult,
  type ExtractSpeedResult,
  type SpeedSizes,
} from './extract';
import { MEMORY_SEED } from './lib/load-lake';
import type { LakeShelf } from './lib/lake-shelf';
import { machineLine, table, writeSection } from './lib/report';
import { timeStep } from './lib/step';

/** The sizes one `npm run bench` measures the extract at. */
export interface ExtractBenchPlan {
  speed: SpeedSizes;
  /**
   * Each size is run once per entry of `[defaults, deployedArgs]` unless `cappedOnly`, then only with
   * `deployedArgs` (the full plan compares with the defaults at its smallest size only, where it is cheap).
   */
  memory: { contacts: number; conversations: number; cappedOnly?: boolean }[];
  /** Node flags of `npm run extract`, as deployed (the container runs that script). */
  deployedArgs: string[];
}

const n = (x: number): string => x.toLocaleString('en-US');

/**
 * Run the extract benches (speed and memory), print each figure as it comes, and write the
 * `## Extract` section of `file` (docs/BENCHMARKS.md by default). With `shelf`, the lake of each
 * memory size's run with `deployedArgs` is kept there for the load memory bench.
 *
 * @throws Error when a run fails.
 */
export async function runExtractBenches(
  plan: ExtractBenchPlan,
  file?: string,
  shelf?: LakeShelf,
): Promise<void> {
  const speed = await benchExtractSpeed(plan.speed);
  process.stderr.write(`extract speed: ${JSON.stringify(speed)}\n`);
  const memory: ExtractMemoryResult[] = [];
  for (const size of plan.memory) {
    const variants = size.cappedOnly ? [plan.deployedArgs] : [[], plan.deployedArgs];
    for (const nodeArgs of variants) {
      const deployed = nodeArgs === plan.deployedArgs;
      const m = await timeStep(
        `extract/memory/${size.contacts}x${size.conversations}/${deployed ? 'flags' : 'defaults'}`,
        () => benchExtractMemory(size.contacts, size.conversations, nodeArgs, deployed ? shelf : undefined),
      );
      process.stderr.write(`extract memory: ${JSON.stringify(m)}\n`);
      memory.push(m);
    }
  }
  const body = renderExtractSection(plan, speed, memory);
  await writeSection('Extract', body, file);
  process.stdout.write(`\n## Extract\n\n${body}\n`);
}

/** Which sizes also ran with Node's defaults, in words. */
function defaultsNote(plan: ExtractBenchPlan): string {
  const sizes = plan.memory.filter((size) => !size.cappedOnly).map((size) => n(size.contacts));
  if (sizes.length === 0) return '';
  if (sizes.length === plan.memory.length) return ', and with Node defaults';
  return `, and with Node defaults at ${sizes.join(' and ')} contacts only, to show what the flags do`;
}

/** The `## Extract` section's body for measured figures. */
export function renderExtractSection(
  plan: ExtractBenchPlan,
  speed: ExtractSpeedResult,
  memory: ExtractMemoryResult[],
): string {
  const o = speed.ours;
  const latency = REALISTIC_LATENCY;
  const windowS = `${WINDOW_MS / 1000} s`;
  const floorRate = FLOOR_CALLS_PER_S.toFixed(1);
  return [
    machineLine(),
    '',
    'Reproduce: `npm run bench -- --only extract` (add `--quick` for a small run).',
    '',
    '### Speed against the rate-limit floor',
    '',
    `Sandbox with Intercom's real limit (${n(CALLS_PER_WINDOW)} calls per ${windowS} fixed window, per token) and latency`,
    `of ${latency.medianMs} ms median (log-normal) with ${latency.slowFraction * 100} % of answers at ${latency.slowTailMs} ms. **Floor** = answered calls ÷ ${floorRate} calls/s, the`,
    "limit's sustained rate. Windows are fixed (aligned to the clock), so a client that starts early in a window",
    `and bursts can beat the floor by up to one window (${windowS}); the run spans many windows to keep that edge`,
    `small (here ${o.windows} windows). **Fraction** = floor ÷ wall time (1.0 = exactly at the limit's rate;`,
    'above 1 = the window edges helped). Wall time is the whole process: start-up, both streams, manifest, publish.',
    '',
    table(
      [
        'contacts',
        'conversations',
        'parts',
        'calls',
        '429s',
        'failed',
        'wall (s)',
        'floor (s)',
        'fraction of floor',
        'peak RSS (MiB)',
      ],
      [
        [
          n(o.contacts),
          n(o.conversations),
          n(o.parts),
          n(o.calls),
          o.rateLimited,
          o.failures,
          o.wallS.toFixed(1),
          o.floorS.toFixed(1),
          o.fraction.toFixed(2),
          o.peakRssMiB.toFixed(0),
        ],
      ],
    ),
    '',
    '### Against a sequential baseline and the official SDK (same sandbox, same run)',
    '',
    'Each comparator copies the **first** records of the same workspace (a subset, so the bench stays under',
    '15 minutes), writes the same lake files with the same writer, and its records are checked equal to ours',
    '(same JSON; conversations in the same order, contacts by id, ours being ordered by created_at). Its call rate is measured from its first to its last request; its full time is',
    `**extrapolated**: our calls ÷ its rate, the rate capped at the floor's ${floorRate}/s (a subset spans only a few`,
    'windows and can burst across their edges, which no client sustains over a whole run). `sequential`: `fetch`, page after page, then one conversation after',
    'another (bench/baselines/sequential.ts). `sdk`: intercom-client 7 with its own pagination and retries, in',
    'the same 64-wide ordered pool as ours (bench/baselines/sdk.ts). `sdk-sequential`: the same SDK code one request',
    'at a time, as its README shows it (`for await` over a list, then one `find` per item): the SDK has no',
    'concurrency of its own, so this is how a script written from its docs runs.',
    '',
    table(
      ['client', 'records copied', 'calls', '429s', 'failed', 'calls/s', 'full run (s)', 'ours is faster by'],
      [
        [
          'ours',
          `${n(o.contacts)} + ${n(o.conversations)} (all)`,
          n(o.calls),
          o.rateLimited,
          o.failures,
          o.callsPerS.toFixed(1),
          `${o.wallS.toFixed(1)} (measured)`,
          '—',
        ],
        ...speed.comparators.map((c) => [
          c.client,
          `${n(c.contacts)} + ${n(c.conversations)} (subset, equal to ours: ${c.sameRecords ? 'yes' : 'NO'})`,
          n(c.calls),
          c.rateLimited,
          c.failures,
          c.callsPerS.toFixed(1),
          `${c.extrapolatedS.toFixed(0)} (extrapolated)`,
          `${c.slowerBy.toFixed(1)}×`,
        ]),
      ],
    ),
    '',
    '### Memory as the workspace grows',
    '',
    `Sandbox of seed ${MEMORY_SEED}, no latency, no rate limit; the extract runs in its own process as the container runs it`,
    '(`node --import tsx tasks/extract/main.ts`), peak RSS read from `/proc/<pid>/status` (VmHWM), with the flags',
    `of \`npm run extract\` (\`${plan.deployedArgs.join(' ')}\`)${defaultsNote(plan)}. Parts are counted from the lake's manifest.`,
    '',
    table(
      ['contacts', 'conversations', 'parts', 'node flags', 'wall (s)', 'peak RSS (MiB)'],
      memory.map((m) => [
        n(m.contacts),
        n(m.conversations),
        n(m.parts),
        m.nodeArgs ? `\`${m.nodeArgs}\`` : 'defaults',
        m.wallS.toFixed(1),
        m.peakRssMiB.toFixed(0),
      ]),
    ),
  ].join('\n');
}
