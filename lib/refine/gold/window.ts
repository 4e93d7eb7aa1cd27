import type { Dialect } from '../dialect';
import type { RefineOptions } from '../jobs/types';

/**
 * The condition that `column` (a TIMESTAMP, UTC) falls in the days `--since` to `--until`
 * (inclusive; either may be open).
 */
export function windowCondition(column: string, dialect: Dialect, options: RefineOptions): string {
  const parts = ['TRUE'];
  if (options.since) parts.push(`CAST(${column} AS DATE) >= ${dialect.date(options.since)}`);
  if (options.until) parts.push(`CAST(${column} AS DATE) <= ${dialect.date(options.until)}`);
  return parts.join(' AND ');
}
