import type { Config } from '../../lib/config';
import { createIntercomClient } from '../../lib/intercom/client';
import type { RunManifest } from '../../lib/lake/manifest';
import { openLake } from '../../lib/lake/open-lake';
import type { Logger } from '../../lib/logger';
import type { TaskMetricsRecorder } from '../../lib/monitoring/metrics';
import { ExtractProgress } from '../../lib/progress';
import { STREAMS } from '../../lib/streams/registry';
import { resolveSource } from './resolve-source';
import { runExtract } from './run-extract';

/** What an extract built from the config produced. */
export interface ConfiguredExtract {
  manifest: RunManifest;
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
}): Promise<ConfiguredExtract> {
  const { config, log, signal, metrics } = ctx;
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
    metrics?.add({ records: STREAMS.reduce((n, s) => n + manifest.streams[s.name].count, 0) });
    log.info(
      {
        runId: manifest.runId,
        lake: store.url,
        ...Object.fromEntries(STREAMS.map((s) => [s.label, manifest.streams[s.name].count])),
        parts: manifest.parts,
        incompleteConversations: manifest.truncatedConversations.length,
        requests: manifest.requests.total,
        rateLimited: manifest.requests.rateLimited,
      },
      'extract finished',
    );
    return { manifest, lakeUrl: store.url, sandbox: source.sandbox };
  } finally {
    await source.close();
  }
}
