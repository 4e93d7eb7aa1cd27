import type { IntercomClient } from '../../lib/intercom/client';
import type { RunManifest } from '../../lib/lake/manifest';

/** A manifest's request counts: what `client` sent, on top of `base` (an earlier attempt's, if resumed). */
export function requestsSoFar(
  client: IntercomClient,
  base: RunManifest['requests'] = { total: 0, retries: 0, rateLimited: 0 },
): RunManifest['requests'] {
  return {
    total: base.total + client.stats.requests,
    retries: base.retries + client.stats.retries,
    rateLimited: base.rateLimited + client.stats.rateLimited,
  };
}
