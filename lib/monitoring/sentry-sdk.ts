/**
 * The parts of the Sentry SDK we call, loaded through this module so that `sentry.ts` can require it
 * lazily while bundlers still see ES named imports, which they tree-shake (a plain
 * `require('@sentry/node')` pulls the whole CommonJS build into the trigger's bundle: 583 KB zipped
 * against 266 KB).
 */
export { captureException, flush, init } from '@sentry/node';
