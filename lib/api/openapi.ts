import { REPORTS, type ReportParam } from '../reports/registry';
import { MAX_IMPORT_BYTES } from './imports/spool-body';
import { UPLOAD_EXPIRES_S } from './imports/upload-links';
import { MAX_ROW_ERRORS, NAME_PATTERN } from './imports/plan-import';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ERROR = { $ref: '#/components/schemas/Error' };

function jsonResponse(description: string, schema: Json): Json {
  return { description, content: { 'application/json': { schema } } };
}

function errorResponses(statuses: Record<string, string>): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, text]) => [status, jsonResponse(text, ERROR)]),
  );
}

function paramSchema(param: ReportParam): Json {
  if (param.type === 'integer') {
    return {
      type: 'integer',
      ...(param.minimum !== undefined ? { minimum: param.minimum } : {}),
      ...(param.maximum !== undefined ? { maximum: param.maximum } : {}),
    };
  }
  return { type: 'string', ...(param.pattern ? { pattern: param.pattern } : {}) };
}

/** One `GET /reports/<name>` path per declared report. */
function reportPaths(): Record<string, Json> {
  return Object.fromEntries(
    REPORTS.map((report) => [
      `/reports/${report.name}`,
      {
        get: {
          operationId: `report_${report.name.replace(/-/g, '_')}`,
          summary: report.description,
          description: `Writes \`reports/${report.name}/<stamp>.csv\` to the lake with the columns ${report.columns.join(', ')} and answers with a link to it that expires.`,
          parameters: report.params.map((param) => ({
            name: param.name,
            in: 'query',
            required: true,
            description: param.description,
            schema: paramSchema(param),
          })),
          responses: {
            '200': jsonResponse('The report was written; `url` downloads its CSV until `expires_at`.', {
              $ref: '#/components/schemas/ReportRun',
            }),
            ...errorResponses({
              '400': 'A parameter is missing or invalid.',
              '401': 'Authorization missing or wrong.',
            }),
          },
        },
      },
    ]),
  );
}

/**
 * The API's OpenAPI 3.1 description, served at `GET /openapi.json`; the report paths come from the
 * report registry, so a new report is described without touching this file.
 */
export function openApiDocument(): Json {
  const document = describedApi();
  // Any route may fail unexpectedly (or, in Lambda, before the app could start): a 500 `{ error }`.
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(
      operations as Record<string, { responses: Record<string, Json> }>,
    )) {
      operation.responses['500'] ??= jsonResponse(
        'The API failed on this request (or could not start); its log says why.',
        ERROR,
      );
    }
  }
  return document as unknown as Json;
}

function describedApi(): { paths: Record<string, Json> } & Record<string, Json> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Intercom warehouse API',
      version: '1.0.0',
      description:
        'CSV imports into the warehouse and SQL reports returned as expiring links. Locally every request needs `Authorization: Bearer $API_TOKEN`; in AWS, API Gateway checks IAM (SigV4).',
    },
    security: [{ bearer: [] }],
    paths: {
      '/contacts/{id}': {
        get: {
          operationId: 'get_contact',
          summary: 'A contact (its users row) and its latest conversations, as the warehouse holds them.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': jsonResponse('The contact and its latest conversations.', {
              type: 'object',
              required: ['contact', 'conversations'],
              additionalProperties: false,
              properties: {
                contact: {
                  type: 'object',
                  required: ['id', 'raw'],
                  description:
                    'The `users` row; its JSON columns parsed, `raw` the record as Intercom sent it.',
                  properties: { id: { type: 'string' }, raw: { type: 'object' } },
                },
                conversations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['id', 'title', 'state', 'open', 'created_at', 'updated_at', 'parts_count'],
                    additionalProperties: false,
                    properties: {
                      id: { type: 'string' },
                      title: { type: ['string', 'null'] },
                      state: { type: ['string', 'null'] },
                      open: { type: ['boolean', 'integer', 'null'] },
                      created_at: { type: ['string', 'null'] },
                      updated_at: { type: ['string', 'null'] },
                      parts_count: { type: ['integer', 'null'] },
                    },
                  },
                },
              },
            }),
            ...errorResponses({
              '401': 'Authorization missing or wrong.',
              '404': 'No such contact in the warehouse.',
            }),
          },
        },
      },
      '/events': {
        get: {
          operationId: 'list_events',
          summary: 'Webhook notifications applied to the warehouse, oldest first, paged by cursor.',
          parameters: [
            { name: 'since', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'topic', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } },
            {
              name: 'cursor',
              in: 'query',
              required: false,
              description: 'The `next` of the previous page.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': jsonResponse('A page of applied notifications.', {
              type: 'object',
              required: ['events', 'next'],
              additionalProperties: false,
              properties: {
                events: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['id', 'topic', 'item_type', 'item_id', 'created_at', 'applied_at', 'raw'],
                    additionalProperties: false,
                    properties: {
                      id: { type: 'string' },
                      topic: { type: 'string' },
                      item_type: { type: ['string', 'null'] },
                      item_id: { type: ['string', 'null'] },
                      created_at: { type: ['string', 'null'] },
                      applied_at: { type: 'string' },
                      raw: { type: 'object' },
                    },
                  },
                },
                next: { type: ['string', 'null'], description: 'Cursor of the next page; null on the last.' },
              },
            }),
            ...errorResponses({
              '400': 'A parameter is not valid.',
              '401': 'Authorization missing or wrong.',
            }),
          },
        },
      },
      '/imports': {
        post: {
          operationId: 'import_csv',
          summary: 'Import a CSV (header row, at most 10 MB) into a table of an import database.',
          parameters: [
            {
              name: 'table',
              in: 'query',
              required: true,
              schema: { type: 'string', pattern: NAME_PATTERN.source },
            },
            {
              name: 'schema',
              in: 'query',
              required: false,
              description: 'Database to write; one of IMPORT_SCHEMAS (default: the first, intercom_imports).',
              schema: { type: 'string', pattern: NAME_PATTERN.source },
            },
            {
              name: 'append',
              in: 'query',
              required: false,
              description:
                'true adds the rows to the table; false (the default) replaces the table atomically.',
              schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
            },
            {
              name: 'upload',
              in: 'query',
              required: false,
              description:
                'Import the CSV uploaded through POST /imports/uploads instead of a body (files over 6 MB in AWS). The upload is deleted once the import has its answer (201, 413, 422) and kept after a 400, 403 or 500.',
              schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
            },
          ],
          requestBody: {
            required: false,
            description: 'The CSV, unless upload=<id> names one uploaded before.',
            content: { 'text/csv': { schema: { type: 'string', maxLength: MAX_IMPORT_BYTES } } },
          },
          responses: {
            '201': jsonResponse('Imported.', { $ref: '#/components/schemas/ImportResult' }),
            ...errorResponses({
              '400': 'A name or flag is invalid.',
              '401': 'Authorization missing or wrong.',
              '403': 'The database is not one imports may write.',
              '404': 'upload=<id> names no upload (never completed, or already imported).',
              '413': 'The CSV is larger than 10 MB.',
              '415': 'The body is not CSV.',
            }),
            '422': jsonResponse('Rows that do not fit; nothing was written.', {
              $ref: '#/components/schemas/RowErrors',
            }),
          },
        },
      },
      '/imports/uploads': {
        post: {
          operationId: 'upload_link',
          summary: `A link to upload a CSV of \`bytes\` bytes (at most 10 MB) to the lake, valid ${UPLOAD_EXPIRES_S} s; then POST /imports?upload=<id>.`,
          description:
            'For an `s3://` lake the link is an S3 presigned PUT with the size signed in; for a folder lake, PUT /import-files/{id} of this API. Send the `headers` with the PUT.',
          parameters: [
            {
              name: 'bytes',
              in: 'query',
              required: true,
              schema: { type: 'integer', minimum: 1, maximum: MAX_IMPORT_BYTES },
            },
          ],
          responses: {
            '201': jsonResponse('The link.', { $ref: '#/components/schemas/UploadLink' }),
            ...errorResponses({
              '400': 'bytes is missing or not a whole number.',
              '401': 'Authorization missing or wrong.',
              '413': 'bytes is over 10 MB.',
            }),
          },
        },
      },
      '/import-files/{id}': {
        put: {
          operationId: 'upload_csv',
          summary:
            'Upload a CSV through a signed link (folder lakes; S3 lakes link to S3 directly). Needs no Authorization header: the link is signed.',
          security: [],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'bytes', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'expires', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'signature', in: 'query', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: { 'text/csv': { schema: { type: 'string', maxLength: MAX_IMPORT_BYTES } } },
          },
          responses: {
            '200': jsonResponse('Saved; import it with POST /imports?upload=<id>.', {
              type: 'object',
              required: ['upload', 'bytes'],
              additionalProperties: false,
              properties: { upload: { type: 'string' }, bytes: { type: 'integer', minimum: 1 } },
            }),
            ...errorResponses({
              '400': 'The body is shorter than the link allows.',
              '403': 'The link is invalid or expired.',
              '404': 'No such upload link.',
              '413': 'The body is longer than the link allows; nothing was saved.',
            }),
          },
        },
      },
      '/reports': {
        get: {
          operationId: 'list_reports',
          summary: 'The reports and their parameters.',
          responses: {
            '200': jsonResponse('Every report.', {
              type: 'array',
              items: { $ref: '#/components/schemas/Report' },
            }),
            ...errorResponses({ '401': 'Authorization missing or wrong.' }),
          },
        },
      },
      ...reportPaths(),
      '/reports/{name}': {
        get: {
          operationId: 'run_unknown_report',
          summary: 'Any other name: no such report.',
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          responses: errorResponses({
            '404': 'There is no such report.',
            '401': 'Authorization missing or wrong.',
          }),
        },
      },
      '/report-files/{name}/{file}': {
        get: {
          operationId: 'download_report',
          summary:
            'A report CSV through a signed link (folder lakes; S3 lakes link to S3 directly). Needs no Authorization header: the link is signed.',
          security: [],
          parameters: [
            { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'file', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'expires', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'signature', in: 'query', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'The CSV.', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errorResponses({ '403': 'The link is invalid or expired.', '404': 'No such report file.' }),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This description.',
          responses: {
            '200': jsonResponse('OpenAPI 3.1 document.', { type: 'object', required: ['openapi', 'paths'] }),
            ...errorResponses({ '401': 'Authorization missing or wrong.' }),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          additionalProperties: false,
          properties: { error: { type: 'string', description: 'What went wrong and what to do.' } },
        },
        RowErrors: {
          type: 'object',
          required: ['errors'],
          additionalProperties: false,
          properties: {
            errors: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_ROW_ERRORS,
              items: {
                type: 'object',
                required: ['row', 'column', 'message'],
                additionalProperties: false,
                properties: {
                  row: {
                    type: ['integer', 'null'],
                    minimum: 1,
                    description: "The record's number in the file; the header is 1.",
                  },
                  column: { type: ['string', 'null'] },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
        ImportResult: {
          type: 'object',
          required: ['schema', 'table', 'rows', 'mode', 'columns'],
          additionalProperties: false,
          properties: {
            schema: { type: 'string' },
            table: { type: 'string' },
            rows: { type: 'integer', minimum: 0 },
            mode: { type: 'string', enum: ['append', 'replace'] },
            columns: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'type'],
                additionalProperties: false,
                properties: {
                  name: { type: 'string' },
                  type: {
                    type: 'string',
                    enum: ['integer', 'decimal', 'boolean', 'date', 'datetime', 'text'],
                  },
                },
              },
            },
          },
        },
        Report: {
          type: 'object',
          required: ['name', 'description', 'params'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            description: { type: 'string' },
            params: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'type', 'description'],
                properties: {
                  name: { type: 'string' },
                  type: { type: 'string', enum: ['integer', 'string'] },
                  description: { type: 'string' },
                  minimum: { type: 'integer' },
                  maximum: { type: 'integer' },
                  pattern: { type: 'string' },
                },
              },
            },
          },
        },
        UploadLink: {
          type: 'object',
          required: ['upload', 'method', 'url', 'headers', 'bytes', 'expires_at'],
          additionalProperties: false,
          properties: {
            upload: { type: 'string', pattern: '^[0-9a-f]{32}$' },
            method: { type: 'string', enum: ['PUT'] },
            url: { type: 'string', format: 'uri' },
            headers: {
              type: 'object',
              required: ['content-length'],
              additionalProperties: { type: 'string' },
            },
            bytes: { type: 'integer', minimum: 1, maximum: MAX_IMPORT_BYTES },
            expires_at: { type: 'string', format: 'date-time' },
          },
        },
        ReportRun: {
          type: 'object',
          required: ['report', 'rows', 'url', 'expires_at'],
          additionalProperties: false,
          properties: {
            report: { type: 'string' },
            rows: { type: 'integer', minimum: 0 },
            url: { type: 'string', format: 'uri' },
            expires_at: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
