import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findResumableRun } from '../../lib/lake/checkpoint';
import { FolderStore } from '../../lib/lake/folder-store';
import { extractLockKey } from '../../lib/lake/keys';
import { S3Store } from '../../lib/lake/s3-store';
import type { LakeStore } from '../../lib/lake/store';
import { silentLogger } from '../../lib/logger';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { canonicalLake, type CanonicalLake } from '../helpers/canonical';
import { runCli } from '../helpers/run-cli';
import { startS3rver, type LocalS3 } from '../helpers/s3rver';

const ROOT = path.resolve(__dirname, '../..');
const EXTRACT = 'tasks/extract/main.ts';
const WORKSPACE = { seed: 13, contacts: 320, conversations: 300, latencyMs: 10 };
const SEGMENT_RECORDS = 5;
const DETAIL = 'GET /conversations/{id}';
/** The client's look-ahead: details requested but not yet in a segment (2 × 64 in flight, client.ts). */
const LOOK_AHEAD = 128;

/** Run the extract CLI and SIGKILL it when the sandbox receives its `killAt`-th conversation detail request. */
function killedRun(
  env: Record<string, string>,
  sandboxKill: { hook?: () => void },
): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', EXTRACT], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
  sandboxKill.hook = () => child.kill('SIGKILL');
  return new Promise((resolve) => child.on('close', (_code, signal) => resolve(signal)));
}

/**
 * A proxy in front of s3rver that answers a PutObject with `If-None-Match: *` as S3 does (412
 * PreconditionFailed when the key exists), because s3rver ignores the header: without it a rerun
 * on s3rver would simply overwrite the dead run's lease and never take it over.
 */
async function startConditionalProxy(s3: LocalS3): Promise<{ url: string; server: Server }> {
  const upstream = new URL(s3.endpoint);
  const server = createServer((req, res) => {
    const forward = (): void => {
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
    };
    const [pathname = '', query] = (req.url ?? '').split('?');
    // The SDK adds `?x-id=PutObject`; a multipart part (uploadId) is never conditional.
    if (req.method !== 'PUT' || req.headers['if-none-match'] !== '*' || /uploadId=/.test(query ?? ''))
      return forward();
    const [, bucket = '', ...key] = pathname.split('/');
    s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: decodeURIComponent(key.join('/')) })).then(
      () => {
        req.resume();
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
        );
      },
      () => forward(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The JSON log lines of a CLI's stderr (other lines, such as Node's warnings, left out). */
function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('extract killed with SIGKILL, run again at once on the same lake', () => {
  let clean: CanonicalLake;

  beforeAll(async () => {
    const sandbox = await startSandbox(WORKSPACE);
    const lake = await mkdtemp(path.join(tmpdir(), 'takeover-clean-'));
    try {
      const result = await runCli(EXTRACT, {
        INTERCOM_API_URL: sandbox.url,
        INTERCOM_ACCESS_TOKEN: sandbox.token,
        LAKE_URL: lake,
        EXTRACT_SEGMENT_RECORDS: String(SEGMENT_RECORDS),
      });
      expect(result.code).toBe(0);
      clean = await canonicalLake(new FolderStore(lake));
    } finally {
      await sandbox.close();
      await rm(lake, { recursive: true, force: true });
    }
  });

  it.each(['folder', 's3rver'] as const)(
    '%s lake: the rerun takes the dead run’s lease over without waiting, loses at most one segment and finishes exact',
    async (backend) => {
      const kill: { hook?: () => void } = {};
      const sandbox: Sandbox = await startSandbox({
        ...WORKSPACE,
        onRequest: (count, route) => {
          if (route === DETAIL && count === 150) kill.hook?.();
        },
      });
      let s3: LocalS3 | undefined;
      let proxy: Server | undefined;
      let folder: string | undefined;
      try {
        let store: LakeStore;
        let lakeEnv: Record<string, string>;
        if (backend === 's3rver') {
          s3 = await startS3rver();
          const conditional = await startConditionalProxy(s3);
          proxy = conditional.server;
          const credentials = await s3.client.config.credentials();
          store = new S3Store(`s3://${s3.bucket}`, { client: s3.client });
          lakeEnv = {
            LAKE_URL: `s3://${s3.bucket}`,
            AWS_ENDPOINT_URL_S3: conditional.url,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          };
        } else {
          folder = await mkdtemp(path.join(tmpdir(), 'takeover-'));
          store = new FolderStore(folder);
          lakeEnv = { LAKE_URL: folder };
        }
        const env = {
          INTERCOM_API_URL: sandbox.url,
          INTERCOM_ACCESS_TOKEN: sandbox.token,
          EXTRACT_SEGMENT_RECORDS: String(SEGMENT_RECORDS),
          ...lakeEnv,
        };

        expect(await killedRun(env, kill)).toBe('SIGKILL');
        // The dead run's lease is still there: nothing removed it.
        expect(await store.exists(extractLockKey())).toBe(true);
        const saved = await findResumableRun(store, {
          apiUrl: sandbox.url,
          apiVersion: '2.14',
          log: silentLogger(),
        });
        const kept = saved?.streams.conversations.position ?? 0;
        const detailsBefore = sandbox.stats.byRoute[DETAIL] ?? 0;
        // Work lost to the kill: details fetched that no saved segment holds.
        expect(kept).toBeGreaterThan(0);
        expect(detailsBefore - kept).toBeLessThanOrEqual(SEGMENT_RECORDS + LOOK_AHEAD);

        const rerun = await runCli(EXTRACT, { ...env, LOG_LEVEL: 'info' });
        expect(rerun.code).toBe(0);
        const logged = logLines(rerun.stderr);
        expect(logged.find((l) => l.msg === 'took over a stale extract lease')?.reason).toMatch(
          /no longer exists/,
        );
        expect(logged.map((l) => l.msg)).not.toContain(
          'waiting for the extract lease held by another extract',
        );
        expect(logged.map((l) => l.msg)).toContain('extract resumed');
        // Every conversation a saved segment held was reused, none fetched twice beyond the lost window.
        expect((sandbox.stats.byRoute[DETAIL] ?? 0) - detailsBefore).toBe(
          sandbox.workspace.conversationCount - kept,
        );
        expect(await canonicalLake(store)).toEqual(clean);
        expect(await store.exists(extractLockKey())).toBe(false);
      } finally {
        proxy?.closeAllConnections();
        await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
        await s3?.close();
        await sandbox.close();
        if (folder) await rm(folder, { recursive: true, force: true });
      }
    },
    // Three extract processes on a machine shared with other test runs.
    180_000,
  );
});
