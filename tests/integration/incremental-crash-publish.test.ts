import { spawn } from 'node:child_process';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { readBookmarks } from '../../lib/lake/bookmarks';
import { S3Store } from '../../lib/lake/s3-store';
import { silentLogger } from '../../lib/logger';
import { createLiveWorkspace } from '../../sandbox/live-workspace';
import { startSandbox } from '../../sandbox/server';
import { createWorkspace } from '../../sandbox/workspace';
import { runExtract } from '../../tasks/extract/run-extract';
import { runIncrementalLoad } from '../../tasks/load/run-incremental-load';
import { runLoad } from '../../tasks/load/run-load';
import { startKillingProxy } from '../helpers/crash-run';
import { createTestDatabase } from '../helpers/database';
import { startS3rver } from '../helpers/s3rver';
import { snapshotWarehouse } from '../helpers/warehouse';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Issue 12: an incremental extract killed with SIGKILL after its manifest is published and before
 * its bookmarks are written (the proxy in front of s3rver kills it as the bookmarks' PUT arrives).
 * The bookmark must not move; the rerun copies the same changes again, and the load of both runs
 * gives exactly a fresh full run's warehouse.
 */
describe('incremental extract killed between publishing and moving the bookmark', () => {
  it('leaves the bookmark where it was; the rerun and the load end exact', async () => {
    const live = createLiveWorkspace(createWorkspace({ seed: 51, contacts: 120, conversations: 80 }));
    const sandbox = await startSandbox({ workspace: live });
    const s3 = await startS3rver();
    let child: ReturnType<typeof spawn> | undefined;
    let armed = false;
    const proxy = await startKillingProxy(s3.endpoint, (url) => {
      if (!armed || !url.split('?')[0]?.endsWith('/state/bookmarks.json')) return false;
      armed = false;
      child?.kill('SIGKILL');
      return true;
    });
    const db = await createTestDatabase();
    const fresh = await createTestDatabase();
    const store = new S3Store(`s3://${s3.bucket}`, { client: s3.client });
    const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
    try {
      const options = { client, store, log: silentLogger(), apiUrl: sandbox.url, apiVersion: '2.14' };
      await runExtract(options);
      await runLoad({ store, databaseUrl: db.url, progress: false });
      const t = Math.floor(Date.now() / 1000);
      for (let j = 5; j < 15; j++) live.touch('conversation', j, t);
      live.addPart(20, t);
      live.remove('contact', 30);
      const bookmarks = await readBookmarks(store);

      const credentials = await s3.client.config.credentials();
      const extract = (): Promise<number | null> =>
        new Promise((resolve) => {
          child = spawn(
            process.execPath,
            ['--import', 'tsx', 'tasks/extract/main.ts', '--mode', 'incremental'],
            {
              cwd: ROOT,
              env: {
                PATH: process.env.PATH ?? '',
                HOME: process.env.HOME ?? '',
                LOG_LEVEL: 'warn',
                INTERCOM_API_URL: sandbox.url,
                INTERCOM_ACCESS_TOKEN: sandbox.token,
                LAKE_URL: `s3://${s3.bucket}`,
                AWS_ENDPOINT_URL_S3: proxy.url,
                AWS_REGION: 'us-east-1',
                AWS_ACCESS_KEY_ID: credentials.accessKeyId,
                AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
              },
              stdio: 'ignore',
            },
          );
          child.on('close', (code, signal) => resolve(signal ? null : code));
        });
      armed = true;
      expect(await extract()).toBeNull();
      // Published, but the bookmark did not move past it.
      const runsNow = async (): Promise<string[]> =>
        (await store.list('runs/'))
          .filter((k) => k.endsWith('/increment.json'))
          .map((k) => k.split('/')[1] ?? '');
      const killed = await runsNow();
      expect(killed).toHaveLength(1);
      expect(await readBookmarks(store)).toEqual(bookmarks);

      expect(await extract()).toBe(0);
      const rerun = (await runsNow()).filter((id) => !killed.includes(id));
      expect(rerun).toHaveLength(1);
      expect((await readBookmarks(store))?.conversations?.runId).toBe(rerun[0]);

      const summary = await runIncrementalLoad({ store, databaseUrl: db.url, progress: false });
      expect(summary.runs).toHaveLength(2);

      const freshSandbox = await startSandbox({ workspace: live });
      const freshStore = new S3Store(`s3://${s3.bucket}/fresh`, { client: s3.client });
      const freshClient = createIntercomClient({
        baseUrl: freshSandbox.url,
        token: freshSandbox.token,
        apiVersion: '2.14',
      });
      try {
        await runExtract({ ...options, client: freshClient, store: freshStore, apiUrl: freshSandbox.url });
        await runLoad({ store: freshStore, databaseUrl: fresh.url, progress: false });
      } finally {
        await freshClient.close();
        await freshSandbox.close();
      }
      expect(await snapshotWarehouse(db.url)).toEqual(await snapshotWarehouse(fresh.url));
    } finally {
      child?.kill('SIGKILL');
      await client.close();
      proxy.server.closeAllConnections();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
      await s3.close();
      await sandbox.close();
      await db.drop();
      await fresh.drop();
    }
  });
});
