import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { reportKey } from '../../lake/keys';
import { REPORTS, reportNamed } from '../../reports/registry';
import { ApiError } from '../api-error';
import type { ApiDependencies } from '../dependencies';
import { SignedReportLinks } from '../report-links';
import { checkParams, runReport } from './run-report';

/** `GET /reports` (the list) and `GET /reports/<name>?...` (run one, answer with a link to its CSV). */
export function reportRoutes(deps: ApiDependencies): Hono {
  const routes = new Hono();
  routes.get('/', (c) =>
    c.json(REPORTS.map(({ name, description, params }) => ({ name, description, params }))),
  );
  routes.get('/:name', async (c) => {
    const name = c.req.param('name');
    const report = reportNamed(name);
    if (!report) {
      throw new ApiError(
        404,
        `There is no report "${name}"; GET /reports lists them (${REPORTS.map((r) => r.name).join(', ')}).`,
      );
    }
    const params = checkParams(report, c.req.query());
    const now = deps.clock();
    const run = await runReport(deps.pool, deps.lake, report, params, now);
    const link = await deps.links.linkTo(run.key, {
      now,
      expiresS: deps.reportUrlExpiresS,
      origin: new URL(c.req.url).origin,
    });
    deps.log.info({ report: name, rows: run.rows, key: run.key }, 'report written');
    return c.json({ report: name, rows: run.rows, url: link.url, expires_at: link.expiresAt.toISOString() });
  });
  return routes;
}

/** `GET /report-files/<name>/<stamp>.csv?expires=&signature=`: a folder lake's report, for a valid, unexpired link. */
export function reportFileRoutes(deps: ApiDependencies, links: SignedReportLinks): Hono {
  const routes = new Hono();
  routes.get('/:name/:file', async (c) => {
    const { name, file } = c.req.param();
    const stamp = file.endsWith('.csv') ? file.slice(0, -'.csv'.length) : '';
    let key: string;
    try {
      key = reportKey(name, stamp);
    } catch {
      throw new ApiError(404, 'There is no such report file.');
    }
    links.verify(key, c.req.query(), deps.clock());
    if (!(await deps.lake.exists(key)))
      throw new ApiError(404, 'The report file is gone from the lake; ask for the report again.');
    const body = await deps.lake.get(key);
    return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}-${stamp}.csv"`,
      },
    });
  });
  return routes;
}
