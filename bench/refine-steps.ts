import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { FolderStore } from '../lib/lake/folder-store';
import { jsonArrayChunks } from '../lib/lake/json-array-writer';
import { dataFileKey } from '../lib/lake/keys';
import { openDuck, sqlString, type Duck } from '../lib/refine/duckdb';
import { copyToParquet, PARQUET_OPTIONS } from '../lib/refine/jobs/silver';
import { LakeFiles } from '../lib/refine/lake-files';
import {
  createCurrentState,
  currentStateKind,
  findCurrentStateFiles,
} from '../lib/refine/silver/current-state';
import { SILVER_SOURCES } from '../lib/refine/silver/registry';
import { createLakeFolder, fixtureContact, fixtureConversation } from '../tests/helpers/fixture-lake';

/**
 * Where silver's time goes, statement by statement, in one process (one DuckDB, the same lake):
 *   npm run bench:refine-steps -- [--contacts 100000] [--conversations 20000] [--parts 8] [--threads 2] [--memory 1GB] [--rounds 5]
 * Per round and per stream with a `data/` file: the floor's statement (read the file with the
 * declared columns, write it as Parquet), then silver's: the current state (a view, or a table when
 * several tables read it) and each table's COPY, exactly as the silver job runs them (publishing
 * left out). Prints the median wall and CPU time of the rounds per step, and their sums.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string', default: '100000' },
      conversations: { type: 'string', default: '20000' },
      parts: { type: 'string', default: '8' },
      memory: { type: 'string', default: '1GB' },
      threads: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '5' },
    },
  });
  const lake = await createLakeFolder();
  const work = path.join(lake.folder, 'work');
  const duck = await openDuck({
    memoryLimit: values.memory!,
    threads: Number(values.threads),
    tempDirectory: path.join(work, 'spill'),
  });
  try {
    const store = new FolderStore(lake.folder);
    const fixtures: Record<string, () => Generator<unknown>> = {
      'users.json': () => range(Number(values.contacts), (i) => fixtureContact(i)),
      'conversations.json': () =>
        range(Number(values.conversations), (i) => fixtureConversation(i, { parts: Number(values.parts) })),
    };
    for (const [file, rows] of Object.entries(fixtures)) {
      await store.put(
        dataFileKey(file),
        jsonArrayChunks(Readable.from(rows()), () => undefined),
      );
    }
    const emptyArrayFile = path.join(work, 'empty.json');
    await mkdir(work, { recursive: true });
    await writeFile(emptyArrayFile, '[]\n');
    const input = new LakeFiles(store, path.join(work, 'input'));
    const sources = SILVER_SOURCES.filter((source) =>
      existsSync(path.join(lake.folder, dataFileKey(source.file))),
    );
    const times = new Map<string, number[]>();
    const cpuTimes = new Map<string, number[]>();
    const timed = async (step: string, fn: () => Promise<unknown>) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(cpu);
      times.set(step, [...(times.get(step) ?? []), performance.now() - started]);
      cpuTimes.set(step, [...(cpuTimes.get(step) ?? []), (used.user + used.system) / 1000]);
    };
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const source of sources) {
        const columns = Object.entries(source.columns)
          .map(([name, type]) => `${sqlString(name)}: ${sqlString(type.replace(/\s+/g, ' '))}`)
          .join(', ');
        const file = path.join(lake.folder, dataFileKey(source.file));
        const floorFile = path.join(work, 'floor', `${source.stream}.parquet`);
        await mkdir(path.dirname(floorFile), { recursive: true });
        await timed(`floor ${source.stream}`, () =>
          duck.run(
            `COPY (SELECT * FROM read_json(${sqlString(file)}, format = 'array', columns = {${columns}})) TO ${sqlString(floorFile)} (${PARQUET_OPTIONS})`,
          ),
        );
        const files = await findCurrentStateFiles(input, source);
        let records = '';
        await timed(
          `silver ${source.stream}: current state (${currentStateKind(source).toLowerCase()})`,
          async () => {
            records = await createCurrentState(duck, source, files, emptyArrayFile);
            await duck.run(`CREATE OR REPLACE TEMP VIEW records AS SELECT * FROM ${records}`);
          },
        );
        for (const table of source.tables) {
          const folder = path.join(work, 'silver', table.name);
          await rm(folder, { recursive: true, force: true });
          await timed(`silver ${source.stream}: table ${table.name}`, () =>
            copyToParquet(duck, table.select, folder, table.partitionByMonthOf),
          );
        }
        await duck.run('DROP VIEW records');
        await duck.run(`DROP ${currentStateKind(source)} ${records}`);
      }
    }
    process.stdout.write(
      `lake: ${values.contacts} contacts, ${values.conversations} conversations × ${values.parts} parts; memory_limit ${values.memory}, ${values.threads} threads; median of ${values.rounds} rounds\n`,
    );
    const sums = { floor: { wall: 0, cpu: 0 }, silver: { wall: 0, cpu: 0 } };
    process.stdout.write(
      '| step | wall (median) | CPU (median) | wall per round |\n| --- | --- | --- | --- |\n',
    );
    for (const [step, ms] of times) {
      const sum = step.startsWith('floor') ? sums.floor : sums.silver;
      sum.wall += median(ms);
      sum.cpu += median(cpuTimes.get(step)!);
      process.stdout.write(
        `| ${step} | ${seconds(median(ms))} | ${seconds(median(cpuTimes.get(step)!))} | ${ms.map((t) => (t / 1000).toFixed(2)).join(', ')} |\n`,
      );
    }
    // CPU time (every DuckDB thread of the process) moves less than wall time on a machine others share.
    process.stdout.write(
      `sums of medians: floor ${seconds(sums.floor.wall)} wall, ${seconds(sums.floor.cpu)} CPU; silver ${seconds(sums.silver.wall)} wall, ${seconds(sums.silver.cpu)} CPU; speed vs floor ${(sums.floor.wall / sums.silver.wall).toFixed(2)} by wall, ${(sums.floor.cpu / sums.silver.cpu).toFixed(2)} by CPU\n`,
    );
  } finally {
    closeQuietly(duck);
    await lake.remove();
  }
}

function closeQuietly(duck: Duck): void {
  try {
    duck.close();
  } catch {
    // closing is best effort at the end of a bench
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function* range<T>(n: number, make: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield make(i);
}

void main();
