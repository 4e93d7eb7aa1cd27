import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { buildApiApp } from '../../lib/api/app';
import { openApiDependencies, type OpenedApi } from '../../lib/api/open-api-dependencies';
import { serveApi, type RunningApi } from '../../lib/api/serve';
import { loadApiConfig } from '../../lib/config';
import { silentLogger } from '../../lib/logger';
import { migrateWarehouse } from '../../lib/warehouse/migrate';
import { createTestDatabase, queryServer, type TestDatabase } from './database';
import { startS3rver, type LocalS3 } from './s3rver';
import { ApiContract, type RecordedResponse } from './api-contract';

export type { RecordedResponse } from './api-contract';

/** What a test gets back from {@link TestApi.request}; the answer already matched the API's OpenAPI description. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
  text: string;
}

/** The API served over real HTTP on a fresh, migrated database and a fresh lake. */
export interface TestApi {
  url: string;
  /** The bearer token this server takes. */
  token: string;
  db: TestDatabase;
  /** The one database imports may write (random per test, dropped at the end). */
  importSchema: string;
  lakeUrl: string;
  opened: OpenedApi;
  s3: LocalS3 | undefined;
  /** Set to move the API's clock (report links are signed and checked at this time); undefined = real time. */
  clockAt: Date | undefined;
  /** Every answer of this server the test received, each checked against its GET /openapi.json as it arrived. */
  responses: RecordedResponse[];
  /** The server's OpenAPI description, as a checker (for answers received some other way). */
  contract: ApiContract;
  /**
   * Send a request to an absolute URL (a link the API answered with). An answer from this server
   * is recorded and checked against its OpenAPI description; one from elsewhere (S3) is not.
   */
  fetch(
    method: string,
    url: string,
    init?: { body?: RequestInit['body']; headers?: Record<string, string> },
  ): Promise<ApiAnswer>;
  /** Send a request; `auth: false` leaves the Authorization header out, a string sends it as is. */
  request(
    method: string,
    pathAndQuery: string,
    options?: { body?: RequestInit['body']; headers?: Record<string, string>; auth?: boolean | string },
  ): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/**
 * Start the API as `npm run api` does (loadApiConfig, openApiDependencies, serveApi) on a random
 * port, with a folder lake (a temp folder) or an S3 lake (s3rver), a migrated test database and
 * an import database of its own.
 */
export async function startTestApi(
  lakeKind: 'folder' | 's3',
  env: Record<string, string> = {},
  options: { withoutLocalInfile?: boolean } = {},
): Promise<TestApi> {
  const db = await createTestDatabase();
  const importSchema = `test_imp_${randomBytes(5).toString('hex')}`;
  let folder: string | undefined;
  let s3: LocalS3 | undefined;
  let lakeUrl: string;
  if (lakeKind === 's3') {
    s3 = await startS3rver();
    lakeUrl = `s3://${s3.bucket}/lake`;
  } else {
    folder = await mkdtemp(path.join(tmpdir(), 'api-lake-'));
    lakeUrl = folder;
  }
  const token = randomBytes(24).toString('hex');
  const config = loadApiConfig({
    API_TOKEN: token,
    DATABASE_URL: db.url,
    LAKE_URL: lakeUrl,
    IMPORT_SCHEMAS: importSchema,
    ...env,
  });
  const api: Partial<TestApi> & { clockAt: Date | undefined } = { clockAt: undefined };
  const opened = await openApiDependencies(config, db.url, {
    log: silentLogger(),
    s3Client: s3?.client,
    clock: () => api.clockAt ?? new Date(),
  });
  await migrateWarehouse(opened.warehouse);
  // A client that does not offer LOCAL INFILE: the server then refuses LOAD DATA LOCAL, as Aurora
  // does with local_infile off.
  const noInfilePool = options.withoutLocalInfile
    ? mysql.createPool({
        uri: db.url,
        charset: 'utf8mb4',
        timezone: 'Z',
        dateStrings: true,
        flags: ['-LOCAL_FILES'],
      })
    : undefined;
  const deps = noInfilePool ? { ...opened.deps, pool: noInfilePool } : opened.deps;
  const server: RunningApi = await serveApi(buildApiApp(deps), 0);
  const responses: RecordedResponse[] = [];
  // Every answer below is checked against what this server says of itself at GET /openapi.json.
  const described = await fetch(`${server.url}/openapi.json`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const contract = new ApiContract(await described.json());
  return Object.assign(api, {
    url: server.url,
    token,
    db,
    importSchema,
    lakeUrl,
    opened,
    s3,
    responses,
    contract,
    async request(
      method: string,
      pathAndQuery: string,
      options: { body?: RequestInit['body']; headers?: Record<string, string>; auth?: boolean | string } = {},
    ): Promise<ApiAnswer> {
      const auth = options.auth ?? true;
      const headers: Record<string, string> = { ...options.headers };
      if (auth === true) headers.authorization = `Bearer ${token}`;
      else if (typeof auth === 'string') headers.authorization = auth;
      return this.fetch(method, `${server.url}${pathAndQuery}`, { headers, body: options.body });
    },
    async fetch(
      method: string,
      url: string,
      init: { body?: RequestInit['body']; headers?: Record<string, string> } = {},
    ): Promise<ApiAnswer> {
      const response = await fetch(url, {
        method,
        headers: init.headers,
        body: init.body,
        ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      const ours = new URL(url).origin === server.url;
      const body: unknown = ours && contentType.startsWith('application/json') ? JSON.parse(text) : text;
      if (ours) {
        const recorded = { method, path: new URL(url).pathname, status: response.status, contentType, body };
        responses.push(recorded);
        contract.check(recorded);
      }
      return { status: response.status, headers: response.headers, body, text };
    },
    async close() {
      await server.close();
      await noInfilePool?.end();
      await opened.close();
      await db.drop();
      await queryServer(`DROP DATABASE IF EXISTS \`${importSchema}\``);
      if (folder) await rm(folder, { recursive: true, force: true });
      await s3?.close();
    },
  }) as TestApi;
}
