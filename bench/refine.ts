import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { jsonArrayChunks } from '../lib/lake/json-array-writer';
import { dataFileKey } from '../lib/lake/keys';
import { FolderStore } from '../lib/lake/folder-store';
import { createLakeFolder, fixtureContact, fixtureConversation } from '../tests/helpers/fixture-lake';

/**
 * Silver against its floor, on one generated lake, same run:
 *   npm run bench:refine -- [--contacts 100000] [--conversations 20000] [--parts 8] [--memory 1GB] [--threads 2] [--rounds 2]
 * The floor is DuckDB reading each stream file with the same columns and writing it straight to
 * ZSTD Parquet (bench/refine-child.ts); silver is `npm run refine -- silver`. Each run is its own
 * process, so its peak RSS is its own. Prints one Markdown row per measure.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string', default: '100000' },
      conversations: { type: 'string', default: '20000' },
      parts: { type: 'string', default: '8' },
      memory: { type: 'string', default: '1GB' },
      threads: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const contacts = Number(values.contacts);
  const conversations = Number(values.conversations);
  const parts = Number(values.parts);
  const lake = await createLakeFolder();
  try {
    const store = new FolderStore(lake.folder);
    const users = await store.put(
      dataFileKey('users.json'),
      jsonArrayChunks(Readable.from(range(contacts, (i) => fixtureContact(i))), () => undefined),
    );
    const convs = await store.put(
      dataFileKey('conversations.json'),
      jsonArrayChunks(
        Readable.from(range(conversations, (i) => fixtureConversation(i, { parts }))),
        () => undefined,
      ),
    );
    const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
    process.stdout.write(
      `lake: ${contacts} contacts (${mb(users.bytes)} MB), ${conversations} conversations × ${parts} parts (${mb(convs.bytes)} MB); memory_limit ${values.memory}, ${values.threads} threads\n`,
    );
    const measure = (mode: string) => {
      const out = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(__dirname, 'refine-child.ts'),
          mode,
          lake.folder,
          values.memory!,
          values.threads!,
        ],
        { encoding: 'utf8' },
      );
      return JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; maxRssMb: number };
    };
    const floors: number[] = [];
    const silvers: number[] = [];
    for (let round = 1; round <= Number(values.rounds); round++) {
      const floor = measure('floor');
      const silver = measure('silver');
      floors.push(floor.ms);
      silvers.push(silver.ms);
      process.stdout.write(
        `| ${round} | floor ${(floor.ms / 1000).toFixed(2)} s, ${floor.maxRssMb} MB | silver ${(silver.ms / 1000).toFixed(2)} s, ${silver.maxRssMb} MB | speed vs floor ${(floor.ms / silver.ms).toFixed(2)} |\n`,
      );
    }
    // On a shared machine one slow round says little. A round's floor and silver run back to back, so
    // the median of the per-round ratios is the headline, with their range and the median times.
    const ratios = floors.map((floor, i) => floor / silvers[i]!);
    process.stdout.write(
      `speed vs floor ${median(ratios).toFixed(2)} (median of rounds; ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); median floor ${(median(floors) / 1000).toFixed(2)} s, median silver ${(median(silvers) / 1000).toFixed(2)} s\n`,
    );
  } finally {
    await rm(lake.folder, { recursive: true, force: true });
  }
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
