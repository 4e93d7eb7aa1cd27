import type { ReportParam, ReportParamValues } from './types';

/** The `year` parameter the yearly reports share. */
export const YEAR_PARAM: ReportParam = {
  name: 'year',
  type: 'integer',
  description: 'Calendar year (UTC), YYYY.',
  minimum: 1970,
  maximum: 9998,
};

/** `[start, end)` of `params.year` as UTC DATETIME strings, for `created_at >= ? AND created_at < ?`. */
export function yearBounds(params: ReportParamValues): [string, string] {
  const year = Number(params.year);
  const stamp = (y: number): string => `${String(y).padStart(4, '0')}-01-01 00:00:00`;
  return [stamp(year), stamp(year + 1)];
}
