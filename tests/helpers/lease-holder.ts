import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** A child process holding the extract lease of a folder lake; see lease-holder-main.ts. */
export interface LeaseHolder {
  child: ChildProcess;
  /** Resolves once the child holds the lease. */
  held: Promise<void>;
  /** Resolves when the child found its lease taken over. */
  lost: Promise<void>;
  /** Resolves when the child has exited. */
  exited: Promise<void>;
}

/**
 * Start a real process that takes the lease of `lake` under `host` with a `ttlMs` lease and keeps
 * renewing it (every quarter of `ttlMs`) until it is killed or finds the lease lost.
 */
export function spawnLeaseHolder(options: {
  lake: string;
  host: string;
  ttlMs: number;
  runId: string;
}): LeaseHolder {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/lease-holder-main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LEASE_LAKE: options.lake,
      LEASE_HOST: options.host,
      LEASE_TTL_MS: String(options.ttlMs),
      LEASE_RUN_ID: options.runId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { word: string; resolve(): void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) if (out.includes(w.word)) w.resolve();
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const said = (word: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ word, resolve });
      void exited.then(() =>
        out.includes(word) ? resolve() : reject(new Error(`lease holder exited without "${word}": ${err}`)),
      );
    });
  const held = said('held');
  const lost = said('lost');
  // A test that never awaits one of them (the holder was killed) must not see an unhandled rejection.
  held.catch(() => undefined);
  lost.catch(() => undefined);
  return { child, held, lost, exited };
}
