/**
 * Cursor paging as Intercom API 2.14 does it: `per_page` (capped at 150) and an opaque
 * `starting_after` cursor; `pages.next` is absent on the last page.
 * @see https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/pagination
 */

/** Intercom caps `per_page` at this on lists and searches. */
export const MAX_PER_PAGE = 150;

/** Intercom's `pages` object for cursor-paged lists. */
export interface CursorPages {
  type: 'pages';
  page: number;
  per_page: number;
  total_pages: number;
  next?: { per_page: number; starting_after: string };
}

/** A request's paging parameters could not be read; the server answers 400 `parameter_invalid`. */
export class PagingParameterError extends Error {
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.name = 'PagingParameterError';
    this.field = field;
  }
}

const CURSOR_PREFIX = 'sbx1:';

/** An opaque cursor for "continue at `offset`" (clients must not parse it). */
export function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64url');
}

/**
 * The offset a cursor stands for.
 *
 * @throws PagingParameterError when the cursor is not one this sandbox issued.
 */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const offset = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new PagingParameterError('starting_after is not a valid cursor', 'starting_after');
  }
  return offset;
}

/**
 * Read `per_page` (a query-string or JSON value): default when absent, capped at 150.
 *
 * @throws PagingParameterError when it is not a positive whole number.
 */
export function parsePerPage(raw: unknown, defaultPerPage: number): number {
  if (raw === undefined || raw === null || raw === '') return defaultPerPage;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new PagingParameterError('per_page must be a positive integer', 'per_page');
  }
  return Math.min(n, MAX_PER_PAGE);
}

/** The slice to serve and the `pages` object that describes it. */
export function pageOf(
  total: number,
  offset: number,
  perPage: number,
  options: { repeatLast?: boolean } = {},
): { start: number; end: number; pages: CursorPages } {
  const start = Math.min(offset, total);
  const end = Math.min(start + perPage, total);
  const pages: CursorPages = {
    type: 'pages',
    page: Math.floor(start / perPage) + 1,
    per_page: perPage,
    total_pages: Math.ceil(total / perPage),
  };
  if (end < total) {
    // The "repeat across pages" fault makes the next page start with this page's last item.
    const nextOffset = options.repeatLast && end - start > 1 ? end - 1 : end;
    pages.next = { per_page: perPage, starting_after: encodeCursor(nextOffset) };
  }
  return { start, end, pages };
}
