import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { catalogTables } from '../../lib/refine/catalog';
import { SYNC_REFINE_JOBS } from '../../lib/launcher/orchestration';
import { REFINE_JOBS } from '../../lib/refine/jobs/registry';
import { catalogYaml, describeRefinedTables, renderServerlessYml } from '../../scripts/refine-catalog';

// The refine's part of serverless.yml. tests/integration/template.test.ts checks every resource
// against the AWS resource specification through `sls package`; this checks what the refine needs.
jest.setTimeout(120_000);

type Json = Record<string, unknown>;
let yml: string;
let resources: Record<string, { Type: string; Properties: Json }>;
let params: Record<string, unknown>;

beforeAll(async () => {
  yml = await readFile(path.join(__dirname, '../../serverless.yml'), 'utf8');
  const parsed = parse(yml) as { resources: { Resources: typeof resources }; params: { default: Json } };
  resources = parsed.resources.Resources;
  params = parsed.params.default;
});

test('the generated block of serverless.yml is up to date: `npm run refine:catalog` gives the same text', async () => {
  expect(await renderServerlessYml(yml, catalogYaml(await describeRefinedTables()))).toBe(yml);
});

test('one Fargate task definition per refine job, all on the one image, each running its job', () => {
  const definitions = Object.entries(resources).filter(
    ([id, r]) => r.Type === 'AWS::ECS::TaskDefinition' && id.startsWith('Refine'),
  );
  const commands = definitions.map(
    ([, r]) => (r.Properties.ContainerDefinitions as { Command: string[]; Image: unknown }[])[0]!,
  );
  expect(commands.map((c) => c.Command)).toEqual(
    REFINE_JOBS.map((job) => ['node', 'dist/refine.js', job.name]),
  );
  for (const [, r] of definitions) {
    expect(r.Properties).toMatchObject({
      Cpu: '${param:refineCpu}',
      Memory: '${param:refineMemory}',
      EphemeralStorage: { SizeInGiB: '${param:refineEphemeralStorageGiB}' },
      TaskRoleArn: { 'Fn::GetAtt': ['RefineTaskRole', 'Arn'] },
    });
  }
  expect(new Set(commands.map((c) => JSON.stringify(c.Image))).size).toBe(1);
  // 1 vCPU and 2 GiB hold DuckDB's 1GB memory_limit plus the 100-170 MB it runs over (docs/BENCHMARKS.md).
  expect(params).toMatchObject({ refineCpu: '1024', refineMemory: '2048', refineMemoryLimit: '1GB' });
});

test('a Glue table over every silver and gold table, month partitions projected (no crawler), Parquet at its lake prefix', () => {
  // The refine's tables live in RefineDatabase; the webhooks' `events` table has its own database.
  const tables = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::Glue::Table' &&
      JSON.stringify(r.Properties.DatabaseName) === '{"Ref":"RefineDatabase"}',
  );
  const inputs = tables.map(
    (t) => t.Properties.TableInput as Json & { Name: string; Parameters: Json; StorageDescriptor: Json },
  );
  expect(inputs.map((t) => t.Name).sort()).toEqual(
    catalogTables()
      .map((t) => t.name)
      .sort(),
  );
  for (const table of catalogTables()) {
    const input = inputs.find((t) => t.Name === table.name)!;
    expect(JSON.stringify(input.StorageDescriptor.Location)).toContain(`/${table.prefix}`);
    expect((input.StorageDescriptor.SerdeInfo as Json).SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
    if (table.monthPartitioned) {
      expect(input.PartitionKeys).toEqual([{ Name: 'month', Type: 'string' }]);
      expect(input.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.month.type': 'date',
        'projection.month.format': 'yyyy-MM',
      });
    } else {
      expect(input.PartitionKeys).toBeUndefined();
    }
  }
  expect(Object.values(resources).some((r) => r.Type === 'AWS::Glue::Crawler')).toBe(false);
});

test('an Athena workgroup with its result location in the lake, a bytes-scanned cutoff, and enforced settings', () => {
  const workgroup = resources.RefineWorkGroup!.Properties.WorkGroupConfiguration as Json;
  expect(workgroup).toMatchObject({
    EnforceWorkGroupConfiguration: true,
    BytesScannedCutoffPerQuery: '${param:athenaBytesScannedCutoff}',
    ResultConfiguration: {
      OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: 'LakeBucket' }, '/athena-results/']] },
    },
  });
  expect(params.athenaBytesScannedCutoff).toBe(10737418240);
});

test('the refine task role reads the lake, writes only silver/, gold/ and athena-results/, and queries only its workgroup and database', () => {
  const text = JSON.stringify(resources.RefineTaskRole!.Properties.Policies);
  const statements = (
    resources.RefineTaskRole!.Properties.Policies as { PolicyDocument: { Statement: Json[] } }[]
  )[0]!.PolicyDocument.Statement;
  const writes = statements.find((s) => (s.Action as string[]).includes('s3:PutObject'))!;
  expect(JSON.stringify(writes.Resource).match(/\/[a-z-]+\/\*/g)).toEqual([
    '/silver/*',
    '/gold/*',
    '/athena-results/*',
  ]);
  expect(text).toContain(':workgroup/');
  expect(text).toContain('{"Ref":"RefineWorkGroup"}');
  expect(text).toContain('{"Ref":"RefineDatabase"}');
  expect(text).not.toMatch(/"(athena|glue|s3):\*"|secretsmanager/);
});

test('the sync runs every refine job after the load: the local trigger names the same jobs as the registry', () => {
  expect([...SYNC_REFINE_JOBS]).toEqual(REFINE_JOBS.map((job) => job.name));
});
