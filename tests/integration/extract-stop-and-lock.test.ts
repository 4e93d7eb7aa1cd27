import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { extractLockKey } from '../../lib/lake/keys';
import { readLatestManifest } from '../../lib/lake/publish';
import { createLogger } from '../../lib/logger';
import type { RunManifest } from '../../lib/lake/manifest';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';
import { canonicalLake } from '../helpers/canonical';

const ROOT = path.resolve(__dirname, '../..');

describe('extract: SIGTERM and two extracts at once', () => {
  let sandbox: Sandbox;
  let lake: string;
  let child: ReturnType<typeof spawn> | undefined;
  let termAt = 0;

  beforeEach(async () => {
    lake = await mkdtemp(path.join(tmpdir(), 'extract-stop-'));
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await sandbox?.close();
    await rm(lake, { recursive: true, force: true });
  });

  it('on SIGTERM saves its checkpoint, releases the lake and exits non-zero well within 25 s; the rerun resumes', async () => {
    sandbox = await startSandbox({
      seed: 5,
      contacts: 200,
      conversations: 300,
      latencyMs: 10,
      onRequest: (count, route) => {
        if (route === 'GET /conversations/{id}' && count === 220 && !termAt) {
          termAt = Date.now();
          child?.kill('SIGTERM');
        }
      },
    });
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      INTERCOM_API_URL: sandbox.url,
      INTERCOM_ACCESS_TOKEN: sandbox.token,
      LAKE_URL: lake,
      EXTRACT_SEGMENT_RECORDS: '5',
    };
    const run = (): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        child = spawn(process.execPath, ['--import', 'tsx', 'tasks/extract/main.ts'], { cwd: ROOT, env });
        let stderr = '';
        child.stdout?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const stopped = await run();
    const exitedAfterMs = Date.now() - termAt;
    expect(termAt).toBeGreaterThan(0);
    expect(stopped.code).not.toBe(0);
    expect(stopped.code).not.toBeNull();
    expect(exitedAfterMs).toBeLessThan(25_000);
    expect(stopped.stderr).toMatch(/checkpoint\.json/);
    expect(stopped.stderr).toMatch(/run the extract again to resume/);
    const store = new FolderStore(lake);
    expect(await store.list('data/')).toEqual([]);
    expect(await store.exists(extractLockKey())).toBe(false);
    expect((await store.list('runs/')).some((k) => k.endsWith('/checkpoint.json'))).toBe(true);

    const resumed = await run();
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/extract resumed/);
    const data = await canonicalLake(store);
    expect(data.conversations.count).toBe(sandbox.workspace.conversationCount);
    expect(data.conversations.duplicateIds).toEqual([]);
  }, 30_000);

  it('two extracts started at once on one lake: the second waits for the first’s lease, then runs after it', async () => {
    sandbox = await startSandbox({ seed: 6, contacts: 60, conversations: 30 });
    const store = new FolderStore(lake);
    const sink = new PassThrough();
    let logged = '';
    sink.on('data', (d: Buffer) => (logged += d.toString()));
    const log = createLogger({ level: 'info', pretty: false, destination: sink });
    const extract = (): Promise<RunManifest> => {
      const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
      return runExtract({ client, store, log, apiUrl: sandbox.url, apiVersion: '2.14' }).finally(() =>
        client.close(),
      );
    };
    const [a, b] = await Promise.all([extract(), extract()]);
    expect(a.runId).not.toBe(b.runId);
    const waits = logged
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; holderRun?: string })
      .filter((line) => line.msg === 'waiting for the extract lease held by another extract');
    expect(waits).toHaveLength(1);
    // The one that waited published last, so data/ holds its run.
    const first = waits[0]?.holderRun === a.runId ? a : b;
    const second = first === a ? b : a;
    const manifest = await readLatestManifest(store);
    expect(manifest.runId).toBe(second.runId);
    const data = await canonicalLake(store);
    expect(data.users.count).toBe(manifest.streams.users.count);
    expect(data.conversations.count).toBe(sandbox.workspace.conversationCount);
    expect(await store.exists(extractLockKey())).toBe(false);
  });
});
