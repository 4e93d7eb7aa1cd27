import { createReadRoutes } from './read-routes';
import { Hono } from 'hono';
import { ApiError } from './api-error';
import { authMiddleware } from './auth';
import type { ApiDependencies } from './dependencies';
import { importRoutes, uploadFileRoutes } from './imports/routes';
import { SignedUploadLinks, UPLOAD_FILES_PATH } from './imports/upload-links';
import { openApiDocument } from './openapi';
import { REPORT_FILES_PATH, SignedReportLinks } from './report-links';
import { reportFileRoutes, reportRoutes } from './reports/routes';

export type { ApiDependencies } from './dependencies';

/**
 * The warehouse API as one Hono app, the same for `npm run api` (@hono/node-server) and the
 * Lambda (hono/aws-lambda). Every route passes the one auth middleware; each group of routes is
 * a sub-app mounted with one `app.route` line. Errors become JSON: `{ "error" }`, or
 * `{ "errors": [...] }` for rows that do not fit; anything unexpected is logged once and answered
 * as a 500 that names no internals.
 */
export function buildApiApp(deps: ApiDependencies): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.rowErrors) return c.json({ errors: error.rowErrors }, error.status);
      return c.json({ error: error.message }, error.status);
    }
    deps.log.error({ err: error.name, method: c.req.method, path: c.req.path }, error.message.slice(0, 500));
    return c.json(
      {
        error:
          'The API failed on this request; its log says why. Try again; if it repeats, tell the operator.',
      },
      500,
    );
  });
  app.notFound((c) =>
    c.json({ error: `No route ${c.req.method} ${c.req.path}; GET /openapi.json describes the API.` }, 404),
  );

  app.use('*', authMiddleware(deps.auth, [`${REPORT_FILES_PATH}/`, `${UPLOAD_FILES_PATH}/`]));
  app.get('/openapi.json', (c) => c.json(openApiDocument() as object));
  app.route('/imports', importRoutes(deps));
  app.route('/reports', reportRoutes(deps));
  // The webhooks' read routes (GET /contacts/{id}, GET /events) over the same pool.
  app.route('/', createReadRoutes({ pool: deps.pool }));
  if (deps.links instanceof SignedReportLinks)
    app.route(REPORT_FILES_PATH, reportFileRoutes(deps, deps.links));
  if (deps.uploads instanceof SignedUploadLinks)
    app.route(UPLOAD_FILES_PATH, uploadFileRoutes(deps, deps.uploads));
  return app;
}
