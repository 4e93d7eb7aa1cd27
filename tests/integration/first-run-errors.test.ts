import { createServer } from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { runCli } from '../helpers/run-cli';
import { startS3rver, type LocalS3 } from '../helpers/s3rver';

// The first errors a new user meets with an S3 lake or a wrong region, through `npm run extract`
// as a child process: each must exit with the documented code and say what to do.

const EXTRACT = 'tasks/extract/main.ts';
/** No shared AWS config or credentials file of the machine may change what the SDK sees. */
const NO_AWS_FILES = { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run extract with a lake or region the user got wrong', () => {
  let sandbox: Sandbox;
  let s3: LocalS3;
  let credentials: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string };

  beforeAll(async () => {
    [sandbox, s3] = await Promise.all([
      startSandbox({ seed: 5, contacts: 5, conversations: 3 }),
      startS3rver(),
    ]);
    const c = await s3.client.config.credentials();
    credentials = { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey };
  });
  afterAll(async () => {
    await Promise.all([sandbox?.close(), s3?.close()]);
  });

  const intercom = (): Record<string, string> => ({
    INTERCOM_API_URL: sandbox.url,
    INTERCOM_ACCESS_TOKEN: sandbox.token,
  });

  it('asks for AWS_REGION, with exit code 2, when an s3:// lake has no region', async () => {
    const result = await runCli(EXTRACT, {
      ...intercom(),
      ...NO_AWS_FILES,
      ...credentials,
      LAKE_URL: `s3://${s3.bucket}`,
      // Never used: the SDK stops at the missing region before any request.
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /No AWS region is set for the S3 lake s3:\/\/lake-[0-9a-f]+.*Set AWS_REGION/,
    );
    expect(result.stderr).not.toMatch(/"Region is missing"/);
  });

  it('names the bucket and the endpoint, with exit code 2, when the bucket does not exist', async () => {
    const result = await runCli(EXTRACT, {
      ...intercom(),
      ...NO_AWS_FILES,
      ...credentials,
      LAKE_URL: 's3://no-such-lake-bucket/prod',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`S3 bucket \\"no-such-lake-bucket\\" does not exist at ${s3.endpoint}`);
    expect(result.stderr).toMatch(/Check the bucket name in LAKE_URL/);
    expect(result.stderr).not.toContain(credentials.AWS_SECRET_ACCESS_KEY);
  });

  it('names the bucket and the endpoint and what to check when S3 cannot be reached', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(EXTRACT, {
      ...intercom(),
      ...NO_AWS_FILES,
      ...credentials,
      LAKE_URL: 's3://my-lake-bucket',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: endpoint,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Cannot reach S3 at ${endpoint} for bucket \\"my-lake-bucket\\" (ECONNREFUSED`,
    );
    expect(result.stderr).toMatch(/that it runs at AWS_ENDPOINT_URL_S3/);
  });

  it('pairs each Intercom URL with its own region when INTERCOM_API_URL is not one', async () => {
    const result = await runCli(EXTRACT, {
      INTERCOM_API_URL: 'https://api.jp.intercom.io',
      INTERCOM_ACCESS_TOKEN: 'x-token-x',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'Use https://api.intercom.io (US), https://api.eu.intercom.io (EU) or https://api.au.intercom.io (AU), or a loopback URL',
    );
  });
});
