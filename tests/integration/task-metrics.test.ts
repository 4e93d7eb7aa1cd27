import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunManifest } from '../../lib/lake/manifest';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runCli } from '../helpers/run-cli';

// Inside AWS (AWS_EXECUTION_ENV set, as Lambda and ECS do) each task ends with one EMF line on
// stdout whose counts are the run's own: what the manifest and the warehouse say happened.

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

function emfLines(stdout: string): EmfLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

describe('task metrics (EMF) of npm run extract and npm run load', () => {
  let sandbox: Sandbox;
  /** Records of the streams besides contacts and conversations, as the sandbox serves them. */
  const others = (): number => {
    const w = sandbox.workspace;
    const attributes = (['contact', 'company', 'conversation'] as const).reduce(
      (sum, model) => sum + w.dataAttributes(model, false).length,
      0,
    );
    return (
      w.adminCount + w.teamCount + w.tagCount + w.segmentCount + attributes + w.companyCount + w.ticketCount
    );
  };
  let lake: string;
  let db: TestDatabase;

  beforeAll(async () => {
    // Injected 429s so that the RateLimited count is not trivially 0.
    sandbox = await startSandbox({
      seed: 9,
      contacts: 30,
      conversations: 10,
      faults: { rate429: 0.2 },
      // A 429 makes the client wait for the window's reset: a 1 s window (Intercom's is 10 s) keeps
      // the run short now that every stream's list is asked too.
      windowMs: 1_000,
    });
    lake = await mkdtemp(path.join(tmpdir(), 'lake-metrics-'));
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(lake, { recursive: true, force: true });
    await db?.drop();
  });

  it('emits Records, Requests and RateLimited of the extract, equal to its manifest and the API counts', async () => {
    const result = await runCli('tasks/extract/main.ts', {
      INTERCOM_API_URL: sandbox.url,
      INTERCOM_ACCESS_TOKEN: sandbox.token,
      LAKE_URL: lake,
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
    });
    expect(result.code).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(lake, 'data/manifest.json'), 'utf8')) as RunManifest;
    const lines = emfLines(result.stdout);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name).sort()).toEqual(
      ['DurationMs', 'Failed', 'RateLimited', 'Records', 'Requests'].sort(),
    );
    expect(line).toMatchObject({
      Task: 'extract',
      Failed: 0,
      Records: Object.values(manifest.streams).reduce((sum, stream) => sum + stream.count, 0),
      Requests: manifest.requests.total,
      RateLimited: manifest.requests.rateLimited,
    });
    // The sandbox's contacts and conversations, recorded ones included; every other stream on top.
    expect(manifest.streams.users.count + manifest.streams.conversations.count).toBe(30 + 3 + 10 + 3);
    expect(line.Records).toBe(
      sandbox.workspace.contactCount + sandbox.workspace.conversationCount + others(),
    );
    expect(manifest.streams.companies.count).toBe(sandbox.workspace.companyCount);
    expect(manifest.streams.tickets.count).toBe(sandbox.workspace.ticketCount);
    expect(line.RateLimited).toBeGreaterThan(0);
    expect(line.Requests).toBe(sandbox.stats.requests);
  });

  it("emits the load's Records, the rows it wrote", async () => {
    const result = await runCli('tasks/load/main.ts', {
      LAKE_URL: lake,
      DATABASE_URL: db.url,
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
    });
    expect(result.code).toBe(0);
    const [line] = emfLines(result.stdout);
    // Every record the extract wrote, every stream (nothing is quarantined).
    const manifest = JSON.parse(await readFile(path.join(lake, 'data/manifest.json'), 'utf8')) as RunManifest;
    const written = Object.values(manifest.streams).reduce((sum, stream) => sum + stream.count, 0);
    expect(written).toBe(30 + 3 + 10 + 3 + others());
    expect(line).toMatchObject({ Task: 'load', Failed: 0, Records: written });
    expect(line).not.toHaveProperty('Requests');
  });

  it('writes no EMF line outside AWS', async () => {
    const result = await runCli('tasks/load/main.ts', { LAKE_URL: lake, DATABASE_URL: db.url });
    expect(result.code).toBe(0);
    expect(emfLines(result.stdout)).toEqual([]);
  });
});
