import { Hono } from 'hono';
import { ApiError } from '../api-error';
import type { ApiDependencies } from '../dependencies';
import { NAME_PATTERN } from './plan-import';
import { runImport } from './run-import';
import { spoolBody } from './spool-body';

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
): { schema: string; table: string; append: boolean } {
  const unknown = Object.keys(query).filter((key) => !['table', 'schema', 'append'].includes(key));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      `Unknown query parameter ${unknown.join(', ')}; POST /imports takes table, schema and append.`,
    );
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
  return { schema, table, append: appendText === 'true' };
}

/** `POST /imports?table=&schema=&append=`: a CSV body (at most 10 MB) into a table of an import database. */
export function importRoutes(deps: ApiDependencies): Hono {
  const routes = new Hono();
  routes.post('/', async (c) => {
    const request = checkedQuery(c.req.query(), deps);
    const contentType = c.req.header('content-type');
    if (contentType && !CSV_TYPES.test(contentType)) {
      throw new ApiError(415, `Content-Type "${contentType}" is not CSV; send the file as text/csv.`);
    }
    const spooled = await spoolBody(c.req.raw.body, {
      contentLength: c.req.header('content-length'),
      dir: deps.tmpDir,
    });
    try {
      const result = await runImport(deps.pool, { ...request, file: spooled.file }, deps.log);
      deps.log.info(
        {
          schema: result.schema,
          table: result.table,
          rows: result.rows,
          mode: result.mode,
          bytes: spooled.bytes,
        },
        'csv imported',
      );
      return c.json(result, 201);
    } finally {
      await spooled.remove();
    }
  });
  return routes;
}
