import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LaunchRefusedError, TaskAlreadyRunningError } from '../../lib/launcher/launch-errors';
import {
  LOCAL_COMMANDS,
  localTaskEnv,
  runLocalTask,
  type LocalCommands,
} from '../../lib/launcher/local-launcher';

describe('runLocalTask', () => {
  let dir: string;
  const node = process.execPath;
  const commands = (script: string): LocalCommands => ({
    extract: [node, script],
    load: [node, script],
    sync: [node, script],
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'launcher-local-'));
    await writeFile(
      path.join(dir, 'many.cjs'),
      "for (let i = 1; i <= 100; i++) (i % 2 ? process.stdout : process.stderr).write('line ' + i + '\\n');\n" +
        "process.stdout.write('no newline at the end');\n",
    );
    await writeFile(
      path.join(dir, 'env.cjs'),
      "console.log('lake=' + process.env.LAKE_URL + ' cwd=' + process.cwd());\n",
    );
    await writeFile(path.join(dir, 'exit4.cjs'), 'process.exit(4);\n');
    await writeFile(
      path.join(dir, 'slow.cjs'),
      "process.on('SIGTERM', () => { console.log('stopping'); process.exit(143); });\n" +
        "console.log('started'); setInterval(() => {}, 1000);\n",
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps each task (and the refine a sync runs after its load) to the npm script a developer runs', () => {
    expect(LOCAL_COMMANDS).toEqual({
      extract: ['npm', 'run', 'extract'],
      load: ['npm', 'run', 'load'],
      sync: ['npm', 'start'],
      refine: ['npm', 'run', 'refine'],
    });
  });

  it('returns exit code 0 and only the last lines of both streams, the unterminated one included', async () => {
    const seen: string[] = [];
    const result = await runLocalTask('extract', {
      cwd: dir,
      commands: commands('many.cjs'),
      tailLines: 5,
      onLine: (l) => seen.push(l),
    });
    expect(result.exitCode).toBe(0);
    // The two pipes are read in whatever order they arrive (under load stderr can come last), so
    // the tail is checked against the lines as they were seen, not against the order written.
    expect(seen).toHaveLength(101);
    expect(seen).toContain('no newline at the end');
    expect(result.logTail).toEqual(seen.slice(-5));
  });

  it('passes the environment and working directory to the child', async () => {
    const result = await runLocalTask('load', {
      cwd: dir,
      env: { ...process.env, LAKE_URL: '/tmp/some-lake' },
      commands: commands('env.cjs'),
    });
    expect(result.logTail[0]).toMatch(/^lake=\/tmp\/some-lake cwd=.*launcher-local-/);
  });

  it("returns the child's non-zero exit code", async () => {
    const result = await runLocalTask('sync', { cwd: dir, commands: commands('exit4.cjs') });
    expect(result.exitCode).toBe(4);
    expect(result.command).toBe(`${node} exit4.cjs`);
  });

  it('refuses a second run of the same task while the first still runs, and stops it on abort', async () => {
    const controller = new AbortController();
    let secondError: unknown;
    const first = runLocalTask('extract', {
      cwd: dir,
      commands: commands('slow.cjs'),
      signal: controller.signal,
      onLine: (line) => {
        if (line !== 'started') return;
        runLocalTask('extract', { cwd: dir, commands: commands('slow.cjs') })
          .catch((error: unknown) => {
            secondError = error;
          })
          .finally(() => controller.abort());
      },
    });
    const result = await first;
    expect(secondError).toBeInstanceOf(TaskAlreadyRunningError);
    expect(result.logTail).toEqual(['started', 'stopping']);
    expect(result.exitCode).toBe(143);
  });

  it('throws LaunchRefusedError when the command does not exist', async () => {
    const missing = { extract: [path.join(dir, 'no-such-binary')], load: [], sync: [] };
    await expect(runLocalTask('extract', { cwd: dir, commands: missing })).rejects.toBeInstanceOf(
      LaunchRefusedError,
    );
  });
});

describe('localTaskEnv', () => {
  it('drops the variables that would make a local run take itself for Lambda, and keeps the rest', () => {
    const env = localTaskEnv({
      AWS_LAMBDA_FUNCTION_NAME: 'intercom-lake-sync-dev-trigger',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      _HANDLER: 'handlers/trigger.handler',
      TRIGGER_LAUNCHER: 'local',
      AWS_REGION: 'eu-west-1',
      LAKE_URL: './lake',
      PATH: '/usr/bin',
    });
    expect(env).toEqual({ AWS_REGION: 'eu-west-1', LAKE_URL: './lake', PATH: '/usr/bin' });
  });
});
