import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FolderStore } from '../../lib/lake/folder-store';
import { S3Store } from '../../lib/lake/s3-store';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { canonicalLake, type CanonicalLake } from './canonical';
import { startS3rver, type LocalS3 } from './s3rver';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { runCli } from './run-cli';

const ROOT = path.resolve(__dirname, '../..');
const EXTRACT = 'tasks/extract/main.ts';
// A little latency, as a real API has, lets checkpoints keep pace with the requests they follow.
// A kill mid-scroll leaves the companies scroll open; the rerun's new scroll waits until it idles
// out (a minute at Intercom), here 5 s.
const WORKSPACE = { seed: 11, contacts: 320, conversations: 300, latencyMs: 10, scrollIdleMs: 5_000 };
const SEGMENT_RECORDS = '5';

/** Where to kill the first run: after the k-th request of a sandbox route, or at a lake write. */
export type Point = { route: string; count: number } | { lakeKey: RegExp };

/**
 * A proxy in front of s3rver that kills the extract (SIGKILL) when a write to a matching key
 * arrives, and never forwards that write: the crash lands exactly at that step of the publish.
 */
export async function startKillingProxy(
  target: string,
  onWrite: (url: string) => boolean,
): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if ((req.method === 'PUT' || req.method === 'POST') && onWrite(req.url ?? '')) {
      req.resume();
      return; // Held open: the client is dead before it could see an answer.
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function runExtractChild(env: Record<string, string>): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', EXTRACT], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => resolve(signal ? null : code)),
  );
  void done.then((code) => {
    if (code !== 0 && code !== null) process.stderr.write(stderr);
  });
  return { child, done };
}

/**
 * Crash-and-resume harness (issue 6): for each point, run the extract CLI against a fresh sandbox and
 * an s3rver lake, SIGKILL it at that point, run it again, and check the rerun finished with the same
 * canonical content as a clean run, with fewer requests than a full run, and cleaned up after itself.
 */
export function describeCrashPoints(
  title: string,
  points: [string, Point][],
  /**
   * Sandbox settings for these points (companies, the scroll's page size and idle expiry; contacts
   * and conversations for a workspace of another shape).
   */
  serving: Pick<
    SandboxOptions,
    'companies' | 'scrollPageSize' | 'scrollIdleMs' | 'contacts' | 'conversations'
  > = {},
  /** Further checks of the rerun: the requests per route it made. */
  checkRerun?: (point: Point, rerunByRoute: Record<string, number>) => void,
  /** Records per segment (default 5; more for a larger workspace). */
  segmentRecords: string = SEGMENT_RECORDS,
): void {
  describe(title, () => {
    let clean: CanonicalLake;
    let fullRequests: number;

    beforeAll(async () => {
      const sandbox = await startSandbox({ ...WORKSPACE, ...serving });
      const lake = await mkdtemp(path.join(tmpdir(), 'crash-clean-'));
      try {
        const result = await runCli(EXTRACT, {
          INTERCOM_API_URL: sandbox.url,
          INTERCOM_ACCESS_TOKEN: sandbox.token,
          LAKE_URL: lake,
          EXTRACT_SEGMENT_RECORDS: segmentRecords,
        });
        expect(result.code).toBe(0);
        clean = await canonicalLake(new FolderStore(lake));
        fullRequests = sandbox.stats.requests;
      } finally {
        await sandbox.close();
        await rm(lake, { recursive: true, force: true });
      }
    });

    it.each(points)(
      'killed during %s, the rerun finishes identical to a clean run with fewer requests',
      async (_name, point) => {
        let killed = false;
        let child: ChildProcess | undefined;
        const kill = (): boolean => {
          if (killed) return true;
          killed = true;
          child?.kill('SIGKILL');
          return true;
        };
        const sandbox: Sandbox = await startSandbox({
          ...WORKSPACE,
          ...serving,
          onRequest: (count, route) => {
            if ('route' in point && route === point.route && count === point.count) kill();
          },
        });
        const s3: LocalS3 = await startS3rver();
        const proxy = await startKillingProxy(
          s3.endpoint,
          (url) => 'lakeKey' in point && !killed && point.lakeKey.test(url.split('?')[0] ?? '') && kill(),
        );
        try {
          const credentials = await s3.client.config.credentials();
          const env = {
            INTERCOM_API_URL: sandbox.url,
            INTERCOM_ACCESS_TOKEN: sandbox.token,
            LAKE_URL: `s3://${s3.bucket}`,
            AWS_ENDPOINT_URL_S3: proxy.url,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            EXTRACT_SEGMENT_RECORDS: segmentRecords,
          };
          const first = runExtractChild(env);
          child = first.child;
          expect(await first.done).toBeNull();
          expect(killed).toBe(true);
          const before = sandbox.stats.requests;
          const byRouteBefore = { ...sandbox.stats.byRoute };

          const second = runExtractChild(env);
          expect(await second.done).toBe(0);
          const store = new S3Store(`s3://${s3.bucket}`, { client: s3.client });
          expect(await canonicalLake(store)).toEqual(clean);
          expect(sandbox.stats.requests - before).toBeLessThan(fullRequests);
          checkRerun?.(
            point,
            Object.fromEntries(
              Object.entries(sandbox.stats.byRoute).map(([route, n]) => [
                route,
                n - (byRouteBefore[route] ?? 0),
              ]),
            ),
          );
          // Segments and checkpoint are gone once the run is published (`segments.json` is a stream's file).
          expect(
            (await store.list('runs/')).filter((k) => /\/segments\/|\/checkpoint\.json$/.test(k)),
          ).toEqual([]);
        } finally {
          child?.kill('SIGKILL');
          proxy.server.closeAllConnections();
          await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
          await s3.close();
          await sandbox.close();
        }
      },
    );
  });
}
