import type { Config } from '../../lib/config';
import { createIntercomClient } from '../../lib/intercom/client';
import type { RunManifest } from '../../lib/lake/manifest';
import type { IncrementManifest } from '../../lib/lake/increment-manifest';
import { dataManifestKey } from '../../lib/lake/keys';
import { openLake } from '../../lib/lake/open-lake';
import type { Logger } from '../../lib/logger';
import type { TaskMetricsRecorder } from '../../lib/monitoring/metrics';
import { ExtractProgress } from '../../lib/progress';
import { perStream } from '../../lib/streams/registry';
import { resolveSource } from './resolve-source';
import type { ExtractRequest } from './extract-args';
import { runExtract } from './run-extract';
import { runBackfill } from './run-backfill';
import { runIncrementalExtract } from './run-incremental';

/** What an extract built from the config produced. */
export interface ConfiguredExtract {
  /** The full run's manifest (mode full), or undefined. */
  manifest?: RunManifest;
  /** The increment manifests written (mode incremental: one; backfill: one per day). */
  increments?: IncrementManifest[];
  /** The mode that ran (`auto` resolved). */
  mode: 'full' | 'incremental' | 'backfill';
  lakeUrl: string;
  /** True when the source was the built-in sandbox (no token given). */
  sandbox: boolean;
}

/**
 * Build the client, lake and progress from `config` and run one extract; shared by `npm run extract`
 * and `npm start`. Stops the built-in sandbox, when one was started, whatever the outcome. Adds the
 * requests and 429s this process made to `metrics` whatever the outcome, and the records written
 * to the lake when the run finished.
 */
export async function extractWithConfig(ctx: {
  config: Config;
  log: Logger;
  signal: AbortSignal;
  metrics?: TaskMetricsRecorder;
  /** Default: a full run. */
  request?: ExtractRequest;
}): Promise<ConfiguredExtract> {
  const { config, log, signal, metrics } = ctx;
  let request = ctx.request ?? { mode: 'full' };
  const source = await resolveSource(config, log);
  try {
    const client = createIntercomClient({
      baseUrl: source.apiUrl,
      token: source.token,
      apiVersion: config.intercom.apiVersion,
      maxAttempts: config.intercom.maxAttempts,
      logger: log,
      signal,
    });
    const store = openLake(config.lakeUrl, { s3: config.aws });
    if (request.mode === 'auto') {
      // A lake with a full copy goes on incrementally; say so, since a user may expect a full copy.
      const hasFull = await store.exists(dataManifestKey());
      request = hasFull ? { mode: 'incremental', sweepDeletes: 'auto' } : { mode: 'full' };
      log.info(
        { lake: store.url, mode: request.mode },
        hasFull
          ? 'the lake holds a full copy: copying only what changed since (npm run extract -- --mode full for a new full copy)'
          : 'the lake holds no full copy yet: copying everything',
      );
    }
    if (request.mode !== 'full') {
      const common = {
        client,
        store,
        log,
        apiUrl: source.apiUrl,
        apiVersion: config.intercom.apiVersion,
        signal,
        segmentRecords: config.extractSegmentRecords,
      };
      const increments = await (
        request.mode === 'incremental'
          ? runIncrementalExtract({ ...common, sweepDeletes: request.sweepDeletes }).then((m) => [m])
          : runBackfill({ ...common, since: request.since, until: request.until })
      ).finally(() => {
        metrics?.add({ requests: client.stats.requests, rateLimited: client.stats.rateLimited });
      });
      const records = increments.reduce(
        (sum, m) =>
          sum + Object.values(m.streams).reduce((n, s) => n + s.files.reduce((k, f) => k + f.count, 0), 0),
        0,
      );
      metrics?.add({ records });
      return { increments, mode: request.mode, lakeUrl: store.url, sandbox: source.sandbox };
    }
    const manifest = await runExtract({
      client,
      store,
      log,
      apiUrl: source.apiUrl,
      apiVersion: config.intercom.apiVersion,
      signal,
      segmentRecords: config.extractSegmentRecords,
      progress: new ExtractProgress({ log, readRequests: () => client.stats }),
    }).finally(() => {
      metrics?.add({ requests: client.stats.requests, rateLimited: client.stats.rateLimited });
    });
    const records = perStream((stream) => manifest.streams[stream.name].count);
    metrics?.add({ records: Object.values<number>(records).reduce((sum, n) => sum + n, 0) });
    log.info(
      {
        runId: manifest.runId,
        lake: store.url,
        records,
        parts: manifest.parts,
        incompleteConversations: manifest.truncatedConversations.length,
        requests: manifest.requests.total,
        rateLimited: manifest.requests.rateLimited,
      },
      'extract finished',
    );
    return { manifest, mode: 'full', lakeUrl: store.url, sandbox: source.sandbox };
  } finally {
    await source.close();
  }
}
