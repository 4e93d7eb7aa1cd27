import { spawn } from 'node:child_process';
import path from 'node:path';

/** What a finished child process left behind. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(__dirname, '../..');
/** The same command as the npm scripts and the container: one node process with the tsx loader. */
const NODE_ARGS = ['--import', 'tsx'];

/**
 * Run a task entrypoint (`tasks/extract/main.ts` …) the way `npm run` and the container do, with
 * exactly `env` plus PATH/HOME, and collect its output.
 */
export function runCli(script: string, env: Record<string, string>, args: string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
