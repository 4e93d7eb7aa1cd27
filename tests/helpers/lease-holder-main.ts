import { FolderStore } from '../../lib/lake/folder-store';
import { acquireExtractLease } from '../../lib/lake/lease';
import { silentLogger } from '../../lib/logger';

// A process that takes the extract lease of the folder lake LEASE_LAKE as host LEASE_HOST and keeps
// renewing it; it prints "held", then "lost" when its heartbeat finds the lease taken over.
// Started by tests/helpers/lease-holder.ts; stop it with SIGSTOP to play a hung extract.
async function main(): Promise<void> {
  const env = process.env;
  const lease = await acquireExtractLease(new FolderStore(env.LEASE_LAKE ?? ''), {
    runId: env.LEASE_RUN_ID ?? '',
    host: env.LEASE_HOST,
    ttlMs: Number(env.LEASE_TTL_MS),
    log: silentLogger(),
  });
  process.stdout.write('held\n');
  lease.lost.addEventListener('abort', () => {
    process.stdout.write('lost\n');
    process.exit(0);
  });
  setInterval(() => undefined, 60_000);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
