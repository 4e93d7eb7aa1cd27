import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import mysql from 'mysql2/promise';
import { buildApiApp } from '../../lib/api/app';
import { openApiDependencies, type OpenedApi } from '../../lib/api/open-api-dependencies';
import { serveApi, type RunningApi } from '../../lib/api/serve';
import { loadApiConfig } from '../../lib/config';
import { silentLogger } from '../../lib/logger';
import { migrateWarehouse } from '../../lib/warehouse/migrate';
import { createTestDatabase, queryServer, type TestDatabase } from './database';
import { startS3rver, type LocalS3 } from './s3rver';

/** A response the suite received, kept to check against the API's OpenAPI description. */
export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

/** What a test gets back from {@link TestApi.request}. */
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
  responses: RecordedResponse[];
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
  return Object.assign(api, {
    url: server.url,
    token,
    db,
    importSchema,
    lakeUrl,
    opened,
    s3,
    responses,
    async request(
      method: string,
      pathAndQuery: string,
      options: { body?: RequestInit['body']; headers?: Record<string, string>; auth?: boolean | string } = {},
    ): Promise<ApiAnswer> {
      const auth = options.auth ?? true;
      const headers: Record<string, string> = { ...options.headers };
      if (auth === true) headers.authorization = `Bearer ${token}`;
      else if (typeof auth === 'string') headers.authorization = auth;
      const response = await fetch(`${server.url}${pathAndQuery}`, {
        method,
        headers,
        body: options.body,
        ...(options.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      const body: unknown = contentType.startsWith('application/json') ? JSON.parse(text) : text;
      responses.push({
        method,
        path: new URL(pathAndQuery, server.url).pathname,
        status: response.status,
        contentType,
        body,
      });
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

type OpenApiDoc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

/** The OpenAPI path template (`/reports/{name}`) that `path` answers to; a literal path wins over a template. */
function pathTemplate(doc: OpenApiDoc, path: string): string | undefined {
  if (doc.paths[path]) return path;
  return Object.keys(doc.paths).find((template) => {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(path);
  });
}

/**
 * Every recorded response checked against the API's own OpenAPI description (fetched from
 * `GET /openapi.json`): its path, method and status are described, its content type is the one
 * described, and a JSON body validates against the schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1
 * uses). Returns one line per mismatch; [] when all match.
 */
export function openApiMismatches(docValue: unknown, responses: readonly RecordedResponse[]): string[] {
  const doc = docValue as OpenApiDoc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'api', components: doc.components });
  const problems: string[] = [];
  for (const r of responses) {
    const where = `${r.method} ${r.path} ${r.status}`;
    const template = pathTemplate(doc, r.path);
    const operation = template ? doc.paths[template]?.[r.method.toLowerCase()] : undefined;
    const described = operation?.responses[String(r.status)];
    if (!described) {
      problems.push(`${where}: not described`);
      continue;
    }
    const mediaType = r.contentType.split(';')[0]?.trim() ?? '';
    const media = described.content?.[mediaType];
    if (!media) {
      problems.push(`${where}: content type ${mediaType} not described`);
      continue;
    }
    if (mediaType === 'application/json' && media.schema) {
      const schema = JSON.parse(
        JSON.stringify(media.schema).replace(/"#\/components\//g, '"api#/components/'),
      );
      const validate = ajv.compile(schema);
      if (!validate(r.body)) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return problems;
}
