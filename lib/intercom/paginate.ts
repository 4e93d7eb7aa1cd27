import { SourceError } from '../errors';
import { RecentIds } from './recent-ids';
import { recordIdOf } from '../records/record-id';

/** Intercom's largest page size, asked for on every list and search. */
export const MAX_PER_PAGE = 150;

/**
 * Where the next page is, as the last page said: a cursor (`pages.next.starting_after`, lists and
 * notes) or a link (`pages.next` as a URL, a contact's companies).
 */
export type NextPage = { startingAfter: string } | { url: string };

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /** The endpoint path, for messages (`/contacts`). */
  endpoint: string;
  /** The keys that may hold the page's items, first match wins (`data`, `conversations`). */
  itemsKeys: readonly string[];
  /** Fetch one page: the first when `next` is undefined. Returns the parsed body. */
  fetchPage(next: NextPage | undefined): Promise<unknown>;
  /** How many pages of ids to remember for dedup; see {@link RecentIds}. */
  dedupPages?: number;
}

/**
 * Every item of a paged Intercom list, one page in memory at a time, each id once (within the
 * dedup window of {@link RecentIds}).
 *
 * Stops only when a page has no `pages.next` (or a `next` without a cursor), which is how Intercom
 * marks the last page; a page count or `total_count` is never trusted.
 * https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/pagination
 *
 * @throws SourceError when a page is not a list, or when the API hands back a cursor it already
 * gave (it would loop forever). Cursors are kept for the whole list: one short string per page.
 */
export async function* paginate<T>(options: PaginateOptions): AsyncGenerator<T> {
  const recent = new RecentIds(options.dedupPages ?? 4);
  const cursors = new Set<string>();
  let next: NextPage | undefined;
  for (;;) {
    const body = await options.fetchPage(next);
    const items = itemsOf(body, options.itemsKeys);
    if (!items) {
      throw new SourceError(
        `Intercom answered ${options.endpoint} with something that is not a list (no ${options.itemsKeys.join(' or ')} array). Check INTERCOM_API_VERSION names a supported version such as 2.14.`,
        { cause: new Error(`unexpected page shape from ${options.endpoint}`) },
      );
    }
    recent.nextPage();
    for (const item of items) {
      const id = recordIdOf(item);
      if (id !== undefined && recent.seen(id)) continue;
      yield item as T;
    }
    next = nextPageOf(body);
    if (!next) return;
    const key = 'startingAfter' in next ? `c:${next.startingAfter}` : `u:${next.url}`;
    if (cursors.has(key)) {
      throw new SourceError(
        `Intercom returned the same page cursor twice while listing ${options.endpoint}, which would loop forever. Run again; if it repeats, report it to Intercom support.`,
        { cause: new Error(`repeated cursor after ${cursors.size} pages of ${options.endpoint}`) },
      );
    }
    cursors.add(key);
  }
}

function itemsOf(body: unknown, keys: readonly string[]): unknown[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  for (const key of keys) {
    const value = (body as Record<string, unknown>)[key];
    if (Array.isArray(value)) return value;
  }
  return undefined;
}

/** `pages.next` in either of its shapes; undefined on the last page. */
export function nextPageOf(body: unknown): NextPage | undefined {
  const pages = (body as { pages?: unknown } | null)?.pages;
  if (typeof pages !== 'object' || pages === null) return undefined;
  const next = (pages as { next?: unknown }).next;
  if (typeof next === 'string' && next !== '') return { url: next };
  if (typeof next === 'object' && next !== null) {
    const startingAfter = (next as { starting_after?: unknown }).starting_after;
    if (typeof startingAfter === 'string' && startingAfter !== '') return { startingAfter };
  }
  return undefined;
}

/**
 * The path and query of a page of the list at `path`: the first (`next` undefined) or the one
 * after a cursor, both with `per_page` (default {@link MAX_PER_PAGE}), or the path and query of a
 * link (see {@link linkPath}).
 */
export function pagePath(
  path: string,
  next: NextPage | undefined,
  baseUrl: string,
  perPage: number = MAX_PER_PAGE,
): string {
  // A path may carry fixed parameters of its own (`/segments?include_count=true`).
  const join = path.includes('?') ? '&' : '?';
  if (!next) return `${path}${join}per_page=${perPage}`;
  if ('startingAfter' in next) {
    return `${path}${join}per_page=${perPage}&starting_after=${encodeURIComponent(next.startingAfter)}`;
  }
  return linkPath(next.url, baseUrl);
}

/**
 * The path and query of a `pages.next` link, relative to `baseUrl`. A link may be absolute (any
 * host) or relative; only its path and query are kept so the token never goes to another host.
 */
function linkPath(url: string, baseUrl: string): string {
  const link = new URL(url, baseUrl + '/');
  const basePath = new URL(baseUrl + '/').pathname.replace(/\/$/, '');
  const path =
    basePath && link.pathname.startsWith(basePath + '/')
      ? link.pathname.slice(basePath.length)
      : link.pathname;
  return path + link.search;
}
