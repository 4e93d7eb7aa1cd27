import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createTestDatabase, queryDatabase, queryServer, type TestDatabase } from '../helpers/database';
import { startS3rver, type LocalS3 } from '../helpers/s3rver';
import { freePort } from '../helpers/free-port';
import { ApiContract } from '../helpers/api-contract';

const ROOT = path.resolve(__dirname, '../..');

describe('npm run api', () => {
  let db: TestDatabase;
  let lake: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    lake = await mkdtemp(path.join(tmpdir(), 'api-cli-lake-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(lake, { recursive: true, force: true });
  });

  test('serves on 127.0.0.1:$API_PORT behind the bearer token until SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const token = randomBytes(20).toString('hex');
    const importSchema = `test_imp_${randomBytes(5).toString('hex')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'tasks/api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        API_PORT: String(port),
        API_TOKEN: token,
        DATABASE_URL: db.url,
        LAKE_URL: lake,
        IMPORT_SCHEMAS: importSchema,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('api listening')) resolve();
      });
      void exited.then(() => reject(new Error(`npm run api exited early:\n${stderr}`)));
    });
    try {
      expect(stderr).toContain(`http://127.0.0.1:${port}`);
      const base = `http://127.0.0.1:${port}`;
      const authorization = `Bearer ${token}`;
      // Every answer below is checked against what this server says of itself at GET /openapi.json.
      const contract = new ApiContract(
        await (await fetch(`${base}/openapi.json`, { headers: { authorization } })).json(),
      );
      const call = async (method: string, pathAndQuery: string, init: RequestInit = {}) => {
        const response = await fetch(base + pathAndQuery, { method, ...init });
        return {
          status: response.status,
          ...(await contract.checkFetched(method, base + pathAndQuery, response)),
        };
      };
      const refused = await call('GET', '/reports');
      expect(refused.status).toBe(401);
      const listed = await call('GET', '/reports', { headers: { authorization } });
      expect(listed.status).toBe(200);
      expect((listed.body as { name: string }[]).map((r) => r.name)).toEqual([
        'conversations-by-quarter',
        'teams-above-mean',
      ]);
      expect((await call('GET', '/openapi.json', { headers: { authorization } })).status).toBe(200);
      expect((await call('GET', '/no-such-route', { headers: { authorization } })).status).toBe(404);
      // A large import's way in, in this runtime too: a link the API serves, then the import of it.
      const csv = 'a,b\n1,x\n';
      const link = await call('POST', `/imports/uploads?bytes=${csv.length}`, { headers: { authorization } });
      expect(link.status).toBe(201);
      const { url, upload } = link.body as { url: string; upload: string };
      const put = await fetch(url, { method: 'PUT', body: csv });
      expect((await contract.checkFetched('PUT', url, put)).body).toEqual({ upload, bytes: csv.length });
      const imported = await call('POST', `/imports?table=via_link&upload=${upload}`, {
        headers: { authorization },
      });
      expect(imported.status).toBe(201);
      expect(imported.body).toMatchObject({ schema: importSchema, table: 'via_link', rows: 1 });
    } finally {
      child.kill('SIGTERM');
      await queryServer(`DROP DATABASE IF EXISTS \`${importSchema}\``);
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('api stopped');
    expect(stderr).not.toContain(token);
  });

  test('refuses to start without API_TOKEN, saying how to set one', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tasks/api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: db.url,
        LAKE_URL: lake,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('API_TOKEN is missing');
  });
});

/** An API Gateway HTTP API (payload 2.0) event, as the Lambda receives it after IAM authorization. */
function httpApiEvent(method: string, rawPath: string, rawQueryString = '', body?: string): unknown {
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'content-type': 'text/csv' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'req',
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: '02/Dec/2026:22:00:00 +0000',
      timeEpoch: 1796248800000,
    },
    body,
    isBase64Encoded: false,
  };
}

describe('the API Lambda (handlers/api.ts)', () => {
  const SECRET_ARN =
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:intercom-lake-sync/citest/database-url-AbCdEf';
  let db: TestDatabase;
  let s3: LocalS3;
  const importSchema = `test_imp_${randomBytes(5).toString('hex')}`;
  const saved = { ...process.env };
  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startS3rver();
    const credentials = await s3.client.config.credentials();
    Object.assign(process.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'intercom-lake-sync-citest-api',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      LAKE_URL: `s3://${s3.bucket}`,
      DATABASE_URL_SECRET_ARN: SECRET_ARN,
      IMPORT_SCHEMAS: importSchema,
      LOG_LEVEL: 'silent',
    });
    delete process.env.DATABASE_URL;
    delete process.env.API_TOKEN;
  });
  afterAll(async () => {
    process.env = saved;
    await db.drop();
    await queryServer(`DROP DATABASE IF EXISTS \`${importSchema}\``);
    await s3.close();
  });

  test('reads DATABASE_URL from the secret until it has a value, then keeps it; imports, and answers a report with an S3 presigned link', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: '' }).resolves({ SecretString: db.url });
    try {
      // Imported after the environment is set: the handler reads it when loaded, as in Lambda.
      const { handler } = await import('../../handlers/api');
      const invokeRaw = handler as unknown as (event: unknown, context: unknown) => Promise<unknown>;
      const seen: { contract?: ApiContract } = {};
      // Every answer (once the app has started and told what it answers) is checked against its GET /openapi.json.
      const invoke = async (event: unknown, ctx: unknown): Promise<unknown> => {
        const result = await invokeRaw(event, ctx);
        const { rawPath, requestContext } = event as {
          rawPath: string;
          requestContext: { http: { method: string } };
        };
        seen.contract?.checkLambda(requestContext.http.method, rawPath, result);
        return result;
      };
      const context = {};
      // The secret has no value yet: a 500 that says nothing of it, and the next request tries again.
      const failed = (await invoke(httpApiEvent('GET', '/reports'), context)) as {
        statusCode: number;
        body: string;
      };
      expect(failed.statusCode).toBe(500);
      expect(JSON.parse(failed.body)).toEqual({ error: 'The API could not start; its log says why.' });

      const { migrateWarehouse } = await import('../../lib/warehouse/migrate');
      const { openWarehouse } = await import('../../lib/warehouse/connection');
      const warehouse = await openWarehouse(db.url);
      await migrateWarehouse(warehouse);
      await warehouse.close();
      await queryDatabase(
        db.url,
        "INSERT INTO team (id, name, raw) VALUES ('1', '+Team', '{}'), ('2', 'B', '{}')",
      );
      await queryDatabase(
        db.url,
        "INSERT INTO conversation (id, created_at, team_assignee_id, parts_count, parts_complete, raw) VALUES ('c1', '2025-05-05 00:00:00', '1', 0, 1, '{}')",
      );

      seen.contract = new ApiContract(
        JSON.parse(
          ((await invokeRaw(httpApiEvent('GET', '/openapi.json'), context)) as { body: string }).body,
        ),
      );
      // The answer from before the app could start is described too.
      seen.contract.checkLambda('GET', '/reports', failed);

      // No Authorization header: API Gateway checked the SigV4 signature before invoking.
      const imported = (await invoke(
        httpApiEvent('POST', '/imports', 'table=targets', 'team_id,target\n1,40\n2,25\n'),
        context,
      )) as { statusCode: number; body: string };
      expect(imported.statusCode).toBe(201);
      expect(JSON.parse(imported.body)).toMatchObject({ schema: importSchema, table: 'targets', rows: 2 });

      const report = (await invoke(
        httpApiEvent('GET', '/reports/teams-above-mean', 'year=2025'),
        context,
      )) as {
        statusCode: number;
        body: string;
      };
      expect(report.statusCode).toBe(200);
      const { url } = JSON.parse(report.body) as { url: string };
      expect(url).toContain(`${s3.endpoint}/${s3.bucket}/reports/teams-above-mean/`);
      expect(url).toContain('X-Amz-Expires=86400');
      expect(await (await fetch(url)).text()).toBe("team_id,team_name,conversations\n1,'+Team,1\n");

      // A CSV over the 6 MB a Lambda takes as a body: a presigned PUT straight to S3, then the import of it.
      const lines = ['team_id,note'];
      for (let i = 0; lines.length * 40 < 6.5 * 1024 * 1024; i++)
        lines.push(`${i},note ${i} ${'x'.repeat(24)}`);
      const big = `${lines.join('\n')}\n`;
      expect(big.length).toBeGreaterThan(6 * 1024 * 1024);
      const linked = (await invoke(
        httpApiEvent('POST', '/imports/uploads', `bytes=${big.length}`),
        context,
      )) as { statusCode: number; body: string };
      expect(linked.statusCode).toBe(201);
      const link = JSON.parse(linked.body) as {
        url: string;
        upload: string;
        headers: Record<string, string>;
      };
      expect(link.url).toContain(`${s3.endpoint}/${s3.bucket}/imports/incoming/${link.upload}.csv?`);
      expect((await fetch(link.url, { method: 'PUT', body: big, headers: link.headers })).status).toBe(200);
      const fromUpload = (await invoke(
        httpApiEvent('POST', '/imports', `table=big_notes&upload=${link.upload}`),
        context,
      )) as { statusCode: number; body: string };
      expect(fromUpload.statusCode).toBe(201);
      expect(JSON.parse(fromUpload.body)).toMatchObject({ table: 'big_notes', rows: lines.length - 1 });
      const unknownRoute = (await invoke(httpApiEvent('GET', '/nowhere'), context)) as { statusCode: number };
      expect(unknownRoute.statusCode).toBe(404);

      expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([
        { SecretId: SECRET_ARN },
        { SecretId: SECRET_ARN },
      ]);
    } finally {
      secrets.restore();
    }
    // A real 6 MB import through the handler: seconds alone, more on a loaded two-core machine.
  }, 180_000);
});
