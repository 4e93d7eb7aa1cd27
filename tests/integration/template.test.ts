import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { PropertyType, SpecDatabase } from '@aws-cdk/service-spec-types';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import validateAsl from 'asl-validator';
import { GOLD_JOBS, REFINE_JOBS } from '../../lib/refine/jobs/registry';
import { runSlsOffline, slsPackageOffline } from '../../scripts/sls-offline';

/** Reads the CloudFormation template that `sls package` writes, offline, with no AWS credentials. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: Json }>;
}

let dir: string;
let template: Template;
/** The core template osls deploys first: it holds the deployment bucket. */
let coreTemplate: Template;
let spec: SpecDatabase;
let zipBytes: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sls-package-'));
  const [, loaded] = await Promise.all([slsPackageOffline(dir, 'citest', 50_000), loadAwsServiceSpec()]);
  spec = loaded;
  template = JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  coreTemplate = JSON.parse(
    await readFile(path.join(dir, 'cloudformation-template-create-stack.json'), 'utf8'),
  );
  zipBytes = (await stat(path.join(dir, 'trigger.zip'))).size;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resourcesOf = (type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

const isIntrinsic = (v: Json): boolean =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  /^(Ref|Fn::|Condition)/.test(Object.keys(v)[0] ?? '');

/** Problems of `value` against a spec property type; intrinsic functions are taken on trust. */
function checkValue(value: Json, type: PropertyType, where: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  switch (type.type) {
    case 'ref': {
      const definition = spec.get('typeDefinition', type.reference);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${where} should be an object (${definition.name})`);
        return;
      }
      checkObject(value, definition.properties, where, problems);
      return;
    }
    case 'array':
      if (!Array.isArray(value)) problems.push(`${where} should be a list`);
      else value.forEach((item, i) => checkValue(item, type.element, `${where}[${i}]`, problems));
      return;
    case 'map':
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) checkValue(v, type.element, `${where}.${k}`, problems);
      }
      return;
    case 'union': {
      const fits = type.types.some((t) => {
        const sub: string[] = [];
        checkValue(value, t, where, sub);
        return sub.length === 0;
      });
      if (!fits) problems.push(`${where} matches none of its allowed types`);
      return;
    }
    default:
      return; // Primitives and JSON: CloudFormation coerces scalars; policy documents are JSON.
  }
}

function checkObject(
  value: { [key: string]: Json },
  properties: Record<string, { type: PropertyType; required?: boolean }>,
  where: string,
  problems: string[],
): void {
  for (const [name, v] of Object.entries(value)) {
    const property = properties[name];
    if (!property) problems.push(`${where}.${name} is not a property of the spec`);
    else checkValue(v, property.type, `${where}.${name}`, problems);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${where}.${name} is required`);
  }
}

/** Every `Allow` statement of every policy in the template, with where it sits. */
function allowStatements(): { where: string; statement: Record<string, Json> }[] {
  const found: { where: string; statement: Record<string, Json> }[] = [];
  const walk = (v: Json, where: string): void => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${where}[${i}]`));
    else if (v && typeof v === 'object') {
      if (Array.isArray(v.Statement)) {
        for (const s of v.Statement) {
          if (s && typeof s === 'object' && !Array.isArray(s) && s.Effect === 'Allow')
            found.push({ where, statement: s });
        }
      }
      for (const [k, item] of Object.entries(v)) walk(item, `${where}.${k}`);
    }
  };
  for (const [id, r] of Object.entries(template.Resources)) walk(r.Properties ?? {}, id);
  return found;
}

/** What makes bucket `id` less private than the lake: public access, no encryption, plain HTTP allowed. */
function bucketProblems(where: string, id: string, bucket: Resource, policies: Resource[]): string[] {
  const problems: string[] = [];
  const props = bucket.Properties ?? {};
  const block = props.PublicAccessBlockConfiguration as Record<string, Json> | undefined;
  const flags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
  if (!flags.every((flag) => block?.[flag] === true)) problems.push(`${where}: public access not blocked`);
  if (
    !/"SSEAlgorithm":"(AES256|aws:kms|aws:kms:dsse)"/.test(JSON.stringify(props.BucketEncryption ?? null))
  ) {
    problems.push(`${where}: not encrypted`);
  }
  const refersToBucket = (v: Json | undefined): boolean => JSON.stringify(v) === JSON.stringify({ Ref: id });
  const tlsOnly = policies.some((policy) => {
    if (!refersToBucket(policy.Properties?.Bucket)) return false;
    const document = policy.Properties?.PolicyDocument as { Statement?: Record<string, Json>[] } | undefined;
    return (document?.Statement ?? []).some((s) => {
      const secure = (s.Condition as { Bool?: Record<string, Json> } | undefined)?.Bool?.[
        'aws:SecureTransport'
      ];
      return s.Effect === 'Deny' && String(secure) === 'false';
    });
  });
  if (!tlsOnly) problems.push(`${where}: no bucket policy denying requests without TLS`);
  return problems;
}

const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('sls package (offline) CloudFormation template', () => {
  it('uses only resource types and properties that exist in the AWS resource specification', () => {
    const problems: string[] = [];
    for (const [id, resource] of Object.entries(template.Resources)) {
      const found = spec.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
      const definition = found[0];
      if (!definition) {
        problems.push(`${id}: ${resource.Type} is not a CloudFormation resource type`);
        continue;
      }
      checkObject(resource.Properties ?? {}, definition.properties, `${id}`, problems);
    }
    expect(problems).toEqual([]);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(20);
  });

  it('the specification check itself catches unknown and missing properties', () => {
    const definition = spec.lookup('resource', 'cloudFormationType', 'equals', 'AWS::ECS::TaskDefinition')[0];
    const problems: string[] = [];
    checkObject(
      { Cpux: '256', ContainerDefinitions: [{ Name: 'x', Image: 'i', PortMapping: [] }] },
      definition?.properties ?? {},
      'Bad',
      problems,
    );
    expect(problems).toEqual([
      'Bad.Cpux is not a property of the spec',
      'Bad.ContainerDefinitions[0].PortMapping is not a property of the spec',
    ]);
  });

  it('has no IAM statement that allows a wildcard action', () => {
    const statements = allowStatements();
    expect(statements.length).toBeGreaterThan(5);
    const wildcards = statements.flatMap(({ where, statement }) =>
      asList(statement.Action)
        .filter((a) => typeof a !== 'string' || a === '*' || a.endsWith(':*'))
        .map((a) => `${where}: ${JSON.stringify(a)}`),
    );
    expect(wildcards).toEqual([]);
    expect(statements.every(({ statement }) => statement.NotAction === undefined)).toBe(true);
  });

  it('lets the trigger RunTask only the two task definitions on its cluster and PassRole only their roles', () => {
    const role = template.Resources.IamRoleLambdaExecution;
    const statements = JSON.stringify(role?.Properties?.Policies);
    const policy = JSON.parse(statements) as { PolicyDocument: { Statement: Record<string, Json>[] } }[];
    const all = policy.flatMap((p) => p.PolicyDocument.Statement);
    const runTask = all.find((s) => s.Action === 'ecs:RunTask' || asList(s.Action).includes('ecs:RunTask'));
    expect(runTask?.Resource).toEqual([{ Ref: 'ExtractTaskDefinition' }, { Ref: 'LoadTaskDefinition' }]);
    expect(runTask?.Condition).toEqual({
      ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': ['TaskCluster', 'Arn'] } },
    });
    const passRole = all.find((s) => asList(s.Action).includes('iam:PassRole'));
    expect(passRole?.Resource).toEqual(
      ['ExtractTaskRole', 'ExtractExecutionRole', 'LoadTaskRole', 'LoadExecutionRole'].map((r) => ({
        'Fn::GetAtt': [r, 'Arn'],
      })),
    );
    // Only ECS's own permissions, logs for its log group, starting (and listing) executions of the
    // sync state machine alone, and nothing on S3 or secrets.
    const actions = all.flatMap((s) => asList(s.Action)).map(String);
    expect(actions.filter((a) => !/^(ecs|iam|logs|states):/.test(a))).toEqual([]);
    const states = all.filter((s) => asList(s.Action).some((a) => String(a).startsWith('states:')));
    expect(states).toEqual([
      {
        Effect: 'Allow',
        Action: ['states:StartExecution', 'states:ListExecutions'],
        Resource: { Ref: 'SyncStateMachine' },
      },
    ]);
  });

  it('lets each task role touch only the lake bucket, and load only read it', () => {
    for (const id of ['ExtractTaskRole', 'LoadTaskRole']) {
      const text = JSON.stringify(template.Resources[id]?.Properties?.Policies);
      const actions = [...text.matchAll(/"(s3|secretsmanager|ecr|logs|ecs|iam|kms):[A-Za-z]+"/g)].map(
        (m) => m[1],
      );
      expect(new Set(actions)).toEqual(new Set(['s3']));
      expect(text).toContain('LakeBucket');
    }
    const load = JSON.stringify(template.Resources.LoadTaskRole?.Properties?.Policies);
    expect(load).not.toMatch(/s3:(Put|Delete)/);
  });

  it('gives each execution role exactly its own secret', () => {
    const extract = JSON.stringify(template.Resources.ExtractExecutionRole?.Properties?.Policies);
    const load = JSON.stringify(template.Resources.LoadExecutionRole?.Properties?.Policies);
    expect(extract).toContain('"Resource":{"Ref":"IntercomTokenSecret"}');
    expect(extract).not.toContain('DatabaseUrlSecret');
    expect(load).toContain('"Resource":{"Ref":"DatabaseUrlSecret"}');
    expect(load).not.toContain('IntercomTokenSecret');
  });

  it('blocks all public access to the lake bucket, encrypts it, versions it and refuses plain HTTP', () => {
    const bucket = template.Resources.LakeBucket?.Properties ?? {};
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('SSEAlgorithm');
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = (
      bucket.LifecycleConfiguration as { Rules: { Prefix?: string; ExpirationInDays?: number }[] }
    ).Rules;
    expect(rules.find((r) => r.Prefix === 'runs/')?.ExpirationInDays).toBeGreaterThan(0);
    // Import uploads, current (never imported) and noncurrent (deleted once imported), go after a day.
    expect(rules.find((r) => r.Prefix === 'imports/incoming/')).toMatchObject({
      Status: 'Enabled',
      ExpirationInDays: 1,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
    const policy = JSON.stringify(template.Resources.LakeBucketPolicy?.Properties);
    expect(policy).toContain('"Effect":"Deny"');
    expect(policy).toContain('"aws:SecureTransport":"false"');
  });

  it('keeps every S3 bucket of both templates private: public access blocked, encrypted, TLS only', () => {
    const problems: string[] = [];
    let buckets = 0;
    for (const [name, t] of [
      ['create-stack', coreTemplate],
      ['update-stack', template],
    ] as const) {
      const policies = Object.values(t.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
      for (const [id, bucket] of Object.entries(t.Resources).filter(
        ([, r]) => r.Type === 'AWS::S3::Bucket',
      )) {
        buckets++;
        problems.push(...bucketProblems(`${name} ${id}`, id, bucket, policies));
      }
    }
    expect(problems).toEqual([]);
    // The lake in the update template, the deployment bucket in both.
    expect(buckets).toBe(3);
  });

  it('the bucket check itself catches a bucket left public, unencrypted or open to plain HTTP', () => {
    const policy: Resource = {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'Other' },
        PolicyDocument: {
          Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
        },
      },
    };
    expect(bucketProblems('t B', 'B', { Type: 'AWS::S3::Bucket', Properties: {} }, [policy])).toEqual([
      't B: public access not blocked',
      't B: not encrypted',
      't B: no bucket policy denying requests without TLS',
    ]);
  });

  it('injects the secrets as references and never as plain values', () => {
    for (const [id, secret] of resourcesOf('AWS::SecretsManager::Secret')) {
      expect([id, secret.Properties?.SecretString]).toEqual([id, undefined]);
    }
    const definitions = resourcesOf('AWS::ECS::TaskDefinition');
    // Extract and load get one secret each; the refine jobs read only the lake and get none.
    expect(definitions.filter(([id]) => !id.startsWith('Refine'))).toHaveLength(2);
    for (const [id, definition] of definitions) {
      const containers = definition.Properties?.ContainerDefinitions as {
        Environment: { Name: string; Value: Json }[];
        Secrets?: { Name: string; ValueFrom: Json }[];
      }[];
      for (const container of containers) {
        const plain = container.Environment.map((e) => e.Name);
        expect(plain.filter((n) => /TOKEN|PASSWORD|DATABASE_URL|SECRET/.test(n))).toEqual([]);
        expect(container.Secrets?.length ?? 0).toBe(id.startsWith('Refine') ? 0 : 1);
        for (const s of container.Secrets ?? [])
          expect(s.ValueFrom).toEqual({ Ref: expect.stringMatching(/Secret$/) });
      }
    }
    const lambdaEnv = Object.keys(
      (
        template.Resources.TriggerLambdaFunction?.Properties?.Environment as {
          Variables: Record<string, Json>;
        }
      ).Variables,
    );
    expect(lambdaEnv.filter((n) => /TOKEN|PASSWORD|DATABASE_URL/.test(n))).toEqual([]);
  });

  it('sizes both tasks at the smallest Fargate size by default, with log groups that expire', () => {
    for (const [, definition] of resourcesOf('AWS::ECS::TaskDefinition').filter(
      ([id]) => !id.startsWith('Refine'),
    )) {
      expect([String(definition.Properties?.Cpu), String(definition.Properties?.Memory)]).toEqual([
        '256',
        '512',
      ]);
      expect(definition.Properties?.RequiresCompatibilities).toEqual(['FARGATE']);
    }
    for (const [, group] of resourcesOf('AWS::Logs::LogGroup')) {
      expect(group.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('gives the trigger every RunTask setting from the template and the stage params', () => {
    const fn = template.Resources.TriggerLambdaFunction?.Properties ?? {};
    expect(fn.Runtime).toBe('nodejs22.x');
    expect((fn.Environment as { Variables: Record<string, Json> }).Variables).toMatchObject({
      CLUSTER_ARN: { 'Fn::GetAtt': ['TaskCluster', 'Arn'] },
      EXTRACT_TASK_DEFINITION_ARN: { Ref: 'ExtractTaskDefinition' },
      LOAD_TASK_DEFINITION_ARN: { Ref: 'LoadTaskDefinition' },
      SUBNETS: 'subnet-aaa,subnet-bbb',
      SECURITY_GROUPS: 'sg-123',
      ASSIGN_PUBLIC_IP: 'DISABLED',
      EXTRACT_CONTAINER_NAME: 'extract',
      LOAD_CONTAINER_NAME: 'load',
    });
  });

  it('starts load when a sync extract stops with exit code 0, and alarms when a task fails', () => {
    const rules = resourcesOf('AWS::Events::Rule').map(([, r]) => r.Properties ?? {});
    const chain = rules.find((r) => JSON.stringify(r.EventPattern ?? null).includes('trigger/sync'));
    expect(chain?.EventPattern).toMatchObject({
      source: ['aws.ecs'],
      detail: { lastStatus: ['STOPPED'], startedBy: ['trigger/sync'], containers: { exitCode: [0] } },
    });
    expect(JSON.stringify(chain?.Targets)).toContain('{\\"task\\":\\"load\\"}');
    const alarm = resourcesOf('AWS::CloudWatch::Alarm')[0]?.[1].Properties;
    expect(alarm?.Dimensions).toEqual([{ Name: 'RuleName', Value: { Ref: 'TaskFailedRule' } }]);
  });

  it('outputs everything `aws ecs run-task` needs', () => {
    for (const key of [
      'ClusterArn',
      'ExtractTaskDefinitionArn',
      'LoadTaskDefinitionArn',
      'Subnets',
      'SecurityGroups',
      'AssignPublicIp',
      'ExtractRunTaskCommand',
      'LoadRunTaskCommand',
    ]) {
      expect(template.Outputs).toHaveProperty(key);
    }
    expect(template.Outputs.Subnets?.Value).toBe('subnet-aaa,subnet-bbb');
  });

  it('defines the sync state machine in valid Amazon States Language, every placeholder substituted', () => {
    const machine = resourcesOf('AWS::StepFunctions::StateMachine')[0]?.[1].Properties ?? {};
    const definition = machine.Definition as Record<string, Json>;
    expect(validateAsl(definition)).toMatchObject({ isValid: true, errors: [] });
    const placeholders = new Set([...JSON.stringify(definition).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(
      Object.keys(machine.DefinitionSubstitutions as Record<string, Json>).sort(),
    );
  });

  it('the ASL check itself catches a transition to a missing state', () => {
    const machine = resourcesOf('AWS::StepFunctions::StateMachine')[0]?.[1].Properties ?? {};
    const broken = JSON.parse(JSON.stringify(machine.Definition)) as {
      States: Record<string, Record<string, Json>>;
    };
    (broken.States.Extract as Record<string, Json>).Next = 'Lodd';
    expect(validateAsl(broken).isValid).toBe(false);
  });

  it('runs extract then load as ECS .sync tasks with retries and backoff, a catch that fails the execution, and a Map over days', () => {
    const machine = resourcesOf('AWS::StepFunctions::StateMachine')[0]?.[1].Properties ?? {};
    const states = (machine.Definition as { States: Record<string, Record<string, Json>> }).States;
    for (const name of ['Extract', 'Load']) {
      const state = states[name] ?? {};
      expect(state.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
      expect(state.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: ['States.TaskFailed', 'ECS.AmazonECSException'],
          BackoffRate: 2,
        }),
      ]);
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }]);
    }
    expect(states.Extract?.Next).toBe('Load');
    expect(states.Failed?.Type).toBe('Fail');
    expect(JSON.stringify(states.Extract?.Parameters)).toContain("'dist/extract.js', '--mode', $.mode");
    const days = states.Days as Record<string, Json>;
    expect(days).toMatchObject({ Type: 'Map', ItemsPath: '$.days', MaxConcurrency: 1 });
    expect(JSON.stringify(days.ItemProcessor)).toContain("'--since', $.day, '--until', $.day");
    const alarm = resourcesOf('AWS::CloudWatch::Alarm')
      .map(([, r]) => r.Properties ?? {})
      .find((p) => p.MetricName === 'ExecutionsFailed');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'SyncStateMachine' } }],
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it('runs the refine after the load: silver, every gold job in parallel, then the report, each a retried ECS .sync task', () => {
    const machine = resourcesOf('AWS::StepFunctions::StateMachine')[0]?.[1].Properties ?? {};
    const states = (machine.Definition as { States: Record<string, Record<string, Json>> }).States;
    const taskDefinitionId = (job: string): string =>
      `Refine${job.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}TaskDefinition`;
    const runs = (state: Record<string, Json> | undefined): Json =>
      (state?.Parameters as Record<string, Json> | undefined)?.TaskDefinition ?? null;
    const retried = (state: Record<string, Json> | undefined): void => {
      expect(state?.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
      expect(state?.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: ['States.TaskFailed', 'ECS.AmazonECSException'],
          BackoffRate: 2,
        }),
      ]);
    };
    const failed = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }];

    expect(states.Load?.Next).toBe('Silver');
    retried(states.Silver);
    expect(runs(states.Silver)).toBe('${RefineSilverTaskDefinition}');
    expect(states.Silver?.Catch).toEqual(failed);
    expect(states.Silver?.Next).toBe('Gold');

    const gold = states.Gold as {
      Type: string;
      Branches: { StartAt: string; States: Record<string, Record<string, Json>> }[];
      Catch: Json;
      Next: string;
    };
    expect(gold.Type).toBe('Parallel');
    expect(gold.Catch).toEqual(failed);
    const branches = gold.Branches.map((b) => b.States[b.StartAt]);
    branches.forEach(retried);
    expect(branches.map(runs).sort()).toEqual(GOLD_JOBS.map((j) => `\${${taskDefinitionId(j.name)}}`).sort());
    expect(gold.Next).toBe('Report');

    retried(states.Report);
    expect(runs(states.Report)).toBe('${RefineReportTaskDefinition}');
    expect(states.Report?.Catch).toEqual(failed);
    expect(states.Report?.Next).toBe('Outcome');

    // Every refine job runs, each by the task definition of its own name, which the role may run and pass.
    const substitutions = machine.DefinitionSubstitutions as Record<string, Json>;
    const role = template.Resources.SyncStateMachineRole?.Properties ?? {};
    const statements = JSON.stringify(role.Policies);
    for (const job of REFINE_JOBS) {
      const id = taskDefinitionId(job.name);
      expect(template.Resources[id]?.Type).toBe('AWS::ECS::TaskDefinition');
      expect(substitutions[id]).toEqual({ Ref: id });
      expect(statements).toContain(JSON.stringify({ Ref: id }));
    }
    expect(statements).toContain(JSON.stringify({ 'Fn::GetAtt': ['RefineTaskRole', 'Arn'] }));
    expect(statements).toContain(JSON.stringify({ 'Fn::GetAtt': ['RefineExecutionRole', 'Arn'] }));
  });

  it('schedules an hourly incremental and a weekly full sync through the trigger, off unless the stage turns them on', () => {
    const schedules = Object.fromEntries(
      resourcesOf('AWS::Scheduler::Schedule').map(([id, r]) => [id, r.Properties ?? {}]),
    );
    expect(schedules.IncrementalSyncSchedule).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      State: 'DISABLED',
      Target: {
        Arn: { 'Fn::GetAtt': ['TriggerLambdaFunction', 'Arn'] },
        Input: '{"task":"sync","mode":"incremental"}',
      },
    });
    expect(schedules.FullSyncSchedule).toMatchObject({
      ScheduleExpression: 'cron(0 3 ? * SUN *)',
      Target: { Input: '{"task":"sync","mode":"full"}' },
    });
    const role = template.Resources.SchedulerRole?.Properties ?? {};
    expect(JSON.stringify(role.Policies)).toBe(
      JSON.stringify([
        {
          PolicyName: 'invoke-trigger',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'lambda:InvokeFunction',
                Resource: { 'Fn::GetAtt': ['TriggerLambdaFunction', 'Arn'] },
              },
            ],
          },
        },
      ]),
    );
    const fn = template.Resources.TriggerLambdaFunction?.Properties ?? {};
    expect((fn.Environment as { Variables: Record<string, Json> }).Variables.STATE_MACHINE_ARN).toEqual({
      Ref: 'SyncStateMachine',
    });
  });

  it('keeps the trigger bundle small (under 1 MB zipped)', () => {
    expect(zipBytes).toBeLessThan(1024 * 1024);
  });
  const statementsOf = (id: string): Record<string, Json>[] =>
    (
      template.Resources[id]?.Properties?.Policies as {
        PolicyDocument: { Statement: Record<string, Json>[] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
  const envOf = (id: string): Record<string, Json> =>
    (template.Resources[id]?.Properties?.Environment as { Variables: Record<string, Json> }).Variables;

  it('serves the webhook on a Function URL without IAM auth, from a role that may only put to the stream and read its secret', () => {
    const urls = resourcesOf('AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]?.[1].Properties).toMatchObject({
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': ['WebhookLambdaFunction', 'Arn'] },
    });
    const webhook = template.Resources.WebhookLambdaFunction?.Properties ?? {};
    expect(webhook.Role).toEqual({ 'Fn::GetAtt': ['WebhookRole', 'Arn'] });
    expect(webhook.Timeout).toBeLessThanOrEqual(5);
    expect(envOf('WebhookLambdaFunction')).toMatchObject({
      EVENTS_STREAM_NAME: { Ref: 'EventsStream' },
      INTERCOM_CLIENT_SECRET_ARN: { Ref: 'IntercomClientSecret' },
    });
    expect(Object.keys(envOf('WebhookLambdaFunction'))).not.toContain('INTERCOM_CLIENT_SECRET');
    const byAction = statementsOf('WebhookRole').map((st) => [
      asList(st.Action).map(String).sort(),
      st.Resource,
    ]);
    expect(byAction).toEqual([
      [['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], expect.anything()],
      [['kinesis:PutRecord', 'kinesis:PutRecords'], { 'Fn::GetAtt': ['EventsStream', 'Arn'] }],
      [['secretsmanager:GetSecretValue'], { Ref: 'IntercomClientSecret' }],
    ]);
    expect(template.Outputs.WebhookUrl?.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': ['WebhookLambdaFunctionUrl', 'FunctionUrl'] }, 'webhooks/intercom']],
    });
  });

  it('keeps notifications on an on-demand Kinesis stream that Firehose writes raw to events/ and as Parquet through the Glue table', () => {
    expect(template.Resources.EventsStream?.Properties?.StreamModeDetails).toEqual({
      StreamMode: 'ON_DEMAND',
    });
    const firehose = template.Resources.EventsFirehose?.Properties ?? {};
    expect(firehose.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(firehose.KinesisStreamSourceConfiguration).toMatchObject({
      KinesisStreamARN: { 'Fn::GetAtt': ['EventsStream', 'Arn'] },
    });
    const s3 = firehose.ExtendedS3DestinationConfiguration as Record<string, Json>;
    expect(s3.Prefix).toBe('events-parquet/date=!{timestamp:yyyy-MM-dd}/');
    expect(s3.S3BackupMode).toBe('Enabled');
    expect(s3.S3BackupConfiguration).toMatchObject({
      Prefix: 'events/date=!{timestamp:yyyy-MM-dd}/',
      CompressionFormat: 'UNCOMPRESSED',
    });
    expect(s3.DataFormatConversionConfiguration).toMatchObject({
      Enabled: true,
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
      SchemaConfiguration: { TableName: { Ref: 'EventsTable' }, DatabaseName: { Ref: 'EventsDatabase' } },
    });
    const table = template.Resources.EventsTable?.Properties?.TableInput as Record<string, Json>;
    expect(table.Name).toBe('events');
    expect(JSON.stringify(table.StorageDescriptor)).toContain('events-parquet/');
    expect(JSON.stringify(table.Parameters)).toContain('events-parquet/date=${!date}/');
  });

  it('applies notifications through an event source mapping that reports batch item failures, bisects, retries a bounded number of times and dead-letters to SQS', () => {
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]?.[1].Properties ?? {};
    expect(mapping).toMatchObject({
      FunctionName: { Ref: 'StreamApplyLambdaFunction' },
      EventSourceArn: { 'Fn::GetAtt': ['EventsStream', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } } },
    });
    expect(Number(mapping.MaximumRetryAttempts)).toBeGreaterThanOrEqual(1);
    expect(Number(mapping.MaximumRetryAttempts)).toBeLessThanOrEqual(10);
    expect(envOf('StreamApplyLambdaFunction')).toMatchObject({
      INTERCOM_ACCESS_TOKEN_ARN: { Ref: 'IntercomTokenSecret' },
      DATABASE_URL_ARN: { Ref: 'DatabaseUrlSecret' },
    });
    const secretsRead = statementsOf('StreamApplyRole').find(
      (st) => st.Action === 'secretsmanager:GetSecretValue',
    );
    expect(secretsRead?.Resource).toEqual([{ Ref: 'IntercomTokenSecret' }, { Ref: 'DatabaseUrlSecret' }]);
    const sends = statementsOf('StreamApplyRole').find((st) => st.Action === 'sqs:SendMessage');
    expect(sends?.Resource).toEqual({ 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] });
  });

  it('runs the consumer in the VPC of the stage params, as the API, with the managed policy for its network interfaces', () => {
    const fn = template.Resources.StreamApplyLambdaFunction?.Properties ?? {};
    expect(fn.VpcConfig).toEqual({
      SubnetIds: { 'Fn::Split': [',', 'subnet-aaa,subnet-bbb'] },
      SecurityGroupIds: { 'Fn::Split': [',', 'sg-123'] },
    });
    expect(template.Resources.StreamApplyRole?.Properties?.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole' },
    ]);
  });

  it('alarms on the dead-letter queue depth and on the consumer iterator age', () => {
    const alarms = Object.fromEntries(
      resourcesOf('AWS::CloudWatch::Alarm').map(([, a]) => [String(a.Properties?.MetricName), a.Properties]),
    );
    expect(alarms.ApproximateNumberOfMessagesVisible).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'QueueName'] } }],
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(alarms.IteratorAge).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: 'intercom-lake-sync-citest-streamApply' }],
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(template.Resources.StreamApplyLambdaFunction?.Properties?.FunctionName).toBe(
      'intercom-lake-sync-citest-streamApply',
    );
  });
});

describe('the warehouse API in the template', () => {
  const statementsOf = (id: string): Record<string, Json>[] =>
    (
      template.Resources[id]?.Properties?.Policies as {
        PolicyDocument: { Statement: Record<string, Json>[] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);

  it('runs the API Lambda in the VPC of the stage params, with its own role and the database secret by reference', () => {
    const fn = template.Resources.ApiLambdaFunction?.Properties ?? {};
    expect(fn.Handler).toBe('handlers/api.handler');
    expect(fn.Role).toEqual({ 'Fn::GetAtt': ['ApiFunctionRole', 'Arn'] });
    expect(fn.VpcConfig).toEqual({
      SubnetIds: { 'Fn::Split': [',', 'subnet-aaa,subnet-bbb'] },
      SecurityGroupIds: { 'Fn::Split': [',', 'sg-123'] },
    });
    const variables = (fn.Environment as { Variables: Record<string, Json> }).Variables;
    expect(variables).toMatchObject({
      DATABASE_URL_SECRET_ARN: { Ref: 'DatabaseUrlSecret' },
      LAKE_URL: { 'Fn::Join': ['', ['s3://', { Ref: 'LakeBucket' }]] },
      IMPORT_SCHEMAS: 'intercom_imports',
      REPORT_URL_EXPIRES_S: '86400',
    });
    expect(Object.keys(variables).filter((n) => /TOKEN|PASSWORD|^DATABASE_URL$/.test(n))).toEqual([]);
  });

  it('puts every route of the HTTP API behind IAM (SigV4) authorization', () => {
    const routes = resourcesOf('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties ?? {});
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /openapi.json',
      'GET /reports',
      'GET /reports/{name}',
      'POST /imports',
      'POST /imports/uploads',
    ]);
    expect(routes.every((r) => r.AuthorizationType === 'AWS_IAM')).toBe(true);
    expect(resourcesOf('AWS::ApiGatewayV2::Api')[0]?.[1].Properties?.ProtocolType).toBe('HTTP');
    expect(template.Outputs).toHaveProperty('ApiUrl');
  });

  it('lets the API role read its secret and reach only reports/ and imports/incoming/ of the lake', () => {
    const statements = statementsOf('ApiFunctionRole');
    const s3 = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LakeBucket', 'Arn'] }, '/reports/*']] },
      },
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LakeBucket', 'Arn'] }, '/imports/incoming/*']] },
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': ['LakeBucket', 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['imports/incoming/*'] } },
      },
    ]);
    const secrets = statements.filter((s) =>
      asList(s.Action).some((a) => String(a).startsWith('secretsmanager:')),
    );
    expect(secrets).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'DatabaseUrlSecret' } },
    ]);
    const actions = statements.flatMap((s) => asList(s.Action)).map(String);
    expect(actions.filter((a) => !/^(s3|secretsmanager|logs):/.test(a))).toEqual([]);
    expect(JSON.stringify(template.Resources.ApiFunctionRole?.Properties?.ManagedPolicyArns)).toContain(
      'AWSLambdaVPCAccessExecutionRole',
    );
  });

  it('keeps the API bundle small (under 1 MB zipped)', async () => {
    expect((await stat(path.join(dir, 'api.zip'))).size).toBeLessThan(1024 * 1024);
  });
});

// In this file, not its own, so that it never runs osls beside the package above: both share the
// project's .esbuild folder, and jest runs test files in parallel.
// `sls invoke local` bundles the trigger with esbuild and runs it here: no AWS account, no network.
async function invokeLocal(data: string): Promise<unknown> {
  const stdout = await runSlsOffline(
    ['invoke', 'local', '-f', 'trigger', '--stage', 'citest', '--param=launcher=local', '--data', data],
    50_000,
  );
  // osls prints the handler's return value as the last JSON object on stdout.
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

describe('sls invoke local -f trigger --param=launcher=local', () => {
  it('runs the bundled trigger offline and answers 400 to an unknown task', async () => {
    await expect(invokeLocal('{"task":"everything"}')).resolves.toEqual({
      statusCode: 400,
      error: expect.stringContaining('"task" must be one of extract, load, sync'),
    });
  });

  it('reads a backfill request in the bundled trigger and answers 400 to a day that does not exist', async () => {
    await expect(
      invokeLocal('{"task":"backfill","since":"2026-11-31","until":"2026-12-01"}'),
    ).resolves.toEqual({
      statusCode: 400,
      error: expect.stringContaining('"since" must be a day written YYYY-MM-DD (UTC)'),
    });
  });
});
