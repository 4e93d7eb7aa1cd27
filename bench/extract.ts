import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox } from '../sandbox/server';
import { runMeasured } from './lib/run-measured';
import { machineLine, table, writeSection } from './lib/report';

/** Intercom's limit: 10,000 calls per minute, enforced as 1,666 per 10-second window. */
const CALLS_PER_WINDOW = 1666;
const WINDOW_MS = 10_000;
const MAX_PER_PAGE = 150;

const EXTRACT = 'tasks/extract/main.ts';

export interface ExtractSpeedResult {
  contacts: number;
  conversations: number;
  calls: number;
  rateLimited: number;
  wallS: number;
  floorS: number;
  fraction: number;
  peakRssMiB: number;
}

async function withLake<T>(fn: (lake: string) => Promise<T>): Promise<T> {
  const lake = await mkdtemp(path.join(tmpdir(), 'bench-lake-'));
  try {
    return await fn(lake);
  } finally {
    await rm(lake, { recursive: true, force: true });
  }
}

/**
 * Our extract against the sandbox with Intercom's real limit and 50–150 ms latency: wall time
 * against the floor, the time the calls it must make take at 1,666 per 10 s.
 */
export async function benchExtractSpeed(
  contacts: number,
  conversations: number,
): Promise<ExtractSpeedResult> {
  const sandbox = await startSandbox({
    seed: 11,
    contacts,
    conversations,
    rateLimitPerWindow: CALLS_PER_WINDOW,
    windowMs: WINDOW_MS,
    latencyMs: { medianMs: 80, slowTailMs: 150, slowFraction: 0.05 },
  });
  try {
    return await withLake(async (lake) => {
      const run = await runMeasured(EXTRACT, {
        INTERCOM_API_URL: sandbox.url,
        INTERCOM_ACCESS_TOKEN: sandbox.token,
        LAKE_URL: lake,
      });
      if (run.code !== 0) throw new Error(`extract failed (${run.code}): ${run.stderrTail}`);
      // Calls that were answered (not 429): what the export needed, sub-endpoint calls included.
      const calls = sandbox.stats.requests - sandbox.stats.rateLimited;
      const floorS = (calls / CALLS_PER_WINDOW) * (WINDOW_MS / 1000);
      const wallS = run.wallMs / 1000;
      return {
        contacts: sandbox.workspace.contactCount,
        conversations: sandbox.workspace.conversationCount,
        calls,
        rateLimited: sandbox.stats.rateLimited,
        wallS,
        floorS,
        fraction: floorS / wallS,
        peakRssMiB: run.peakRssMiB,
      };
    });
  } finally {
    await sandbox.close();
  }
}

/** Peak RSS of the extract at a workspace size, with no latency and no limit. */
export async function benchExtractMemory(
  contacts: number,
  conversations: number,
): Promise<{ contacts: number; conversations: number; peakRssMiB: number; wallS: number }> {
  const sandbox = await startSandbox({ seed: 5, contacts, conversations, includeRecorded: false });
  try {
    return await withLake(async (lake) => {
      const run = await runMeasured(EXTRACT, {
        INTERCOM_API_URL: sandbox.url,
        INTERCOM_ACCESS_TOKEN: sandbox.token,
        LAKE_URL: lake,
      });
      if (run.code !== 0) throw new Error(`extract failed (${run.code}): ${run.stderrTail}`);
      return { contacts, conversations, peakRssMiB: run.peakRssMiB, wallS: run.wallMs / 1000 };
    });
  } finally {
    await sandbox.close();
  }
}

/** Minimum calls for a workspace, by the architecture page's count (sub-endpoint calls not included). */
export function minimumCalls(contacts: number, conversations: number): number {
  return Math.ceil(contacts / MAX_PER_PAGE) + Math.ceil(conversations / MAX_PER_PAGE) + conversations;
}

/** Run the extract benches and write their section of docs/BENCHMARKS.md. */
export async function runExtractBenches(options: {
  speed: [number, number];
  memory: [number, number][];
}): Promise<void> {
  const speed = await benchExtractSpeed(...options.speed);
  process.stderr.write(`extract speed: ${JSON.stringify(speed)}\n`);
  const memory = [];
  for (const [contacts, conversations] of options.memory) {
    const m = await benchExtractMemory(contacts, conversations);
    process.stderr.write(`extract memory: ${JSON.stringify(m)}\n`);
    memory.push(m);
  }
  const body = [
    machineLine(),
    '',
    'Reproduce: `npm run bench -- --only extract`.',
    '',
    '### Speed against the rate-limit floor',
    '',
    "Sandbox with Intercom's real limit (1,666 calls per 10 s window, per token) and latency of 80 ms median",
    'with a 150 ms tail (5 %). Floor = calls answered ÷ 166.6 calls/s. Fraction = floor ÷ wall time (1.0 = at the limit).',
    '',
    table(
      [
        'contacts',
        'conversations',
        'calls',
        '429s',
        'wall (s)',
        'floor (s)',
        'fraction of floor',
        'peak RSS (MiB)',
      ],
      [
        [
          speed.contacts,
          speed.conversations,
          speed.calls,
          speed.rateLimited,
          speed.wallS.toFixed(1),
          speed.floorS.toFixed(1),
          speed.fraction.toFixed(2),
          speed.peakRssMiB.toFixed(0),
        ],
      ],
    ),
    '',
    '### Memory as the workspace grows',
    '',
    'No latency, no rate limit; the extract runs in its own process (`node --import tsx tasks/extract/main.ts`),',
    'peak RSS read from `/proc/<pid>/status` (VmHWM).',
    '',
    table(
      ['contacts', 'conversations', 'wall (s)', 'peak RSS (MiB)'],
      memory.map((m) => [m.contacts, m.conversations, m.wallS.toFixed(1), m.peakRssMiB.toFixed(0)]),
    ),
  ].join('\n');
  await writeSection('Extract', body);
}
