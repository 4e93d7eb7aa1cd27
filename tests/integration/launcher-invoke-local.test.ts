import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

// `sls invoke local` bundles the trigger with esbuild and runs it here: no AWS account, no network.
async function invokeLocal(data: string): Promise<unknown> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/osls/bin/serverless.js'),
      'invoke',
      'local',
      '-f',
      'trigger',
      '--stage',
      'invokelocaltest',
      '--param=launcher=local',
      '--data',
      data,
    ],
    { cwd: ROOT, env, timeout: 50_000 },
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
});
