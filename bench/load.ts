import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../tests/helpers/database';
import { DATA_TABLES, prepareRows, timeLoadData, timeRowInserts, type DataTable } from './lib/load-floor';
import { writeBenchLake } from './lib/load-lake';
import { machineLine, table, writeSection } from './lib/report';
import { runMeasured, scriptNodeArgs } from './lib/run-measured';

const LOAD = 'tasks/load/main.ts';

/** Rows per table timed for the one-row-at-a-time inserts (then extrapolated as rows/s). */
const ROW_INSERT_SAMPLE = 1000;

/** Sizes of one load bench run. */
interface LoadBenchSizes {
  speed: { contacts: number; conversations: number };
  memory: { contacts: number; conversations: number }[];
}

const FULL: LoadBenchSizes = {
  speed: { contacts: 100_000, conversations: 20_000 },
  // The largest holds ≥ 1,000,000 contacts, 200,000 conversations and 2,000,000 parts (the sandbox
  // gives ~8 parts per conversation, hence 260,000 conversations). The middle size is kept small so
  // the load part of npm run bench stays within minutes: flatness shows between 20k and 1M anyway.
  memory: [
    { contacts: 20_000, conversations: 5_000 },
    { contacts: 100_000, conversations: 26_000 },
    { contacts: 1_000_000, conversations: 260_000 },
  ],
};
const QUICK: LoadBenchSizes = {
  speed: { contacts: 3_000, conversations: 600 },
  memory: [
    { contacts: 1_000, conversations: 200 },
    { contacts: 3_000, conversations: 600 },
    { contacts: 9_000, conversations: 1_800 },
  ],
};

async function withFolder<T>(fn: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(path.join(tmpdir(), 'bench-load-'));
  try {
    return await fn(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Run the load task in its own process with `nodeArgs`; its duration as it logs it (`load finished`,
 * process start-up left out) and its peak RSS.
 * @throws Error when the load fails.
 */
async function runLoadTask(
  lakeFolder: string,
  databaseUrl: string,
  nodeArgs: string[],
): Promise<{ seconds: number; wallSeconds: number; peakRssMiB: number }> {
  const run = await runMeasured(
    LOAD,
    { LAKE_URL: lakeFolder, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
    { nodeArgs },
  );
  if (run.code !== 0) throw new Error(`load failed (${run.code}): ${run.stderrTail}`);
  const finished = /"ms":(\d+),"msg":"load finished"/.exec(run.stderrTail);
  if (!finished) throw new Error(`the load did not log "load finished": ${run.stderrTail}`);
  return { seconds: Number(finished[1]) / 1000, wallSeconds: run.wallMs / 1000, peakRssMiB: run.peakRssMiB };
}

/**
 * Seconds our full load takes (the load task as `npm run load` runs it) for a lake of only contacts,
 * and for one of only conversations.
 */
async function timeOurLoad(
  databaseUrl: string,
  size: LoadBenchSizes['speed'],
): Promise<{ users: number; conversations: number }> {
  const seconds = { users: 0, conversations: 0 };
  for (const stream of ['users', 'conversations'] as const) {
    await withFolder(async (folder) => {
      await writeBenchLake(folder, {
        contacts: stream === 'users' ? size.contacts : 0,
        conversations: stream === 'conversations' ? size.conversations : 0,
      });
      seconds[stream] = (await runLoadTask(folder, databaseUrl, scriptNodeArgs('load'))).seconds;
    });
  }
  return seconds;
}

/** Our load, LOAD DATA LOCAL INFILE and one-row inserts on the same rows; rows/s per table. */
async function benchLoadSpeed(size: LoadBenchSizes['speed']): Promise<string> {
  const db = await createTestDatabase();
  try {
    const ours = await timeOurLoad(db.url, size);
    const { rows, floor, single } = await withFolder(async (folder) => {
      const lake = await writeBenchLake(path.join(folder, 'lake'), size);
      const prepared = await prepareRows(lake.store, folder, ROW_INSERT_SAMPLE);
      return {
        rows: prepared.rows,
        floor: await timeLoadData(db.url, prepared),
        single: await timeRowInserts(db.url, prepared),
      };
    });
    process.stderr.write(`load speed: ${JSON.stringify({ ours, floor, single, rows })}\n`);
    // The conversations stream writes three tables in one pass: compare it with the three LOAD DATA runs.
    const conversationFloor = floor.conversation + floor.conversation_part + floor.conversation_contact;
    const ourSeconds = (t: DataTable): number => (t === 'users' ? ours.users : ours.conversations);
    const ratio = (t: DataTable): number =>
      t === 'users' ? floor.users / ours.users : conversationFloor / ours.conversations;
    return [
      `${size.contacts.toLocaleString('en')} contacts and ${size.conversations.toLocaleString('en')} conversations from the sandbox generator, loaded into one fresh database.`,
      `"Ours" is the load task (\`node ${scriptNodeArgs('load').join(' ')} --import tsx ${LOAD}\`, as \`npm run load\` runs it) in`,
      'full mode, timed from its own log (migrate, shadow tables, reconcile, swap included; process start-up not), on a lake of only the',
      'contacts, then on one of only the conversations, which fill conversation, conversation_part and',
      'conversation_contact in one pass: those three share one time, compared with the sum of their three',
      'LOAD DATA runs. LOAD DATA LOCAL INFILE reads TSV files of the same mapped rows, written beforehand and',
      `not timed. One-row inserts: one parameterised INSERT per row (autocommit), timed on the first ${ROW_INSERT_SAMPLE}`,
      'rows of each table and extrapolated.',
      '',
      table(
        [
          'table',
          'rows',
          'ours (rows/s)',
          'LOAD DATA (rows/s)',
          'one-row INSERT (rows/s, sampled)',
          'ours ÷ LOAD DATA',
        ],
        DATA_TABLES.map((t) => [
          t,
          rows[t],
          Math.round(rows[t] / ourSeconds(t)),
          Math.round(rows[t] / floor[t]),
          Math.round(single[t]),
          ratio(t).toFixed(2),
        ]),
      ),
    ].join('\n');
  } finally {
    await db.drop();
  }
}

/**
 * Peak RSS of `tasks/load/main.ts` in its own process at each size, with the flags of `npm run load`;
 * the smallest size also with default Node flags, to show what the flags do.
 */
async function benchLoadMemory(sizes: LoadBenchSizes['memory']): Promise<string> {
  const lines: (string | number)[][] = [];
  const flags = scriptNodeArgs('load');
  for (const [index, size] of sizes.entries()) {
    const db = await createTestDatabase();
    try {
      await withFolder(async (folder) => {
        const lake = await writeBenchLake(folder, size);
        for (const nodeArgs of index === 0 ? [[], flags] : [flags]) {
          const run = await runLoadTask(folder, db.url, nodeArgs);
          const line = [
            lake.contacts,
            lake.conversations,
            lake.parts,
            (lake.bytes / 2 ** 20).toFixed(0),
            nodeArgs.length === 0 ? '(none)' : nodeArgs.join(' '),
            run.wallSeconds.toFixed(1),
            run.peakRssMiB.toFixed(0),
          ];
          process.stderr.write(`load memory: ${JSON.stringify(line)}\n`);
          lines.push(line);
        }
      });
    } finally {
      await db.drop();
    }
  }
  return [
    'The load task runs in its own process (`node <flags> --import tsx tasks/load/main.ts`), full mode into a',
    'fresh database; peak RSS read from `/proc/<pid>/status` (VmHWM), wall time includes process start-up.',
    '',
    table(
      ['contacts', 'conversations', 'parts', 'lake (MiB)', 'Node flags', 'wall (s)', 'peak RSS (MiB)'],
      lines,
    ),
  ].join('\n');
}

/**
 * Run the load benches (speed against LOAD DATA LOCAL INFILE and one-row inserts; peak RSS at
 * three sizes) on databases of their own, and write the `## Load` section of docs/BENCHMARKS.md.
 * @throws Error when a load fails or the local server refuses LOAD DATA LOCAL INFILE.
 */
export async function runLoadBenches(options: { quick?: boolean } = {}): Promise<void> {
  const sizes = options.quick ? QUICK : FULL;
  const speed = await benchLoadSpeed(sizes.speed);
  const memory = await benchLoadMemory(sizes.memory);
  const body = [
    machineLine(),
    '',
    `Reproduce: \`npm run bench -- --only load${options.quick ? ' --quick' : ''}\` (MariaDB on 127.0.0.1:3306).`,
    '',
    '### Speed against LOAD DATA LOCAL INFILE',
    '',
    speed,
    '',
    '### Memory as the lake grows',
    '',
    memory,
  ].join('\n');
  await writeSection('Load', body);
}
