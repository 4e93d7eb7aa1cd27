import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { importUploadKey } from '../../lake/keys';
import { ApiError } from '../api-error';
import type { ApiDependencies } from '../dependencies';
import { NAME_PATTERN } from './plan-import';
import { runImport } from './run-import';
import { MAX_IMPORT_BYTES, spoolBody, type SpooledBody } from './spool-body';
import { UPLOAD_EXPIRES_S, type SignedUploadLinks } from './upload-links';

/** Content types taken as CSV; a form or JSON body is refused (415) rather than imported as text. */
const CSV_TYPES = /^(text\/[a-z.+-]+|application\/(csv|octet-stream))\s*(;|$)/i;

function checkedName(kind: 'table' | 'schema', value: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw new ApiError(
      400,
      `${kind} "${value}" is not a valid name: use lowercase letters, digits and underscores, starting with a letter or underscore, at most 64 characters (${NAME_PATTERN.source}).`,
    );
  }
  return value;
}

/** The query of `POST /imports`, checked: 400 for a bad name or flag, 403 for a database imports may not write. */
function checkedQuery(
  query: Record<string, string>,
  deps: Pick<ApiDependencies, 'importSchemas' | 'syncDatabase'>,
): { schema: string; table: string; append: boolean; uploadKey: string | undefined } {
  const unknown = Object.keys(query).filter((key) => !['table', 'schema', 'append', 'upload'].includes(key));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      `Unknown query parameter ${unknown.join(', ')}; POST /imports takes table, schema, append and upload.`,
    );
  }
  let uploadKey: string | undefined;
  if (query.upload !== undefined) {
    try {
      uploadKey = importUploadKey(query.upload);
    } catch {
      throw new ApiError(
        400,
        'upload is not an upload id: use the "upload" that POST /imports/uploads answered (32 hex digits).',
      );
    }
  }
  if (query.table === undefined)
    throw new ApiError(400, 'The query needs table=<name>: the table to import into.');
  const table = checkedName('table', query.table);
  const schema = checkedName('schema', query.schema ?? (deps.importSchemas[0] as string));
  const appendText = query.append ?? 'false';
  if (appendText !== 'true' && appendText !== 'false') {
    throw new ApiError(
      400,
      `append is "${appendText}"; use append=true to add rows or append=false to replace the table.`,
    );
  }
  if (schema === deps.syncDatabase) {
    throw new ApiError(
      403,
      `"${schema}" is the sync's own database, which imports never write. Import into ${deps.importSchemas.join(', ')}.`,
    );
  }
  if (!deps.importSchemas.includes(schema)) {
    throw new ApiError(
      403,
      `Imports may not write to database "${schema}"; allowed: ${deps.importSchemas.join(', ')} (IMPORT_SCHEMAS).`,
    );
  }
  return { schema, table, append: appendText === 'true', uploadKey };
}

/** The `bytes` of `POST /imports/uploads`: a whole number from 1 to 10 MB (413 beyond). */
function checkedSize(query: Record<string, string>): number {
  const unknown = Object.keys(query).filter((key) => key !== 'bytes');
  if (unknown.length > 0)
    throw new ApiError(
      400,
      `Unknown query parameter ${unknown.join(', ')}; POST /imports/uploads takes bytes.`,
    );
  const text = query.bytes ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(text)) {
    throw new ApiError(
      400,
      `bytes is "${text}"; send bytes=<the CSV's size in bytes> (for example bytes=$(wc -c < file.csv)).`,
    );
  }
  const bytes = Number(text);
  if (bytes > MAX_IMPORT_BYTES) {
    throw new ApiError(
      413,
      `The CSV is larger than ${MAX_IMPORT_BYTES.toLocaleString('en-US')} bytes (10 MB). Split it into smaller files and import them with append=true.`,
    );
  }
  return bytes;
}

/**
 * The uploaded CSV at `key`, copied to a temporary file through the same 10 MB limit as a body.
 * @throws ApiError 404 when there is no such upload; 413 (the upload deleted) when it is over 10 MB.
 */
async function spoolUpload(deps: ApiDependencies, key: string): Promise<SpooledBody> {
  if (!(await deps.lake.exists(key))) {
    throw new ApiError(
      404,
      'There is no such upload: it was never completed, or it was already imported. Ask POST /imports/uploads for a new link and PUT the file to it.',
    );
  }
  const stream = await deps.lake.get(key);
  try {
    return await spoolBody(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { dir: deps.tmpDir });
  } catch (error) {
    stream.destroy();
    if (error instanceof ApiError) await deps.lake.delete(key);
    throw error;
  }
}

/**
 * `POST /imports?table=&schema=&append=`: a CSV body (at most 10 MB) into a table of an import
 * database; with `upload=<id>` instead of a body, the CSV uploaded through `POST /imports/uploads`
 * (deleted once the import has its answer: 201, 413 or 422). `POST /imports/uploads?bytes=`: the link.
 */
export function importRoutes(deps: ApiDependencies): Hono {
  const routes = new Hono();
  routes.post('/', async (c) => {
    const { uploadKey, ...request } = checkedQuery(c.req.query(), deps);
    const contentType = c.req.header('content-type');
    if (!uploadKey && contentType && !CSV_TYPES.test(contentType)) {
      throw new ApiError(415, `Content-Type "${contentType}" is not CSV; send the file as text/csv.`);
    }
    if (uploadKey && Number(c.req.header('content-length') ?? 0) > 0) {
      throw new ApiError(400, 'Send either a body or upload=<id>, not both.');
    }
    const spooled = uploadKey
      ? await spoolUpload(deps, uploadKey)
      : await spoolBody(c.req.raw.body, { contentLength: c.req.header('content-length'), dir: deps.tmpDir });
    try {
      let result;
      try {
        result = await runImport(deps.pool, { ...request, file: spooled.file }, deps.log);
      } catch (error) {
        // Rows that do not fit (422): the upload had its answer and goes; anything unexpected keeps it for a retry.
        if (uploadKey && error instanceof ApiError) await deps.lake.delete(uploadKey);
        throw error;
      }
      if (uploadKey) await deps.lake.delete(uploadKey);
      deps.log.info(
        {
          schema: result.schema,
          table: result.table,
          rows: result.rows,
          mode: result.mode,
          bytes: spooled.bytes,
          uploaded: uploadKey !== undefined,
        },
        'csv imported',
      );
      return c.json(result, 201);
    } finally {
      await spooled.remove();
    }
  });
  // A link to upload a CSV to the lake (`imports/incoming/<id>.csv`) for `POST /imports?upload=<id>`:
  // files too large for a request body through API Gateway and Lambda (6 MB) go this way.
  routes.post('/uploads', async (c) => {
    const bytes = checkedSize(c.req.query());
    const id = randomBytes(16).toString('hex');
    const now = deps.clock();
    const link = await deps.uploads.linkFor(importUploadKey(id), {
      id,
      bytes,
      now,
      expiresS: UPLOAD_EXPIRES_S,
      origin: new URL(c.req.url).origin,
    });
    deps.log.info({ upload: id, bytes }, 'upload link made');
    return c.json(
      {
        upload: id,
        method: 'PUT',
        url: link.url,
        headers: link.headers,
        bytes,
        expires_at: link.expiresAt.toISOString(),
      },
      201,
    );
  });
  return routes;
}

/**
 * `PUT /import-files/<id>?bytes=&expires=&signature=` (folder lakes; an S3 lake's links go to S3):
 * the body, exactly `bytes` bytes, saved as `imports/incoming/<id>.csv` for a valid, unexpired link.
 * A longer body is refused at the first byte past `bytes` and nothing is written.
 */
export function uploadFileRoutes(deps: ApiDependencies, links: SignedUploadLinks): Hono {
  const routes = new Hono();
  routes.put('/:id', async (c) => {
    let key: string;
    try {
      key = importUploadKey(c.req.param('id'));
    } catch {
      throw new ApiError(404, 'There is no such upload link.');
    }
    const bytes = links.verify(key, c.req.query(), deps.clock());
    const spooled = await spoolBody(c.req.raw.body, {
      contentLength: c.req.header('content-length'),
      limit: bytes,
      dir: deps.tmpDir,
    });
    try {
      if (spooled.bytes !== bytes) {
        throw new ApiError(
          400,
          `The body is ${spooled.bytes} bytes but this link is for ${bytes}; ask POST /imports/uploads for a link of the file's size.`,
        );
      }
      await deps.lake.put(key, createReadStream(spooled.file));
    } finally {
      await spooled.remove();
    }
    return c.json({ upload: c.req.param('id'), bytes }, 200);
  });
  return routes;
}
