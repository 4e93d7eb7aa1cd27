import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../tests/helpers/database';
import {
  BENCH_STREAMS,
  DATA_TABLES,
  prepareRows,
  timeLoadData,
  timeRowInserts,
  type DataTable,
} from './lib/load-floor';
import type { LakeShelf, WorkspaceSize } from './lib/lake-shelf';
import { MEMORY_SEED, readBenchLake, writeBenchLake, type BenchLake } from './lib/load-lake';
import { machineLine, table, writeSection } from './lib/report';
import { runMeasured, scriptNodeArgs } from './lib/run-measured';
import { timeStep } from './lib/step';
import { withTempFolder } from './lib/temp-folder';

const LOAD = 'tasks/load/main.ts';

/** Rows per table timed for the one-row-at-a-time inserts (then extrapolated as rows/s). */
const ROW_INSERT_SAMPLE = 1000;

/** The sizes one `npm run bench` measures the load at. */
export interface LoadBenchPlan {
  speed: WorkspaceSize;
  /** Largest last; the first (smallest) also runs with Node's defaults, to show what the flags do. */
  memory: WorkspaceSize[];
}

/** Options of {@link runLoadBenches}. */
export interface LoadBenchOptions {
  /** Small sizes (`--quick`): only changes the reproduce line. */
  quick?: boolean;
  /** Lakes of the memory sizes the extract memory bench wrote; a size not there is written here. */
  shelf?: LakeShelf;
  /** Where to write the `## Load` section (docs/BENCHMARKS.md by default). */
  file?: string;
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
  size: WorkspaceSize,
): Promise<{ users: number; conversations: number }> {
  const seconds = { users: 0, conversations: 0 };
  for (const stream of ['users', 'conversations'] as const) {
    await withTempFolder('bench-load-', async (folder) => {
      await timeStep(`load/speed/lake-${stream}`, () =>
        writeBenchLake(folder, {
          contacts: stream === 'users' ? size.contacts : 0,
          conversations: stream === 'conversations' ? size.conversations : 0,
        }),
      );
      const run = await timeStep(`load/speed/ours-${stream}`, () =>
        runLoadTask(folder, databaseUrl, scriptNodeArgs('load')),
      );
      seconds[stream] = run.seconds;
    });
  }
  return seconds;
}

/** Our load, LOAD DATA LOCAL INFILE and one-row inserts on the same rows; rows/s per table. */
async function benchLoadSpeed(size: WorkspaceSize): Promise<string> {
  const db = await createTestDatabase();
  try {
    const ours = await timeOurLoad(db.url, size);
    const { rows, floor, single } = await withTempFolder('bench-load-', async (folder) => {
      const lake = await timeStep('load/speed/lake-both', () =>
        writeBenchLake(path.join(folder, 'lake'), size),
      );
      const prepared = await timeStep('load/speed/prepare-rows', () =>
        prepareRows(lake.store, folder, ROW_INSERT_SAMPLE),
      );
      return {
        rows: prepared.rows,
        floor: await timeStep('load/speed/load-data', () => timeLoadData(db.url, prepared)),
        single: await timeStep('load/speed/row-inserts', () => timeRowInserts(db.url, prepared)),
      };
    });
    process.stderr.write(`load speed: ${JSON.stringify({ ours, floor, single, rows })}\n`);
    // A stream writes all its tables in one pass: compare the pass with the sum of their LOAD DATA runs.
    const passOf = (t: DataTable) => BENCH_STREAMS.find((stream) => stream.tables.some((own) => own === t))!;
    const ourSeconds = (t: DataTable): number => ours[passOf(t).name];
    const passFloor = (t: DataTable): number =>
      passOf(t).tables.reduce((sum, own) => sum + floor[own as DataTable], 0);
    const ratio = (t: DataTable): number => passFloor(t) / ourSeconds(t);
    return [
      `${size.contacts.toLocaleString('en')} contacts and ${size.conversations.toLocaleString('en')} conversations from the sandbox generator, loaded into one fresh database.`,
      `"Ours" is the load task (\`node ${scriptNodeArgs('load').join(' ')} --import tsx ${LOAD}\`, as \`npm run load\` runs it) in`,
      'full mode, timed from its own log (migrate, shadow tables, reconcile, swap included; process start-up not), on a lake of only the',
      'contacts (users and contact_tag in one pass), then on one of only the conversations (conversation,',
      'conversation_part, conversation_contact and conversation_tag in one pass): the tables of a pass share',
      "one time, compared with the sum of their LOAD DATA runs. LOAD DATA LOCAL INFILE reads TSV files of the same mapped rows in the load's own format",
      `(lib/warehouse/tsv.ts), written beforehand and not timed. One-row inserts: one parameterised INSERT per row (autocommit), timed on the first ${ROW_INSERT_SAMPLE}`,
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
    await timeStep('load/speed/drop-database', () => db.drop());
  }
}

/**
 * The published lake of `size` in the workspace of {@link MEMORY_SEED}: the one the extract memory
 * bench left on `shelf` (the extract's own output), else one written here, byte for byte the same.
 * The caller deletes the folder.
 */
async function memoryLake(
  size: WorkspaceSize,
  shelf: LakeShelf | undefined,
  name: string,
): Promise<{ folder: string; lake: BenchLake; written: boolean }> {
  const kept = shelf?.take(size);
  if (kept !== undefined) return { folder: kept, lake: await readBenchLake(kept), written: false };
  const folder = await mkdtemp(path.join(tmpdir(), 'bench-load-'));
  try {
    const lake = await timeStep(`${name}/lake`, () => writeBenchLake(folder, { ...size, seed: MEMORY_SEED }));
    return { folder, lake, written: true };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Peak RSS of `tasks/load/main.ts` in its own process at each size, with the flags of `npm run load`;
 * the smallest size also with default Node flags, to show what the flags do.
 */
async function benchLoadMemory(sizes: WorkspaceSize[], shelf: LakeShelf | undefined): Promise<string> {
  const lines: (string | number)[][] = [];
  const flags = scriptNodeArgs('load');
  let written = 0;
  for (const [index, size] of sizes.entries()) {
    const name = `load/memory/${size.contacts}x${size.conversations}`;
    const { folder, lake, written: wrote } = await memoryLake(size, shelf, name);
    if (wrote) written++;
    try {
      const db = await createTestDatabase();
      try {
        for (const nodeArgs of index === 0 ? [[], flags] : [flags]) {
          const run = await timeStep(`${name}/${nodeArgs.length === 0 ? 'defaults' : 'flags'}`, () =>
            runLoadTask(folder, db.url, nodeArgs),
          );
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
      } finally {
        await timeStep(`${name}/drop-database`, () => db.drop());
      }
    } finally {
      await timeStep(`${name}/delete-lake`, () => rm(folder, { recursive: true, force: true }));
    }
  }
  const source =
    written === 0
      ? 'in this run the very lakes the extract memory bench (## Extract) had just written at these sizes'
      : written === sizes.length
        ? 'written by bench/lib/load-lake.ts: byte for byte the lakes the extract writes from that sandbox'
        : 'the lakes the extract memory bench had just written where it ran at these sizes, else written by bench/lib/load-lake.ts, byte for byte the same';
  return [
    `The lakes hold the sandbox workspace of seed ${MEMORY_SEED}, ${source}.`,
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
 * Run the load benches (speed against LOAD DATA LOCAL INFILE and one-row inserts; peak RSS at each
 * memory size) on databases of their own, and write the `## Load` section of docs/BENCHMARKS.md.
 * @throws Error when a load fails or the local server refuses LOAD DATA LOCAL INFILE.
 */
export async function runLoadBenches(plan: LoadBenchPlan, options: LoadBenchOptions = {}): Promise<void> {
  const speed = await benchLoadSpeed(plan.speed);
  const memory = await benchLoadMemory(plan.memory, options.shelf);
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
  await writeSection('Load', body, options.file);
}
