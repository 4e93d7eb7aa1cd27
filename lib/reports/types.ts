/** A report parameter's type: what the query string must hold, checked before the SQL runs. */
export type ReportParamType = 'integer' | 'string';

/** One query-string parameter of a report. */
export interface ReportParam {
  name: string;
  type: ReportParamType;
  description: string;
  /** Inclusive bounds of an integer parameter. */
  minimum?: number;
  maximum?: number;
  /** Pattern a string parameter must match. */
  pattern?: string;
}

/** Parameter values after checking: integers as numbers, strings as given. */
export type ReportParamValues = Record<string, number | string>;

/**
 * A report: a fixed SQL query over the warehouse with bound parameters, written as CSV. One file
 * in lib/reports declares it; the routes, `GET /reports` and the OpenAPI description loop over
 * the registry (lib/reports/registry.ts).
 */
export interface ReportDeclaration {
  /** URL segment and lake folder: `GET /reports/<name>`, `reports/<name>/<stamp>.csv`. */
  name: string;
  description: string;
  params: readonly ReportParam[];
  /** The CSV header, in order; the SQL selects columns with exactly these names. */
  columns: readonly string[];
  /** One statement with `?` placeholders only: values never enter the text. */
  sql: string;
  /** The placeholder values, in order, for checked parameter values. */
  values(params: ReportParamValues): unknown[];
}
