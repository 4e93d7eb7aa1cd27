import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { S3Store } from '../../lib/lake/s3-store';
import { refineJobNamed } from '../../lib/refine/jobs/registry';
import { listFiles } from '../../lib/refine/lake-files';
import { runRefine } from '../../lib/refine/run-refine';
import type { FixtureLake } from '../helpers/fixture-lake';
import { quietLog, readParquet, writeRefineFixtureLake } from '../helpers/refine-lake';
import { startS3rver, type LocalS3 } from '../helpers/s3rver';

jest.setTimeout(120_000);

let s3: LocalS3;
let lake: FixtureLake;
let local: string;

beforeAll(async () => {
  s3 = await startS3rver();
  lake = await writeRefineFixtureLake();
  local = await mkdtemp(path.join(tmpdir(), 'refine-s3-check-'));
});

afterAll(async () => {
  await s3.close();
  await lake.remove();
  await rm(local, { recursive: true, force: true });
});

test('silver and a gold job read and write an s3:// lake: inputs staged on local disk, outputs uploaded, stale keys removed', async () => {
  const store = new S3Store(`s3://${s3.bucket}/lake`, { client: s3.client });
  for (const relative of await listFiles(path.join(lake.folder, 'data'))) {
    await store.put(`data/${relative}`, createReadStream(path.join(lake.folder, 'data', relative)));
  }
  // Left by an earlier run: the next publish of silver/users/ must remove it.
  await store.put('silver/users/part-9.parquet', Readable.from(['stale']));
  const run = (job: string) =>
    runRefine({
      job: refineJobNamed(job),
      inputUrl: store.url,
      outputUrl: store.url,
      options: { now: new Date() },
      memoryLimit: '256MB',
      threads: 1,
      s3Client: s3.client,
      log: quietLog,
    });

  const silver = await run('silver');
  expect(silver.outputs['silver/conversations/']).toBe(111);
  expect(await store.list('silver/users/')).toEqual(['silver/users/part-0.parquet']);
  expect(await store.list('silver/conversations/')).toEqual([
    'silver/conversations/month=2026-11/part-0.parquet',
  ]);

  await run('team-metrics');
  const key = 'gold/team-metrics/team_metrics/part-0.parquet';
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  await writeFile(path.join(local, 'part-0.parquet'), Buffer.concat(chunks));
  const rows = await readParquet(
    local,
    'SELECT team_id, conversations::INTEGER AS n FROM t ORDER BY team_id',
  );
  expect(rows).toEqual([
    { team_id: '100', n: 59 },
    { team_id: '200', n: 52 },
  ]);
});
