import { SyncError } from '../errors';
import type { LocalStep } from './task-name';

/** The task asked for (or one it chains to) is still running: wait for it, do not start another. */
export class TaskAlreadyRunningError extends SyncError {
  readonly task: LocalStep;
  /** ARNs (or, locally, process ids) of the runs still going. */
  readonly running: readonly string[];
  constructor(task: LocalStep, running: readonly string[], options?: { cause?: unknown }) {
    super(
      `The ${task} task is already running (${running.join(', ')}). Wait until it stops, ` +
        'or stop it (aws ecs stop-task), before starting it again: two runs would race on the same lake files.',
      options,
    );
    this.task = task;
    this.running = running;
  }
}

/** ECS (or, locally, the operating system) would not start the task. */
export class LaunchRefusedError extends SyncError {
  readonly task: LocalStep;
  constructor(task: LocalStep, message: string, options?: { cause?: unknown }) {
    super(`The ${task} task could not be started: ${message}`, options);
    this.task = task;
  }
}
