import { ECSClient } from '@aws-sdk/client-ecs';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { handleTrigger, type TriggerLauncher } from '../../handlers/trigger-logic';
import type { EcsLauncherConfig } from '../../lib/launcher/ecs-config';
import { startExecutionInput } from '../../lib/launcher/orchestration';
import { silentLogger } from '../../lib/logger';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ils-test-sync';
const RUNNING =
  'arn:aws:states:eu-west-1:123456789012:execution:ils-test-sync:sync-incremental-20261202T100000Z';
const config: EcsLauncherConfig = {
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/ils-test',
  taskDefinitionArns: { extract: 'extract-arn', load: 'load-arn' },
  containerNames: { extract: 'extract', load: 'load' },
  subnets: ['subnet-aaa'],
  securityGroups: ['sg-123'],
  assignPublicIp: 'DISABLED',
  stateMachineArn: MACHINE,
};
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

function launcherWith(running: string[]): { launcher: TriggerLauncher; sfn: ReturnType<typeof mockClient> } {
  const client = new SFNClient({ region: 'eu-west-1', credentials });
  const sfn = mockClient(client);
  sfn.on(ListExecutionsCommand).resolves({
    executions: running.map((executionArn) => ({
      executionArn,
      stateMachineArn: MACHINE,
      name: 'x',
      status: 'RUNNING',
      startDate: new Date(),
    })),
  });
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:started`, startDate: new Date() });
  const ecs = new ECSClient({ region: 'eu-west-1', credentials });
  return { launcher: { kind: 'ecs', ecs, config, sfn: client }, sfn };
}

describe('trigger: syncs and backfills through the state machine', () => {
  it('starts an incremental sync with the exact calls: list running executions, then start one', async () => {
    const { launcher, sfn } = launcherWith([]);
    const response = await handleTrigger({ task: 'sync', mode: 'incremental' }, launcher, silentLogger());
    expect(response).toEqual({
      statusCode: 200,
      task: 'sync',
      launcher: 'step-functions',
      executionArn: `${MACHINE}:started`,
    });
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, statusFilter: 'RUNNING', maxResults: 1 },
    ]);
    const started = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      stateMachineArn: MACHINE,
      input: '{"task":"sync","mode":"incremental"}',
    });
    expect(started[0]?.name).toMatch(/^sync-incremental-\d{8}T\d{6}Z$/);
  });

  it('refuses a second sync while one runs (409), starting nothing', async () => {
    const { launcher, sfn } = launcherWith([RUNNING]);
    const response = await handleTrigger(
      { task: 'backfill', since: '2026-11-01', until: '2026-11-02' },
      launcher,
      silentLogger(),
    );
    expect(response).toMatchObject({
      statusCode: 409,
      task: 'sync',
      error: expect.stringContaining(RUNNING),
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('gives a backfill execution the days its Map runs, then an incremental load', () => {
    expect(
      startExecutionInput(
        MACHINE,
        { task: 'backfill', since: '2026-11-30', until: '2026-12-02' },
        new Date('2026-12-02T10:00:00Z'),
      ),
    ).toEqual({
      stateMachineArn: MACHINE,
      name: 'backfill-2026-11-30-2026-12-02-20261202T100000Z',
      input: '{"task":"backfill","mode":"incremental","days":["2026-11-30","2026-12-01","2026-12-02"]}',
    });
  });

  it.each([
    [{ task: 'sync', mode: 'delta' }, /"mode" must be incremental or full/],
    [{ task: 'backfill', since: '2026-11-01' }, /"until" must be a day written YYYY-MM-DD/],
    [
      { task: 'backfill', since: '2026-11-05', until: '2026-11-01' },
      /"since" 2026-11-05 is after "until" 2026-11-01/,
    ],
    [{ task: 'backfill', since: '2025-01-01', until: '2026-11-01' }, /at most 366 days/],
    [{ task: 'sync', mode: 'full', force: true }, /unknown field "force"/],
  ])('answers 400 to %j, saying what to send', async (input, message) => {
    const { launcher, sfn } = launcherWith([]);
    const response = await handleTrigger(input, launcher, silentLogger());
    expect(response).toMatchObject({ statusCode: 400, error: expect.stringMatching(message) });
    expect(sfn.calls()).toEqual([]);
  });

  it('answers 500 naming STATE_MACHINE_ARN when the stack gave the trigger none', async () => {
    const { launcher } = launcherWith([]);
    const { stateMachineArn: _none, ...withoutMachine } = config;
    const response = await handleTrigger(
      { task: 'sync', mode: 'full' },
      { ...(launcher as Extract<TriggerLauncher, { kind: 'ecs' }>), config: withoutMachine },
      silentLogger(),
    );
    expect(response).toMatchObject({
      statusCode: 500,
      error: expect.stringContaining('STATE_MACHINE_ARN is not set'),
    });
  });
});

describe('trigger: the same steps locally (sls invoke local)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trigger-orchestrated-'));
    await writeFile(path.join(dir, 'echo.cjs'), "console.log(process.argv.slice(2).join(' '));\n");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const echo = (name: string) => [process.execPath, 'echo.cjs', name];
  const commands = { extract: echo('extract'), load: echo('load'), sync: [], refine: echo('refine') };

  it('runs extract for the days, then an incremental load, then the refine jobs, as child processes', async () => {
    const response = await handleTrigger(
      { task: 'backfill', since: '2026-11-01', until: '2026-11-02' },
      { kind: 'local', options: { cwd: dir, commands } },
      silentLogger(),
    );
    expect(response).toMatchObject({
      statusCode: 200,
      launcher: 'local',
      logTail: [
        'extract -- --since 2026-11-01 --until 2026-11-02',
        'load -- --mode incremental',
        'refine -- silver',
        'refine -- conversation-metrics',
        'refine -- admin-metrics',
        'refine -- team-metrics',
        'refine -- top-volume',
        'refine -- anomalies',
        'refine -- report',
      ],
    });
  });

  it('stops at a refine job that fails, as the state machine does, and says which', async () => {
    await writeFile(
      path.join(dir, 'fail-silver.cjs'),
      "const job = process.argv[process.argv.length - 1]; console.log('refine ' + job); process.exit(job === 'silver' ? 3 : 0);\n",
    );
    const response = await handleTrigger(
      { task: 'sync', mode: 'full' },
      {
        kind: 'local',
        options: { cwd: dir, commands: { ...commands, refine: [process.execPath, 'fail-silver.cjs'] } },
      },
      silentLogger(),
    );
    expect(response).toMatchObject({
      statusCode: 500,
      exitCode: 3,
      error: expect.stringContaining('fail-silver.cjs -- silver'),
      logTail: ['refine silver'],
    });
  });
});
