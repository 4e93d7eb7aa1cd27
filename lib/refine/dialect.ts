/**
 * The few places DuckDB's SQL and Athena's (Trino) differ for the gold queries; everything else
 * (FILTER clauses, min_by/max_by, date_diff, CROSS JOIN UNNEST) is written once for both.
 */
export interface Dialect {
  name: 'duckdb' | 'athena';
  /** Median of `expression`: exact in DuckDB, `approx_percentile` in Athena (no exact median there). */
  median(expression: string): string;
  /** A relation `(day)` of every date from `from` to `to` inclusive (both DATE expressions). */
  days(from: string, to: string): string;
  /** A DATE literal. */
  date(day: string): string;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  median: (e) => `median(${e})`,
  days: (from, to) =>
    `(SELECT CAST(d AS DATE) AS day FROM generate_series(${from}, ${to}, INTERVAL 1 DAY) AS g(d))`,
  date: (day) => `DATE '${assertDay(day)}'`,
};

export const ATHENA: Dialect = {
  name: 'athena',
  median: (e) => `approx_percentile(CAST(${e} AS DOUBLE), 0.5)`,
  days: (from, to) => `(SELECT day FROM UNNEST(sequence(${from}, ${to}, INTERVAL '1' DAY)) AS g(day))`,
  date: (day) => `DATE '${assertDay(day)}'`,
};

/** @throws Error when `day` is not `YYYY-MM-DD`. */
function assertDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`"${day}" is not a day such as 2026-11-30`);
  return day;
}
