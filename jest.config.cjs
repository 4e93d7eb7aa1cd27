// Config files that tools require are the one exception to named exports (house style).
/** ESM-only packages that swc must turn into CommonJS for jest's module system. */
const ESM_PACKAGES = ['p-limit', 'yocto-queue', 'stream-json', 'stream-chain'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Sentry's init (tests/unit/monitoring-sentry.test.ts) leaves a global carrier that jest 30's
  // "soft delete" of globals then wraps again in every later file of the same worker, until a
  // setter recurses past the stack limit and an unrelated suite hangs (seen in lake-publish).
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj|cj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testTimeout: 60_000,
  // DuckDB's N-API binding (@duckdb/node-api, the refine's engine) holds a referenced "reaper"
  // handle from the moment it loads until the process ends, so a run in band (CI's one worker on
  // two cores) never exits after the last test. Exit once the results are in; the exit code is
  // still the tests' own.
  forceExit: true,
};
