import { SourceError, TransientError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { backoffDelayMs } from '../backoff';
import { sleep } from './backoff';
import type { NestedList, SearchQuery } from '../streams/types';
import { USERS } from '../streams/users';
import { completeNestedLists } from './complete-nested';
import { isRetryableStatus, parseErrorBody, sourceErrorFor } from './error-response';
import { createHttp, NoResponseError, type HttpResponse } from './http';
import { mapConcurrent as mapOrdered } from './map-concurrent';
import { MAX_PER_PAGE, pagePath, paginate } from './paginate';
import { RateLimitBudget, type RateLimitObservation } from './rate-limit';
import { scrollRecords } from './scroll';
import type { Contact, Conversation, ConversationSummary, IntercomRecord } from './types';

export type { SearchQuery } from '../streams/types';

/**
 * The order of a search's results (`sort` of `POST /contacts/search`): by a field, descending or
 * ascending. https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
 */
export interface SearchSort {
  field: string;
  order: 'ascending' | 'descending';
}

/** Options of {@link createIntercomClient}. */
export interface IntercomClientOptions {
  /** Validated region URL or sandbox URL, no trailing slash. */
  baseUrl: string;
  /** Access token; sent only as `Authorization: Bearer`, never logged. */
  token: string;
  /** Sent as the `Intercom-Version` header. */
  apiVersion: string;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Hard cap on concurrent requests (default 64). */
  maxInFlight?: number;
  /** Per request, headers and body (default 30,000). */
  timeoutMs?: number;
  /** Per request, for retryable failures (default 8). */
  maxAttempts?: number;
  /** Aborts everything: waiting requests, requests in flight and retry pauses. */
  signal?: AbortSignal;
  /** First retry pause ceiling in ms, doubled per retry up to 20 s (default 500); tests shorten it. */
  retryBaseMs?: number;
  /** How long a new scroll waits for the app's open one to end (default 75,000: Intercom expires it after a minute idle). */
  scrollWaitMs?: number;
}

/** Counters of the client's work so far. */
export interface ClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests sent again after a retryable failure. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Calls that ended in an error (after their retries). */
  failures: number;
  /** Response body bytes received. */
  bytes: number;
}

/** A read-only client for the Intercom REST API; see {@link createIntercomClient}. */
export interface IntercomClient {
  /**
   * `GET /me`: the admin the token belongs to; call it first to check the token early.
   * @throws SourceError (401) when the token is refused.
   */
  me(): Promise<Record<string, unknown>>;
  /** Every contact (`GET /contacts`, 150 per page), each id once; see {@link paginate}. */
  listContacts(): AsyncGenerator<Contact>;
  /** `contact` with nested tags/companies/notes that say `has_more` filled; see complete-nested.ts. */
  completeContact(contact: Contact): Promise<Contact>;
  /** Every conversation summary (`GET /conversations`, 150 per page, no parts), each id once. */
  listConversations(): AsyncGenerator<ConversationSummary>;
  /**
   * Every contact that matches `query` (`POST /contacts/search`, 150 per page, `starting_after`
   * cursor), each id once within the dedup window, with the lists' budget and retries. Date filters
   * on contacts match by calendar day in the workspace's time zone, not by the exact second.
   * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
   * @throws SourceError (400) when Intercom refuses the query.
   */
  searchContacts(query: SearchQuery): AsyncGenerator<Contact>;
  /**
   * Every conversation summary that matches `query` (`POST /conversations/search`, 150 per page);
   * date filters match the exact timestamp.
   * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/searchconversations
   * @throws SourceError (400) when Intercom refuses the query.
   */
  searchConversations(query: SearchQuery): AsyncGenerator<ConversationSummary>;
  /** `total_count` of `GET /contacts` now (one item asked for), or undefined when the API gives none. */
  countContacts(): Promise<number | undefined>;
  /** `total_count` of `GET /conversations` now, or undefined when the API gives none. */
  countConversations(): Promise<number | undefined>;
  /**
   * `GET /conversations/{id}`: the conversation with at most its 500 most recent parts, bodies as
   * the API returns them by default (HTML).
   * @throws SourceError (404) when the conversation is gone.
   */
  getConversation(id: string): Promise<Conversation>;
  /**
   * Every item of `GET path` under `itemsKey`, each id once (see {@link paginate}): a paged list
   * asks `per_page` = `pageSize` (default 150) and follows `pages.next`; an unpaged one
   * (`GET /admins`) is asked once without `per_page`.
   * @throws SourceError when a page is not a list.
   */
  listRecords(
    path: string,
    itemsKey: string,
    options?: { paged?: boolean; pageSize?: number },
  ): AsyncGenerator<IntercomRecord>;
  /**
   * Every item that matches `query` (`POST path`, `starting_after` cursor), each id once within
   * the dedup window, with the lists' budget and retries.
   * @throws SourceError (400) when Intercom refuses the query.
   */
  searchRecords(
    path: string,
    itemsKey: string,
    query: SearchQuery,
    pageSize?: number,
    sort?: SearchSort,
  ): AsyncGenerator<IntercomRecord>;
  /**
   * One page of a search (`POST path`, `per_page` = `perPage`, optionally sorted): its items and its
   * `total_count` (undefined when the API gives none), to count or to find the first and last record.
   * @throws SourceError (400/403/404) when Intercom refuses the search.
   */
  searchPage(
    path: string,
    itemsKey: string,
    query: SearchQuery,
    options: { perPage: number; sort?: SearchSort },
  ): Promise<{ items: IntercomRecord[]; total: number | undefined }>;
  /**
   * Every item of a scroll, each id once (`GET path`, then `GET path?scroll_param=…` until a page
   * is empty), as `GET /companies/scroll` pages past the 10,000 records its list reaches; a broken
   * scroll is started again and a new one waits for another open one to end (see scroll.ts).
   * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/companies/scrolloverallcompanies
   * @throws SourceError when a page is not a list or repeats an item; TransientError when the scroll keeps breaking.
   */
  scrollRecords(path: string, itemsKey: string): AsyncGenerator<IntercomRecord>;
  /** `total_count` of `GET path` now (one item asked for), or undefined when the API gives none. */
  countRecords(path: string): Promise<number | undefined>;
  /**
   * `GET` one record at `pathTemplate` with `{id}` replaced (`/conversations/{id}`).
   * @throws SourceError (404) when the record is gone, or when the body is not a record.
   */
  getRecord(pathTemplate: string, id: string, singular: string): Promise<IntercomRecord>;
  /** `record` with every nested list of `lists` that says `has_more` filled; see complete-nested.ts. */
  completeNested<R extends IntercomRecord>(
    record: R,
    lists: readonly NestedList[],
    singular: string,
  ): Promise<R>;
  /**
   * `fn` over `source` in source order, as many at once as `maxInFlight`; see map-concurrent.ts.
   * `aheadPerCall`: items taken ahead of the consumer per call slot (default 2): more keeps the slots
   * busy when few items need a call, at the memory of the items waiting.
   */
  mapConcurrent<T, R>(
    source: AsyncIterable<T>,
    fn: (item: T) => Promise<R>,
    options?: { aheadPerCall?: number },
  ): AsyncGenerator<R>;
  /** Live counters. */
  readonly stats: ClientStats;
  /** Close pooled connections; call when done. */
  close(): Promise<void>;
}

const RETRY_CAP_MS = 20_000;

/**
 * A client for the Intercom REST API: keep-alive connections, a rate-limit budget driven by the
 * `X-RateLimit-*` headers (see rate-limit.ts), retries with full-jitter backoff, cursor paging.
 *
 * Every call throws one of:
 * - `SourceError` for 400/401/403/404 and other refusals (not retried);
 * - `TransientError` after `maxAttempts` tries at 429, 5xx, a reset connection, a timeout or an
 *   unparseable 200 body; its message names the endpoint path, never the token;
 * - the signal's reason when `signal` aborts.
 * https://developers.intercom.com/docs/references/rest-api/errors/http-responses
 */
export function createIntercomClient(options: IntercomClientOptions): IntercomClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const log = options.logger ?? silentLogger();
  const maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 64));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 8));
  const retryBaseMs = options.retryBaseMs ?? 500;
  const signal = options.signal;
  const budget = new RateLimitBudget({ maxInFlight });
  const http = createHttp({
    baseUrl,
    token: options.token,
    apiVersion: options.apiVersion,
    connections: maxInFlight,
    timeoutMs,
  });
  const stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0, failures: 0, bytes: 0 };

  async function getJson(
    pathAndQuery: string,
    resource?: string,
    postBody?: unknown,
    onlyRateLimited = false,
  ): Promise<unknown> {
    const path = pathAndQuery.split('?')[0] as string;
    try {
      return await getJsonWithRetries(pathAndQuery, path, resource, postBody, onlyRateLimited);
    } catch (error) {
      stats.failures += 1;
      throw error;
    }
  }

  /**
   * GET `pathAndQuery`, or POST `postBody` to it when given; retried alike (a search only reads).
   * `onlyRateLimited`: retry a 429 only (Intercom answers it before doing anything), and throw the
   * TransientError at once on any other failure, for requests that may not be sent twice (a scroll page).
   */
  async function getJsonWithRetries(
    pathAndQuery: string,
    path: string,
    resource?: string,
    postBody?: unknown,
    onlyRateLimited = false,
  ): Promise<unknown> {
    const method = postBody === undefined ? 'GET' : 'POST';
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await budget.acquire(signal);
      stats.requests += 1;
      let problem: string;
      let cause: unknown;
      let delayMs: number | undefined;
      let res: HttpResponse | undefined;
      try {
        res =
          postBody === undefined
            ? await http.get(pathAndQuery, signal)
            : await http.post(pathAndQuery, postBody, signal);
      } catch (error) {
        ticket.release();
        if (!(error instanceof NoResponseError)) throw error;
        problem = error.message;
        cause = error;
      }
      if (res) {
        const observation = observationOf(res);
        ticket.release(observation);
        stats.bytes += res.body.length;
        if (res.status >= 200 && res.status < 300) {
          try {
            return JSON.parse(res.body.toString('utf8'));
          } catch (error) {
            problem = `an unparseable ${res.status} body`;
            cause = error;
          }
        } else if (isRetryableStatus(res.status)) {
          const code = parseErrorBody(res.body).code;
          problem = `HTTP ${res.status}${code ? ` ${code}` : ''}`;
          cause = new Error(`HTTP ${res.status} from ${method} ${path}`);
          if (res.status === 429) {
            stats.rateLimited += 1;
            // The budget holds every request until the window resets; no extra pause is needed.
            if (observation.resetSeconds !== undefined || observation.retryAfterMs !== undefined) delayMs = 0;
          }
        } else {
          throw sourceErrorFor(res.status, res.body, path, resource);
        }
      }
      problem ??= 'an unknown failure';
      if (onlyRateLimited && res?.status !== 429) {
        throw new TransientError(`Intercom did not answer ${method} ${path} (${problem}); not asked again.`, {
          cause,
        });
      }
      if (attempt >= maxAttempts) {
        throw new TransientError(
          `Intercom did not answer ${method} ${path} after ${maxAttempts} attempts (last: ${problem}). Intercom may be degraded or the network interrupted: run again later (the run is safe to repeat), or raise the timeout if responses are slow.`,
          { cause },
        );
      }
      stats.retries += 1;
      delayMs ??= backoffDelayMs(attempt, retryBaseMs, RETRY_CAP_MS);
      log.warn({ path, attempt, problem, delayMs }, 'request retried');
      await sleep(delayMs, signal);
    }
  }

  async function* search<T>(
    endpoint: string,
    itemsKey: string,
    query: SearchQuery,
    pageSize = MAX_PER_PAGE,
    sort?: SearchSort,
  ): AsyncGenerator<T> {
    yield* paginate<T>({
      endpoint,
      itemsKeys: [itemsKey],
      fetchPage: (next) => {
        const pagination: Record<string, unknown> = { per_page: pageSize };
        if (next && 'startingAfter' in next) pagination.starting_after = next.startingAfter;
        return getJson(endpoint, undefined, { query, pagination, ...(sort && { sort }) });
      },
    });
  }

  async function searchPage(
    endpoint: string,
    itemsKey: string,
    query: SearchQuery,
    { perPage, sort }: { perPage: number; sort?: SearchSort },
  ): Promise<{ items: IntercomRecord[]; total: number | undefined }> {
    const pagination = { per_page: perPage };
    const body = (await getJson(
      endpoint,
      undefined,
      sort ? { query, pagination, sort } : { query, pagination },
    )) as Record<string, unknown> | null;
    const items = body?.[itemsKey];
    if (!Array.isArray(items)) {
      throw new SourceError(
        `Intercom answered ${endpoint} with something that is not a list (no ${itemsKey} array). Check INTERCOM_API_VERSION names a supported version such as 2.14.`,
        { cause: new Error(`unexpected page shape from ${endpoint}`) },
      );
    }
    const total = body?.total_count;
    return {
      items: items as IntercomRecord[],
      total: typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : undefined,
    };
  }

  async function totalOf(endpoint: string): Promise<number | undefined> {
    const body = (await getJson(`${endpoint}?per_page=1`)) as { total_count?: unknown } | null;
    const total = body?.total_count;
    return typeof total === 'number' && Number.isSafeInteger(total) ? total : undefined;
  }

  async function* list<T>(
    endpoint: string,
    itemsKey: string,
    { paged = true, pageSize = MAX_PER_PAGE }: { paged?: boolean; pageSize?: number } = {},
  ): AsyncGenerator<T> {
    let pages = 0;
    yield* paginate<T>({
      endpoint,
      itemsKeys: [itemsKey],
      fetchPage: async (next) => {
        const body = await getJson(!paged && !next ? endpoint : pagePath(endpoint, next, baseUrl, pageSize));
        pages += 1;
        log.debug({ endpoint, pages }, 'page fetched');
        return body;
      },
    });
  }

  const scroll = (endpoint: string, itemsKey: string): AsyncGenerator<IntercomRecord> =>
    scrollRecords({
      endpoint,
      itemsKey,
      getPage: (pathAndQuery) => getJson(pathAndQuery, undefined, undefined, true),
      sleep: (ms) => sleep(ms, signal),
      maxRestarts: maxAttempts,
      pollBaseMs: retryBaseMs,
      waitMs: options.scrollWaitMs,
      signal,
      log,
    });

  async function getRecord(pathTemplate: string, id: string, singular: string): Promise<IntercomRecord> {
    const body = await getJson(pathTemplate.replace('{id}', encodeURIComponent(id)), `${singular} ${id}`);
    // An id is a string in the spec; a number is still a record, carried through for the load to judge.
    const bodyId = (body as { id?: unknown } | null)?.id;
    if (
      typeof body !== 'object' ||
      body === null ||
      (typeof bodyId !== 'string' && typeof bodyId !== 'number')
    ) {
      throw new SourceError(
        `Intercom answered GET ${pathTemplate} for ${singular} ${id} with something that is not a ${singular}. Check INTERCOM_API_VERSION names a supported version such as 2.14.`,
        { cause: new Error(`unexpected ${singular} body`) },
      );
    }
    return body as IntercomRecord;
  }

  const completeNested = <R extends IntercomRecord>(
    record: R,
    lists: readonly NestedList[],
    singular: string,
  ): Promise<R> =>
    completeNestedLists(
      record,
      lists,
      singular,
      (pathAndQuery, resource) => getJson(pathAndQuery, resource),
      baseUrl,
    );

  return {
    stats,
    async me() {
      const body = await getJson('/me', 'admin for this token');
      if (typeof body !== 'object' || body === null) {
        throw new SourceError(
          'Intercom answered GET /me with something that is not an object. Check INTERCOM_API_URL points at the Intercom API.',
          { cause: new Error('unexpected /me body') },
        );
      }
      return body as Record<string, unknown>;
    },
    listContacts: () => list<Contact>('/contacts', 'data'),
    listConversations: () => list<ConversationSummary>('/conversations', 'conversations'),
    searchContacts: (query) => search<Contact>('/contacts/search', 'data', query),
    searchConversations: (query) =>
      search<ConversationSummary>('/conversations/search', 'conversations', query),
    countContacts: () => totalOf('/contacts'),
    countConversations: () => totalOf('/conversations'),
    completeContact: (contact) => completeNested(contact, USERS.nested ?? [], USERS.singular),
    getConversation: async (id) =>
      (await getRecord('/conversations/{id}', id, 'conversation')) as Conversation,
    listRecords: (path, itemsKey, options) => list<IntercomRecord>(path, itemsKey, options),
    searchRecords: (path, itemsKey, query, pageSize, sort) =>
      search<IntercomRecord>(path, itemsKey, query, pageSize, sort),
    searchPage,
    scrollRecords: (path, itemsKey) => scroll(path, itemsKey),
    countRecords: (path) => totalOf(path),
    getRecord,
    completeNested,
    mapConcurrent: (source, fn, mapOptions) =>
      mapOrdered(source, fn, {
        concurrency: maxInFlight,
        maxPending: maxInFlight * (mapOptions?.aheadPerCall ?? 2),
      }),
    close: () => http.close(),
  };
}

function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function numberHeader(res: HttpResponse, name: string): number | undefined {
  const raw = header(res, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** What a response says about the rate limit (header names are lower-case in undici). */
function observationOf(res: HttpResponse): RateLimitObservation {
  const date = header(res, 'date');
  const dateMs = date ? Date.parse(date) : Number.NaN;
  const retryAfter = numberHeader(res, 'retry-after');
  return {
    sentAt: res.sentAt,
    receivedAt: res.receivedAt,
    status: res.status,
    limit: numberHeader(res, 'x-ratelimit-limit'),
    remaining: numberHeader(res, 'x-ratelimit-remaining'),
    resetSeconds: numberHeader(res, 'x-ratelimit-reset'),
    dateMs: Number.isFinite(dateMs) ? dateMs : undefined,
    retryAfterMs: retryAfter === undefined ? undefined : retryAfter * 1_000,
  };
}
