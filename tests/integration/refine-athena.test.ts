import { Readable } from 'node:stream';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { DataError } from '../../lib/errors';
import { S3Store } from '../../lib/lake/s3-store';
import { runGoldJobOnAthena, unloadStatement } from '../../lib/refine/athena';
import { ATHENA, DUCKDB } from '../../lib/refine/dialect';
import { ANOMALIES } from '../../lib/refine/gold/anomalies';
import { TEAM_METRICS } from '../../lib/refine/gold/assignee-metrics';
import { GOLD_JOBS } from '../../lib/refine/jobs/registry';
import { quietLog } from '../helpers/refine-lake';
import { runCli } from '../helpers/run-cli';
import { startS3rver, type LocalS3 } from '../helpers/s3rver';

// Athena does not run here: its client is mocked and the exact calls asserted. The lake is s3rver.
const athena = mockClient(AthenaClient);
let s3: LocalS3;
let lake: S3Store;
const options = { since: '2026-11-02', until: '2026-11-15', now: new Date('2026-11-20T06:00:00Z') };

beforeAll(async () => {
  s3 = await startS3rver();
  lake = new S3Store(`s3://${s3.bucket}/lake`, { client: s3.client });
});

afterAll(async () => {
  athena.restore();
  await s3.close();
});

beforeEach(() => athena.reset());

function target() {
  return {
    client: new AthenaClient({ region: 'eu-west-1' }),
    workgroup: 'intercom-refine',
    database: 'intercom_lake',
    lake,
    lakeUrl: lake.url,
    log: quietLog,
    pollMs: 0,
  };
}

test('--engine athena clears gold/<job>/, unloads each table with the Athena dialect of the same query, and waits for each', async () => {
  await lake.put('gold/anomalies/anomalies/old.parquet', Readable.from(['stale']));
  athena
    .on(StartQueryExecutionCommand)
    .resolvesOnce({ QueryExecutionId: 'q-1' })
    .resolvesOnce({ QueryExecutionId: 'q-2' });
  athena
    .on(GetQueryExecutionCommand, { QueryExecutionId: 'q-1' })
    .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
    .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena
    .on(GetQueryExecutionCommand, { QueryExecutionId: 'q-2' })
    .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });

  const result = await runGoldJobOnAthena(ANOMALIES, options, target());

  expect(await lake.list('gold/anomalies/')).toEqual([]);
  const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
  expect(starts).toEqual(
    ANOMALIES.tables.map((table) => ({
      QueryString: unloadStatement(
        table.sql(ATHENA, options),
        `s3://${s3.bucket}/lake/gold/anomalies/${table.name}/`,
      ),
      WorkGroup: 'intercom-refine',
      QueryExecutionContext: { Database: 'intercom_lake' },
    })),
  );
  expect(starts[0]!.QueryString).toMatch(
    new RegExp(
      `^UNLOAD \\(.*\\) TO 's3://${s3.bucket}/lake/gold/anomalies/anomalies/' WITH \\(format = 'PARQUET', compression = 'ZSTD'\\)$`,
      's',
    ),
  );
  expect(
    athena.commandCalls(GetQueryExecutionCommand).map((call) => call.args[0].input.QueryExecutionId),
  ).toEqual(['q-1', 'q-1', 'q-2']);
  expect(Object.keys(result.outputs)).toEqual(['gold/anomalies/anomalies/', 'gold/anomalies/team_daily/']);
});

test("a failed Athena query is a DataError carrying Athena's reason, and nothing more is started", async () => {
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-9' });
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Bytes scanned limit was exceeded' } },
  });
  const run = runGoldJobOnAthena(TEAM_METRICS, options, target());
  await expect(run).rejects.toBeInstanceOf(DataError);
  await expect(runGoldJobOnAthena(TEAM_METRICS, options, target())).rejects.toThrow(
    'Athena query q-9 for team-metrics/team_metrics failed: Bytes scanned limit was exceeded.',
  );
  expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);
});

test('each gold query is rendered for Athena without DuckDB-only functions, and for DuckDB without Trino-only ones', () => {
  for (const job of GOLD_JOBS) {
    for (const table of job.tables) {
      expect(table.sql(ATHENA, options)).not.toMatch(/\bmedian\(|generate_series|any_value|list_transform/);
      expect(table.sql(DUCKDB, options)).not.toMatch(/approx_percentile|\bsequence\(/);
    }
  }
});

test('the CLI refuses --engine athena without its workgroup and database, for silver, or on a folder lake, naming each problem', async () => {
  const result = await runCli('tasks/refine/main.ts', { LAKE_URL: '/tmp/refine-folder-lake' }, [
    'silver',
    '--engine',
    'athena',
  ]);
  expect(result.code).toBe(2);
  const output = result.stdout + result.stderr;
  expect(output).toContain('--engine athena runs the gold jobs (conversation-metrics, admin-metrics');
  expect(output).toContain('ATHENA_WORKGROUP and GLUE_DATABASE must be set for --engine athena');
  expect(output).toContain('--engine athena reads and writes one s3:// lake');
});
