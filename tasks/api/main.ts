import { buildApiApp } from '../../lib/api/app';
import { openApiDependencies } from '../../lib/api/open-api-dependencies';
import { serveApi } from '../../lib/api/serve';
import { loadApiConfig } from '../../lib/config';
import { runMain } from '../../lib/run-main';

// `npm run api`: the warehouse API on 127.0.0.1:$API_PORT until SIGTERM or Ctrl-C.
void runMain('api', async ({ log, signal }) => {
  const config = loadApiConfig();
  const opened = await openApiDependencies(config, config.databaseUrl as string, { log });
  try {
    const server = await serveApi(buildApiApp(opened.deps), config.port);
    log.info(
      { url: server.url, lake: opened.deps.lake.url, warehouse: opened.warehouse.label },
      'api listening',
    );
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    await server.close();
    log.info('api stopped');
  } finally {
    await opened.close();
  }
});
