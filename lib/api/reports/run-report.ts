import { stringify } from 'csv-stringify';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { reportKey, reportStamp } from '../../lake/keys';
import type { LakeStore } from '../../lake/store';
import type { ReportDeclaration, ReportParamValues } from '../../reports/registry';
import { ApiError } from '../api-error';

/**
 * The query string of `GET /reports/<name>` checked against the report's parameters: each one
 * present and of its type, nothing else.
 *
 * @throws ApiError 400 naming the parameter and what it takes.
 */
export function checkParams(report: ReportDeclaration, query: Record<string, string>): ReportParamValues {
  const known = new Set(report.params.map((p) => p.name));
  const unknown = Object.keys(query).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      `Unknown parameter ${unknown.join(', ')} for report ${report.name}; it takes ${[...known].join(', ') || 'none'}.`,
    );
  }
  const values: ReportParamValues = {};
  for (const param of report.params) {
    const text = query[param.name];
    if (text === undefined || text === '') {
      throw new ApiError(400, `Report ${report.name} needs ${param.name}: ${param.description}`);
    }
    if (param.type === 'integer') {
      const n = /^-?\d{1,15}$/.test(text) ? Number(text) : NaN;
      const { minimum = -Infinity, maximum = Infinity } = param;
      if (!Number.isInteger(n) || n < minimum || n > maximum) {
        throw new ApiError(
          400,
          `${param.name} "${text}" is not a whole number from ${minimum} to ${maximum} (${param.description})`,
        );
      }
      values[param.name] = n;
    } else {
      if (param.pattern && !new RegExp(param.pattern).test(text)) {
        throw new ApiError(
          400,
          `${param.name} "${text}" does not match ${param.pattern} (${param.description})`,
        );
      }
      values[param.name] = text;
    }
  }
  return values;
}

/** What running a report wrote. */
export interface ReportRun {
  key: string;
  rows: number;
}

/**
 * Run the report's SQL with its bound values and write the rows as CSV (csv-stringify, header
 * first, `escape_formulas` so a cell a spreadsheet would run as a formula starts with `'`) to
 * `reports/<name>/<stamp>.csv`.
 */
export async function runReport(
  pool: Pool,
  lake: LakeStore,
  report: ReportDeclaration,
  params: ReportParamValues,
  now: Date,
): Promise<ReportRun> {
  const [rows] = await pool.query<RowDataPacket[]>(report.sql, report.values(params));
  const key = reportKey(report.name, reportStamp(now));
  const csv = stringify(rows, { header: true, columns: [...report.columns], escape_formulas: true });
  await lake.put(key, csv);
  return { key, rows: rows.length };
}
