import { ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  handleTrigger,
  parseTriggerInput,
  selectLauncher,
  type TriggerLauncher,
} from '../../handlers/trigger-logic';
import type { EcsLauncherConfig } from '../../lib/launcher/ecs-config';
import { silentLogger } from '../../lib/logger';
import { loadTriggerConfig } from '../../lib/config';

const EXTRACT_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/ils-test-extract:7';
const LOAD_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/ils-test-load:7';
const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/ils-test';

const config: EcsLauncherConfig = {
  clusterArn: CLUSTER_ARN,
  taskDefinitionArns: { extract: EXTRACT_ARN, load: LOAD_ARN },
  containerNames: { extract: 'extract', load: 'load' },
  subnets: ['subnet-aaa', 'subnet-bbb'],
  securityGroups: ['sg-123'],
  assignPublicIp: 'DISABLED',
};

function ecsLauncher(): { launcher: TriggerLauncher; mock: ReturnType<typeof mockClient> } {
  const ecs = new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(ecs);
  mock.on(ListTasksCommand).resolves({ taskArns: [] });
  return { launcher: { kind: 'ecs', ecs, config }, mock };
}

const network = {
  awsvpcConfiguration: {
    subnets: ['subnet-aaa', 'subnet-bbb'],
    securityGroups: ['sg-123'],
    assignPublicIp: 'DISABLED',
  },
};

describe('parseTriggerInput', () => {
  it.each(['extract', 'load', 'sync'])(
    'accepts {"task":"%s"} as an object, a JSON string or an HTTP body',
    (task) => {
      expect(parseTriggerInput({ task })).toBe(task);
      expect(parseTriggerInput(JSON.stringify({ task }))).toBe(task);
      expect(parseTriggerInput({ body: JSON.stringify({ task }) })).toBe(task);
    },
  );

  it.each([
    [{ task: 'export' }, /"task"/],
    [{}, /"task"/],
    [{ task: 'sync', force: true }, /force/],
    ['not json', /not JSON/],
    [null, /extract/],
  ])('refuses %j with a message that says what to send', (input, pattern) => {
    expect(() => parseTriggerInput(input)).toThrow(pattern);
    expect(() => parseTriggerInput(input)).toThrow(/Send \{"task": "extract"\}/);
  });
});

describe('handleTrigger with ECS', () => {
  it.each([
    ['extract', EXTRACT_ARN, 'trigger/extract'],
    ['load', LOAD_ARN, 'trigger/load'],
    ['sync', EXTRACT_ARN, 'trigger/sync'],
  ] as const)(
    'starts %s with the exact RunTask input and returns the task ARN',
    async (task, definition, startedBy) => {
      const { launcher, mock } = ecsLauncher();
      const taskArn = `arn:aws:ecs:eu-west-1:123456789012:task/ils-test/${task}0001`;
      mock.on(RunTaskCommand).resolves({ tasks: [{ taskArn }], failures: [] });

      const response = await handleTrigger({ task }, launcher, silentLogger());

      expect(response).toEqual({ statusCode: 200, task, launcher: 'ecs', taskArns: [taskArn] });
      const calls = mock.commandCalls(RunTaskCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input).toEqual({
        cluster: CLUSTER_ARN,
        taskDefinition: definition,
        launchType: 'FARGATE',
        count: 1,
        startedBy,
        networkConfiguration: network,
      });
    },
  );

  it('checks the running tasks of the same family on the same cluster (both halves for sync)', async () => {
    const { launcher, mock } = ecsLauncher();
    mock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:t' }] });
    await handleTrigger({ task: 'sync' }, launcher, silentLogger());
    expect(mock.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER_ARN, family: 'ils-test-extract', desiredStatus: 'RUNNING' },
      { cluster: CLUSTER_ARN, family: 'ils-test-load', desiredStatus: 'RUNNING' },
    ]);
  });

  it('answers 400 without calling ECS when the input is invalid', async () => {
    const { launcher, mock } = ecsLauncher();
    const response = await handleTrigger({ task: 'everything' }, launcher, silentLogger());
    expect(response.statusCode).toBe(400);
    expect(response).toEqual({ statusCode: 400, error: expect.stringMatching(/Invalid trigger input/) });
    expect(mock.calls()).toHaveLength(0);
  });

  it('answers 409 and starts nothing while the same task still runs', async () => {
    const { launcher, mock } = ecsLauncher();
    const running = 'arn:aws:ecs:eu-west-1:123456789012:task/ils-test/abc';
    mock.on(ListTasksCommand, { family: 'ils-test-load' }).resolves({ taskArns: [running] });
    const response = await handleTrigger({ task: 'load' }, launcher, silentLogger());
    expect(response).toEqual({ statusCode: 409, task: 'load', error: expect.stringContaining(running) });
    expect(mock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses a sync while its load half still runs', async () => {
    const { launcher, mock } = ecsLauncher();
    mock.on(ListTasksCommand, { family: 'ils-test-load' }).resolves({ taskArns: ['arn:load-running'] });
    const response = await handleTrigger({ task: 'sync' }, launcher, silentLogger());
    expect(response.statusCode).toBe(409);
    expect(mock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('answers 502 with the reasons when ECS starts no task', async () => {
    const { launcher, mock } = ecsLauncher();
    mock
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free ENI' }] });
    const response = await handleTrigger({ task: 'extract' }, launcher, silentLogger());
    expect(response).toEqual({
      statusCode: 502,
      task: 'extract',
      error: expect.stringMatching(/could not be started.*RESOURCE:ENI: no free ENI.*subnets/),
    });
  });

  it('answers 502 naming the AWS error when RunTask throws', async () => {
    const { launcher, mock } = ecsLauncher();
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:RunTask'), {
      name: 'AccessDeniedException',
    });
    mock.on(RunTaskCommand).rejects(denied);
    const response = await handleTrigger({ task: 'load' }, launcher, silentLogger());
    expect(response.statusCode).toBe(502);
    expect(response).toHaveProperty('error', expect.stringContaining('AccessDeniedException'));
  });

  it('answers 500 listing every missing setting when the ECS config is incomplete', async () => {
    const response = await handleTrigger(
      { task: 'extract' },
      () => selectLauncher(loadTriggerConfig({ CLUSTER_ARN }).launcher, () => new ECSClient({})),
      silentLogger(),
    );
    expect(response.statusCode).toBe(500);
    expect(response).toHaveProperty(
      'error',
      expect.stringMatching(/EXTRACT_TASK_DEFINITION_ARN[\s\S]*SUBNETS/),
    );
  });
});

describe('handleTrigger with the local launcher', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trigger-local-'));
    await writeFile(path.join(dir, 'ok.cjs'), "console.log('extracted 3 records');\n");
    await writeFile(path.join(dir, 'fail.cjs'), "console.error('boom'); process.exit(3);\n");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the task as a child process and returns its log tail', async () => {
    const launcher = selectLauncher(
      loadTriggerConfig({ TRIGGER_LAUNCHER: 'local' }).launcher,
      () => new ECSClient({}),
      {
        cwd: dir,
        commands: {
          extract: [process.execPath, 'ok.cjs'],
          load: [process.execPath, 'ok.cjs'],
          sync: [process.execPath, 'ok.cjs'],
        },
      },
    );
    const response = await handleTrigger({ task: 'extract' }, launcher, silentLogger());
    expect(response).toMatchObject({
      statusCode: 200,
      launcher: 'local',
      exitCode: 0,
      logTail: ['extracted 3 records'],
    });
  });

  it('answers 500 with the exit code and output when the child fails', async () => {
    const commands = { extract: [process.execPath, 'fail.cjs'], load: [], sync: [] };
    const response = await handleTrigger(
      { task: 'extract' },
      { kind: 'local', options: { cwd: dir, commands } },
      silentLogger(),
    );
    expect(response).toMatchObject({ statusCode: 500, task: 'extract', exitCode: 3, logTail: ['boom'] });
  });
});
