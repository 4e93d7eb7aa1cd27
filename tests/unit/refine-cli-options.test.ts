import { loadConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import { parseRefineArgs } from '../../tasks/refine/cli-options';

test('parses a job with its lake overrides, window and engine', () => {
  expect(
    parseRefineArgs([
      'top-volume',
      '--input',
      's3://a/lake',
      '--output',
      '/tmp/out',
      '--since',
      '2026-11-01',
      '--until',
      '2026-11-30',
      '--engine',
      'athena',
    ]),
  ).toEqual({
    job: 'top-volume',
    input: 's3://a/lake',
    output: '/tmp/out',
    since: '2026-11-01',
    until: '2026-11-30',
    engine: 'athena',
  });
  expect(parseRefineArgs(['silver'])).toEqual({
    job: 'silver',
    input: undefined,
    output: undefined,
    since: undefined,
    until: undefined,
    engine: 'duckdb',
  });
});

test('names every problem of bad arguments at once', () => {
  const error = (() => {
    try {
      parseRefineArgs(['--since', '2026-13-40', '--until', 'yesterday', '--engine', 'spark']);
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('no error');
  })();
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.problems).toEqual([
    expect.stringMatching(/^Name exactly one job\. Usage: npm run refine -- <job>/),
    '--since "2026-13-40" is not a day such as 2026-11-30.',
    '--until "yesterday" is not a day such as 2026-11-30.',
    '--engine is "spark"; use duckdb or athena.',
  ]);
  expect(() => parseRefineArgs(['anomalies', '--since', '2026-11-30', '--until', '2026-11-01'])).toThrow(
    '--since 2026-11-30 is after --until 2026-11-01.',
  );
  expect(() => parseRefineArgs(['silver', '--bogus'])).toThrow(
    /Unknown option '--bogus'.*Usage: npm run refine/,
  );
});

test('REFINE_* configure DuckDB, with defaults, and a bad size is a ConfigError', () => {
  expect(loadConfig({}).refine).toEqual({
    memoryLimit: '1GB',
    threads: 2,
    workDir: undefined,
    athena: { workgroup: undefined, database: undefined },
  });
  expect(
    loadConfig({
      REFINE_MEMORY_LIMIT: '512MB',
      REFINE_THREADS: '1',
      ATHENA_WORKGROUP: 'wg',
      GLUE_DATABASE: 'db',
    }).refine,
  ).toMatchObject({
    memoryLimit: '512MB',
    threads: 1,
    athena: { workgroup: 'wg', database: 'db' },
  });
  expect(() => loadConfig({ REFINE_MEMORY_LIMIT: 'lots', REFINE_THREADS: '0' })).toThrow(
    /REFINE_MEMORY_LIMIT "lots" is not a size such as 1GB or 512MB\.[\s\S]*REFINE_THREADS "0" is not a whole number of at least 1\./,
  );
});
