/** The tasks the trigger can start: `sync` is extract, then load once extract succeeded. */
export const TASK_NAMES = ['extract', 'load', 'sync'] as const;

/** One of {@link TASK_NAMES}. */
export type TaskName = (typeof TASK_NAMES)[number];

/** The tasks that exist as their own Fargate task definition (`sync` is a chain of both). */
export type EcsTaskName = Exclude<TaskName, 'sync'>;

/** A step a local run can be: a task, or a refine job (`npm run refine -- <job>`) after a sync's load. */
export type LocalStep = TaskName | 'refine';
