import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { LaunchRefusedError, TaskAlreadyRunningError } from './launch-errors';
import type { LocalStep, TaskName } from './task-name';

/** The command (argv) that runs each task on this machine; the same npm scripts a developer runs. */
export type LocalCommands = Record<TaskName, readonly string[]> & {
  /** The refine (`npm run refine`, a job name follows) the sync and backfill run after the load. */
  refine?: readonly string[];
};

/** `npm run extract`, `npm run load`, `npm start` (extract, then load) and `npm run refine`. */
export const LOCAL_COMMANDS: Required<LocalCommands> = {
  extract: ['npm', 'run', 'extract'],
  load: ['npm', 'run', 'load'],
  sync: ['npm', 'start'],
  refine: ['npm', 'run', 'refine'],
};

/** Variables the Lambda runtime (or `sls invoke local`, which imitates it) sets. */
const LAMBDA_VARIABLES =
  /^(AWS_LAMBDA_|AWS_EXECUTION_ENV$|LAMBDA_|_HANDLER$|_X_AMZN_TRACE_ID$|TRIGGER_LAUNCHER$)/;

/**
 * `env` without the Lambda runtime's variables: a task started by the local launcher is a local
 * run, and must not take itself for one inside AWS (where a missing token is an error, not the sandbox).
 */
export function localTaskEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !LAMBDA_VARIABLES.test(key)));
}

/** How {@link runLocalTask} runs a task; every field has a default. */
export interface LocalRunOptions {
  /** Which argv runs which task; tests point this at their own scripts. Defaults to {@link LOCAL_COMMANDS}. */
  commands?: LocalCommands;
  /** Working directory of the child; defaults to `process.cwd()` (the project root under `sls invoke local`). */
  cwd?: string;
  /** Environment of the child (`LauncherConfig.taskEnv`: this process's, less the Lambda runtime's, {@link localTaskEnv}); inherits this process's when undefined. */
  env?: NodeJS.ProcessEnv;
  /** How many of the last output lines to return; defaults to 40. */
  tailLines?: number;
  /** Called with every output line as it arrives (to show progress). */
  onLine?: (line: string) => void;
  /** Aborting sends SIGTERM to the child, which then stops as a Fargate task would. */
  signal?: AbortSignal;
}

/** How a local run ended. */
export interface LocalRunResult {
  task: LocalStep;
  /** The command line that ran, for the response and the log. */
  command: string;
  /** The child's exit code; 128 + signal number when a signal ended it. */
  exitCode: number;
  /** The last lines of its stdout and stderr, interleaved as they arrived. */
  logTail: string[];
}

const running = new Map<LocalStep, number | undefined>();

/**
 * Run `task` as a child process on this machine and wait for it to end.
 *
 * @throws TaskAlreadyRunningError when this process already runs the same task.
 * @throws LaunchRefusedError when the command cannot be started at all (not found, not executable).
 */
export async function runLocalTask(task: LocalStep, options: LocalRunOptions = {}): Promise<LocalRunResult> {
  const argv = (options.commands ?? LOCAL_COMMANDS)[task] ?? LOCAL_COMMANDS[task];
  const [file, ...args] = argv;
  if (!file) throw new LaunchRefusedError(task, 'its local command is empty.');
  if (running.has(task)) throw new TaskAlreadyRunningError(task, [`pid ${running.get(task) ?? '?'}`]);
  const command = argv.join(' ');
  const maxLines = options.tailLines ?? 40;
  const tail: string[] = [];
  const push = (line: string): void => {
    options.onLine?.(line);
    tail.push(line);
    if (tail.length > maxLines) tail.shift();
  };

  running.set(task, undefined);
  try {
    return await new Promise<LocalRunResult>((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: options.cwd ?? process.cwd(),
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.set(task, child.pid);
      const onAbort = (): void => {
        child.kill('SIGTERM');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) push(line.replace(/\r$/, ''));
        });
        stream.on('end', () => {
          if (partial) push(partial);
          partial = '';
        });
      }
      child.once('error', (error) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(
          new LaunchRefusedError(task, `"${command}" could not be run (${error.message}).`, { cause: error }),
        );
      });
      // 'close' (not 'exit') waits until both pipes are drained, so the tail is complete.
      child.once('close', (code, signal) => {
        options.signal?.removeEventListener('abort', onAbort);
        const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
        resolve({ task, command, exitCode, logTail: [...tail] });
      });
    });
  } finally {
    running.delete(task);
  }
}
