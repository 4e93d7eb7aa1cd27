import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** A finished child process with its wall time and peak resident memory. */
export interface Measured {
  code: number | null;
  wallMs: number;
  peakRssMiB: number;
  stderrTail: string;
}

/** Options of {@link runMeasured}. */
export interface RunMeasuredOptions {
  /** Node flags before `--import tsx` (e.g. `--max-old-space-size=128`). */
  nodeArgs?: string[];
}

const ROOT = path.resolve(__dirname, '../..');
const POLL_MS = 25;

async function readPeakKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // the process has just exited
  }
}

/**
 * Run a task entrypoint exactly as `npm run` and the container do (`node --import tsx <script>`),
 * in its own process so the bench's own memory (sandbox, database client) is not counted, and
 * sample its peak RSS (Linux `VmHWM`, which only grows) until it exits.
 */
export function runMeasured(
  script: string,
  env: Record<string, string>,
  options: RunMeasuredOptions = {},
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let peakKiB = 0;
    let stderr = '';
    const timer = setInterval(() => {
      if (child.pid === undefined) return;
      void readPeakKiB(child.pid).then((kib) => {
        if (kib !== undefined && kib > peakKiB) peakKiB = kib;
      });
    }, POLL_MS);
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, wallMs: performance.now() - started, peakRssMiB: peakKiB / 1024, stderrTail: stderr });
    });
  });
}

/**
 * The Node flags of an npm script (`npm run extract`, `npm run load`: what the container runs), read
 * from package.json so a bench measures the task exactly as it is deployed.
 *
 * @throws Error when the script is not `node <flags> --import tsx <file>`.
 */
export function scriptNodeArgs(script: 'extract' | 'load' | 'start'): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts[script] ?? '').split(/\s+/);
  const end = words.indexOf('--import');
  if (words[0] !== 'node' || end < 0)
    throw new Error(`unexpected "${script}" script: ${pkg.scripts[script]}`);
  return words.slice(1, end);
}
