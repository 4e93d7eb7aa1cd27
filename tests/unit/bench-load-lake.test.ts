import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MEMORY_SEED, readBenchLake, writeBenchLake } from '../../bench/lib/load-lake';
import { runMeasured } from '../../bench/lib/run-measured';
import { FolderStore } from '../../lib/lake/folder-store';
import { dataKey } from '../../lib/lake/keys';
import { readLatestManifest } from '../../lib/lake/publish';
import { startSandbox } from '../../sandbox/server';

describe('writeBenchLake', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bench-load-lake-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // The load memory bench reads the extract memory bench's lakes in a whole run and writes its own
  // under --only load: the two must be the same input.
  it('writes byte for byte the data files the extract writes from a sandbox of the same seed and size', async () => {
    const size = { contacts: 240, conversations: 60 };
    const extracted = path.join(dir, 'extracted');
    const sandbox = await startSandbox({ seed: MEMORY_SEED, ...size, includeQuirks: false });
    const run = await runMeasured('tasks/extract/main.ts', {
      INTERCOM_API_URL: sandbox.url,
      INTERCOM_ACCESS_TOKEN: sandbox.token,
      LAKE_URL: extracted,
    }).finally(() => sandbox.close());
    expect(run.code).toBe(0);

    const written = await writeBenchLake(path.join(dir, 'written'), { ...size, seed: MEMORY_SEED });

    const theirs = await readLatestManifest(new FolderStore(extracted));
    const ours = await readLatestManifest(written.store);
    for (const stream of ['users', 'conversations'] as const) {
      expect(ours.streams[stream].sha256).toBe(theirs.streams[stream].sha256);
    }
    expect(await readBenchLake(extracted)).toMatchObject({
      contacts: written.contacts,
      conversations: written.conversations,
      parts: written.parts,
      bytes: written.bytes,
    });
    // Some contacts had more than 10 tags, companies or notes: the completed lists were compared too.
    const users = JSON.parse(await readFile(path.join(extracted, dataKey('users')), 'utf8')) as {
      tags: { total_count: number };
    }[];
    expect(users.some((u) => u.tags.total_count > 10)).toBe(true);
  }, 60_000);
});
