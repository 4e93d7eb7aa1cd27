/** One problem with one cell or row of an import (422). */
export interface RowError {
  /** The record's number in the file, the header being 1; null when the file as a whole is wrong. */
  row: number | null;
  /** The column's name; null when the problem is the row's (its cell count). */
  column: string | null;
  message: string;
}

/**
 * An answer other than success, with the status and what to do: the API's error handler turns it
 * into `{ "error": message }`, or `{ "errors": [...] }` for rows that do not fit (422).
 */
export class ApiError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 422 | 500;
  readonly rowErrors: readonly RowError[] | undefined;
  constructor(
    status: ApiError['status'],
    message: string,
    options: { rowErrors?: readonly RowError[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.rowErrors = options.rowErrors;
  }
}
