import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..');
const SLS = path.join(ROOT, 'node_modules/osls/bin/serverless.js');
/** Stage parameters `sls package` needs; fake ids, nothing is deployed. */
const PACKAGE_PARAMS = ['--param=subnets=subnet-aaa,subnet-bbb', '--param=securityGroups=sg-123'];

/**
 * The environment under which osls runs offline: no AWS credentials, no profile, no endpoint, so
 * it can never reach AWS.
 */
export function slsOfflineEnv(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(source)) {
    if (!key.startsWith('AWS_') && key !== 'SERVERLESS_ACCESS_KEY') env[key] = value;
  }
  return {
    ...env,
    AWS_SDK_LOAD_CONFIG: '0',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/**
 * Run `sls <args>` (osls) from the project root with {@link slsOfflineEnv}; resolves with its stdout.
 * Used by the template test and the trigger bench.
 *
 * @throws the child's error (with stdout/stderr) when osls exits non-zero or times out.
 */
export async function runSlsOffline(args: string[], timeoutMs: number): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [SLS, ...args], {
    cwd: ROOT,
    env: slsOfflineEnv(),
    timeout: timeoutMs,
  });
  return stdout;
}

/** `sls package` offline for `stage` into `dir` (template, trigger.zip). */
export async function slsPackageOffline(dir: string, stage: string, timeoutMs: number): Promise<void> {
  await runSlsOffline(
    ['package', '--stage', stage, '--region', 'eu-west-1', '--package', dir, ...PACKAGE_PARAMS],
    timeoutMs,
  );
}
