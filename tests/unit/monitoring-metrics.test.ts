import { loadMonitoringConfig } from '../../lib/config';
import {
  createTaskMetricsRecorder,
  emitTaskMetrics,
  formatEmf,
  METRICS_NAMESPACE,
  metricsWriter,
} from '../../lib/monitoring/metrics';

describe('formatEmf', () => {
  it('writes one JSON line whose directive names every metric and whose root carries the values', () => {
    const line = formatEmf({
      dimensions: { Task: 'extract' },
      metrics: [
        { name: 'Records', value: 1234, unit: 'Count' },
        { name: 'DurationMs', value: 56.5, unit: 'Milliseconds' },
      ],
      properties: { runId: '20261122T023700Z-3f9a1c' },
      timestamp: 1_795_315_576_040,
    });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(parsed).toEqual({
      _aws: {
        Timestamp: 1_795_315_576_040,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['Task']],
            Metrics: [
              { Name: 'Records', Unit: 'Count' },
              { Name: 'DurationMs', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Task: 'extract',
      Records: 1234,
      DurationMs: 56.5,
      runId: '20261122T023700Z-3f9a1c',
    });
  });

  it('every dimension and metric named in the directive has a value at the root (EMF rule)', () => {
    const parsed = JSON.parse(
      formatEmf({
        dimensions: { Task: 'load', Stream: 'users' },
        metrics: [{ name: 'Rows', value: 0, unit: 'Count' }],
      }),
    );
    const directive = parsed._aws.CloudWatchMetrics[0];
    for (const name of directive.Dimensions[0]) expect(typeof parsed[name]).toBe('string');
    for (const metric of directive.Metrics) expect(typeof parsed[metric.Name]).toBe('number');
    expect(typeof parsed._aws.Timestamp).toBe('number');
  });

  it.each([NaN, Infinity])('refuses a %s value that CloudWatch would drop', (value) => {
    expect(() =>
      formatEmf({ dimensions: { Task: 'x' }, metrics: [{ name: 'Records', value, unit: 'Count' }] }),
    ).toThrow(/finite/);
  });

  it('refuses a metric that reuses a dimension name', () => {
    expect(() =>
      formatEmf({ dimensions: { Task: 'x' }, metrics: [{ name: 'Task', value: 1, unit: 'Count' }] }),
    ).toThrow(/used twice/);
  });

  it('refuses a line with no metrics', () => {
    expect(() => formatEmf({ dimensions: {}, metrics: [] })).toThrow(/1 to 100/);
  });
});

describe('emitTaskMetrics', () => {
  it('emits records, requests, 429s, duration and failure under the Task dimension', () => {
    const lines: string[] = [];
    emitTaskMetrics(
      'extract',
      { records: 10, requests: 4, rateLimited: 1, durationMs: 900, succeeded: true },
      { write: (l) => lines.push(l), timestamp: 1 },
    );
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '');
    expect(parsed).toMatchObject({
      Task: 'extract',
      Records: 10,
      Requests: 4,
      RateLimited: 1,
      DurationMs: 900,
      Failed: 0,
    });
    expect(parsed._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual([
      'DurationMs',
      'Failed',
      'RateLimited',
      'Records',
      'Requests',
    ]);
  });

  it('marks a failed run with Failed = 1 and leaves out the counts a task does not have', () => {
    const lines: string[] = [];
    emitTaskMetrics('load', { records: 0, durationMs: 5, succeeded: false }, { write: (l) => lines.push(l) });
    const parsed = JSON.parse(lines[0] ?? '');
    expect(parsed.Failed).toBe(1);
    expect(parsed).not.toHaveProperty('Requests');
  });
});

describe('metricsWriter', () => {
  it('writes nothing outside AWS and to stdout inside Lambda or ECS, as the config says', () => {
    expect(metricsWriter(loadMonitoringConfig({}).emitMetrics)).toBeUndefined();
    expect(
      metricsWriter(loadMonitoringConfig({ AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' }).emitMetrics),
    ).toBeInstanceOf(Function);
  });
});

describe('createTaskMetricsRecorder', () => {
  it('adds counts up and leaves never-added ones out', () => {
    const recorder = createTaskMetricsRecorder();
    recorder.add({ records: 150, requests: 1 });
    recorder.add({ records: 20, requests: 1, rateLimited: 1 });
    recorder.add({ requests: 1 });
    expect(recorder.counts).toEqual({ records: 170, requests: 3, rateLimited: 1 });
    expect(createTaskMetricsRecorder().counts).toEqual({});
  });
});
