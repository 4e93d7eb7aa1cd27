/**
 * CloudWatch metrics as embedded metric format (EMF) lines.
 *
 * One JSON object per line on stdout; CloudWatch Logs turns it into metrics when it arrives
 * through the Lambda runtime or the ECS `awslogs` driver (PutLogEvents), no agent or API call
 * needed. Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * Hand-written rather than `aws-embedded-metrics`: the format is one small JSON object, and that
 * library's ECS default is a CloudWatch agent sidecar on TCP 25888 that this stack does not run.
 */

/** The namespace every metric of this project goes to. */
export const METRICS_NAMESPACE = 'IntercomLakeSync';

/** The CloudWatch units this project uses. */
export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'Bytes' | 'Count/Second' | 'None';

/** One value of one metric. */
export interface MetricValue {
  name: string;
  value: number;
  unit: MetricUnit;
}

/** What goes into one EMF line. */
export interface EmfInput {
  /** Defaults to {@link METRICS_NAMESPACE}. */
  namespace?: string;
  /** Dimension name -> value, e.g. `{ Task: 'extract' }`; at most 30. */
  dimensions: Record<string, string>;
  /** At most 100 metrics per line (an EMF limit). */
  metrics: readonly MetricValue[];
  /** Extra searchable fields that are not metrics (run id, API version). */
  properties?: Record<string, string | number | boolean>;
  /** Epoch milliseconds; defaults to now. */
  timestamp?: number;
}

const MAX_METRICS = 100;
const MAX_DIMENSIONS = 30;

/**
 * The EMF JSON line (without a newline) for `input`.
 *
 * @throws Error when a value is not a finite number, a name is empty or used twice, or the
 *   EMF limits (100 metrics, 30 dimensions) are exceeded: CloudWatch would drop such a line silently.
 */
export function formatEmf(input: EmfInput): string {
  const dimensionNames = Object.keys(input.dimensions);
  if (input.metrics.length === 0 || input.metrics.length > MAX_METRICS) {
    throw new Error(`an EMF line carries 1 to ${MAX_METRICS} metrics, got ${input.metrics.length}`);
  }
  if (dimensionNames.length > MAX_DIMENSIONS) {
    throw new Error(`an EMF dimension set has at most ${MAX_DIMENSIONS} dimensions`);
  }
  const root: Record<string, unknown> = {};
  const claim = (name: string, value: unknown): void => {
    if (!name || name.length > 255 || name === '_aws' || name in root) {
      throw new Error(`EMF field name "${name}" is empty, too long, reserved or used twice`);
    }
    root[name] = value;
  };
  for (const [name, value] of Object.entries(input.dimensions)) claim(name, value);
  for (const metric of input.metrics) {
    if (!Number.isFinite(metric.value)) {
      throw new Error(`metric ${metric.name} is ${metric.value}; CloudWatch accepts finite numbers only`);
    }
    claim(metric.name, metric.value);
  }
  for (const [name, value] of Object.entries(input.properties ?? {})) claim(name, value);
  const line = {
    _aws: {
      Timestamp: input.timestamp ?? Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: input.namespace ?? METRICS_NAMESPACE,
          Dimensions: [dimensionNames],
          Metrics: input.metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...root,
  };
  return JSON.stringify(line);
}

/**
 * Where EMF lines go: stdout inside AWS (`Config.monitoring.emitMetrics`, from the
 * `AWS_EXECUTION_ENV` that Lambda and ECS set), nowhere on a laptop.
 */
export function metricsWriter(inAws: boolean): ((line: string) => void) | undefined {
  if (!inAws) return undefined;
  return (line) => {
    process.stdout.write(`${line}\n`);
  };
}

/**
 * Write one EMF line with `input`; with no writer (outside AWS, see {@link metricsWriter}) nothing
 * is written, but the line is still checked.
 *
 * @throws Error as {@link formatEmf} does.
 */
export function emitMetrics(input: EmfInput, write: ((line: string) => void) | undefined): void {
  const line = formatEmf(input);
  write?.(line);
}

/** What a task reports when it ends. */
export interface TaskMetrics {
  /** Records written (extract) or rows loaded (load). */
  records?: number;
  /** HTTP requests made to Intercom (extract only). */
  requests?: number;
  /** 429 answers received (extract only). */
  rateLimited?: number;
  durationMs: number;
  /** 1 when the task finished whole, 0 otherwise. */
  succeeded: boolean;
}

/**
 * Emit the end-of-task metrics `Records`, `Requests`, `RateLimited`, `DurationMs`, `Failed`
 * under the dimension `Task`.
 *
 * @throws Error as {@link formatEmf} does (a NaN count, say).
 */
export function emitTaskMetrics(
  task: string,
  metrics: TaskMetrics,
  options: { properties?: EmfInput['properties']; write?: (line: string) => void; timestamp?: number } = {},
): void {
  const values: MetricValue[] = [
    { name: 'DurationMs', value: metrics.durationMs, unit: 'Milliseconds' },
    { name: 'Failed', value: metrics.succeeded ? 0 : 1, unit: 'Count' },
  ];
  if (metrics.records !== undefined) values.push({ name: 'Records', value: metrics.records, unit: 'Count' });
  if (metrics.requests !== undefined)
    values.push({ name: 'Requests', value: metrics.requests, unit: 'Count' });
  if (metrics.rateLimited !== undefined) {
    values.push({ name: 'RateLimited', value: metrics.rateLimited, unit: 'Count' });
  }
  emitMetrics(
    {
      dimensions: { Task: task },
      metrics: values,
      properties: options.properties,
      timestamp: options.timestamp,
    },
    options.write,
  );
}

/** The counts a task can add to while it runs; see {@link createTaskMetricsRecorder}. */
export type TaskCounts = Pick<TaskMetrics, 'records' | 'requests' | 'rateLimited'>;

/** Collects a task's counts while it runs; `runMain` emits them once when the task ends (extract-with-config and tasks/load add them). */
export interface TaskMetricsRecorder {
  /** Add to the counts, e.g. `add({ records: page.length, requests: 1 })`. */
  add(counts: TaskCounts): void;
  /** The totals so far; a count never added stays undefined (and is not emitted). */
  readonly counts: Readonly<TaskCounts>;
}

/** A fresh {@link TaskMetricsRecorder} with no counts. */
export function createTaskMetricsRecorder(): TaskMetricsRecorder {
  const counts: TaskCounts = {};
  return {
    add(more) {
      for (const key of ['records', 'requests', 'rateLimited'] as const) {
        const n = more[key];
        if (n !== undefined) counts[key] = (counts[key] ?? 0) + n;
      }
    },
    get counts() {
      return { ...counts };
    },
  };
}
