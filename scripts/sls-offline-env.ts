/**
 * The environment under which `sls package` (osls) runs offline: no AWS credentials, no profile,
 * no endpoint, so it can never reach AWS. Shared by the template test and the trigger bench.
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
