import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');

/** The Fargate/CLI entrypoints, each built to `dist/<name>.js`. */
export const TASK_ENTRYPOINTS = {
  extract: 'tasks/extract/main.ts',
  load: 'tasks/load/main.ts',
  sync: 'tasks/sync/main.ts',
  migrate: 'tasks/migrate/main.ts',
  refine: 'tasks/refine/main.ts',
} as const;

/** Where the bundles go; the Dockerfile copies this folder into the image. */
export const DIST_FOLDER = 'dist';

/**
 * Left out of the bundles and loaded from node_modules at run time, so they stay production
 * dependencies. @sentry/node registers module hooks from files beside its own code (`import.meta.url`
 * is empty in a CommonJS bundle) and is loaded only when `SENTRY_DSN` is set. DuckDB's bindings
 * load a native `duckdb.node` from the package of the platform the image runs on.
 */
export const EXTERNAL_PACKAGES = ['@sentry/node', '@duckdb/node-api', '@duckdb/node-bindings'];

/**
 * Where the bundles find the warehouse migrations, relative to themselves: `dist/` sits one folder
 * below the project root, where lib/warehouse sits two (see MIGRATIONS_FOLDER).
 */
const BUNDLED_MIGRATIONS_DIR = '../drizzle/migrations';

/** esbuild settings of the task bundles: plain CommonJS for Node 22, one file per task with its source map. */
export function taskBuildOptions(outdir = path.join(ROOT, DIST_FOLDER)): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: Object.entries(TASK_ENTRYPOINTS).map(([out, input]) => ({ in: input, out })),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    // Readable function names in stack traces and logs; size matters little in a container.
    keepNames: true,
    external: EXTERNAL_PACKAGES,
    define: { BUNDLED_MIGRATIONS_DIR: JSON.stringify(BUNDLED_MIGRATIONS_DIR) },
    logLevel: 'warning',
  };
}

// `npm run build`: wiring only.
if (require.main === module) {
  build(taskBuildOptions()).catch(() => {
    // esbuild has already printed its errors.
    process.exitCode = 1;
  });
}
