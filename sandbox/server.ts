import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompanyScroll } from './company-scroll';
import { OWNER_ADMIN } from './context';
import { errorBody, HttpError, rateLimitMessage } from './error-body';
import { decodeCursor, pageOf, PagingParameterError, parsePerPage } from './paging';
import { CreatedAtIndex, createdAtIntervals } from './search-index';
import { createLiveWorkspace, isLiveWorkspace, type LiveKind, type LiveWorkspace } from './live-workspace';
import { hash32, Rng } from './prng';
import { FixedWindowRateLimiter, type RateDecision } from './rate-limit';
import { compileQuery, parseSort, runSearch, SearchQueryError, type DateSemantics } from './search';
import { createWorkspace, searchFieldsOf, type Workspace, type WorkspaceOptions } from './workspace';

/** Faults to inject; every fraction is in [0, 1]. Counted in `stats.faults`. */
export interface FaultOptions {
  /** Fraction of requests answered 429 (Intercom's body and headers) regardless of the budget. */
  rate429?: number;
  /** Fraction answered 500/502/503 with an `error.list` body. */
  rate5xx?: number;
  /** Fraction whose socket is destroyed before any response. */
  rateReset?: number;
  /** Fraction delayed by `slowMs` before answering. */
  rateSlow?: number;
  /** Delay of a slow answer; default 1000 ms. */
  slowMs?: number;
  /**
   * Every Nth GET list page (contacts, conversations, admins, teams, tags, segments, data
   * attributes, company scroll pages) gets a truncated JSON body with status 200 (0 = never).
   */
  malformedEvery?: number;
  /**
   * The first company scroll that has served this many pages answers its next page with the 500
   * Intercom sends on a network error mid-scroll, and is dropped: its scroll_param fails from then
   * on and the client must start a new scroll (which may start at once). Fires once per
   * `setFaults` (or start). Undefined = never.
   */
  scrollFailAfterPages?: number;
  /** The first item of each next list page repeats the last item of the previous page. */
  repeatAcrossPages?: boolean;
  /**
   * The workspace is live while it is listed: before each list page after the first (GET /contacts,
   * GET /conversations), one record not read yet and one already read are updated (`updated_at`
   * becomes now, a few fields change) and one record is created. Lists put the most recently
   * updated records first and the cursor is an offset, as a plain cursor over a changing list
   * behaves: the record that moves ahead of the cursor is never listed and the one at the page
   * boundary is listed twice. Must be on when the sandbox starts (the workspace is wrapped then);
   * `sandbox.workspace` then always gives the current state, so after a run it is the final state.
   */
  moveWhilePaging?: boolean;
}

/** How to start a sandbox; the workspace options apply unless `workspace` is given. */
export interface SandboxOptions extends WorkspaceOptions {
  /** 0 = a random free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The accepted bearer token; default: random. */
  token?: string;
  /** Added to every answer: fixed, or a distribution around a median with a slow tail. Default 0. */
  latencyMs?: number | { medianMs: number; slowTailMs?: number; slowFraction?: number };
  /** Calls per token per window; default null = no limit. Intercom's real one is 1666. */
  rateLimitPerWindow?: number | null;
  /** Default 10_000, as Intercom. */
  windowMs?: number;
  faults?: FaultOptions;
  /** A prebuilt workspace instead of seed/contacts/conversations. */
  workspace?: Workspace;
  /**
   * The workspace's time zone (IANA name, default UTC): `GET /me` reports it, and contact date
   * searches match whole calendar days in it, as Intercom's do.
   */
  timeZone?: string;
  /**
   * Serve the workspace through a live overlay that can change (`sandbox.live`), as the webhook
   * sender needs; the moveWhilePaging fault turns it on too.
   */
  live?: boolean;
  /** A company scroll unused this long expires; default 60_000, as Intercom. */
  scrollIdleMs?: number;
  /** Companies per scroll page; default 50 (Intercom does not document its size). */
  scrollPageSize?: number;
  /**
   * Whether `POST /tickets/search` items carry their `ticket_parts` (default true, as the spec's
   * example); false: they carry none and only `GET /tickets/{id}` has them.
   */
  ticketPartsInSearch?: boolean;
  /**
   * Called as each request arrives, before any fault or answer, with how many requests of that
   * route came so far (this one included). Tests use it to kill a client at a chosen point.
   */
  onRequest?: (count: number, route: string) => void;
}

/** Counters since start. `rateLimited` counts every 429 (injected ones too), `faults` every injected fault. */
export interface SandboxStats {
  requests: number;
  byRoute: Record<string, number>;
  rateLimited: number;
  faults: number;
  unauthorized: number;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  token: string;
  workspace: Workspace;
  /** The live overlay, when the sandbox was started with `live` or the moveWhilePaging fault. */
  live: LiveWorkspace | undefined;
  stats: SandboxStats;
  /**
   * Replace the fault settings for the next requests.
   * @throws Error when it turns on `moveWhilePaging` for a sandbox started without it.
   */
  setFaults(f: FaultOptions): void;
  /** Make every later request 401, as when a user revokes the token half way. */
  revokeToken(): void;
  close(): Promise<void>;
}

type SearchKind = LiveKind | 'ticket';

const DEFAULT_PER_PAGE: Record<SearchKind, number> = { contact: 50, conversation: 20, ticket: 20 };
const MAX_BODY_BYTES = 1_000_000;
const SEARCH_CACHE_SIZE = 8;
const DATA_ATTRIBUTE_MODELS = ['contact', 'company', 'conversation'] as const;
/** The message Intercom documents for a scroll broken by a network error. */
const SCROLL_BROKEN_MESSAGE =
  'Request failed due to an internal network error. Please restart the scroll operation.';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // The rest is read and dropped, not the socket destroyed: the client gets the 400.
        chunks.length = 0;
        reject(new HttpError(400, 'parameter_invalid', 'Request body is too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function routeOf(method: string, path: string): { route: string; id?: string } {
  if (method === 'GET' && path === '/me') return { route: 'GET /me' };
  if (method === 'GET' && path === '/contacts') return { route: 'GET /contacts' };
  if (method === 'POST' && path === '/contacts/search') return { route: 'POST /contacts/search' };
  if (method === 'GET' && path === '/conversations') return { route: 'GET /conversations' };
  if (method === 'POST' && path === '/conversations/search') return { route: 'POST /conversations/search' };
  if (method === 'GET' && path === '/admins') return { route: 'GET /admins' };
  if (method === 'GET' && path === '/teams') return { route: 'GET /teams' };
  if (method === 'GET' && path === '/tags') return { route: 'GET /tags' };
  if (method === 'GET' && path === '/segments') return { route: 'GET /segments' };
  if (method === 'GET' && path === '/data_attributes') return { route: 'GET /data_attributes' };
  if (method === 'GET' && path === '/companies/scroll') return { route: 'GET /companies/scroll' };
  if (method === 'POST' && path === '/tickets/search') return { route: 'POST /tickets/search' };
  let m = /^\/contacts\/([^/]+)\/(tags|companies|notes)$/.exec(path);
  if (method === 'GET' && m?.[1] && m[2])
    return { route: `GET /contacts/{id}/${m[2]}`, id: decodeURIComponent(m[1]) };
  m = /^\/(contacts|conversations|admins|teams|companies|tickets)\/([^/]+)$/.exec(path);
  if (method === 'GET' && m?.[1] && m[2]) return { route: `GET /${m[1]}/{id}`, id: decodeURIComponent(m[2]) };
  return { route: 'unknown' };
}

/**
 * Start a local HTTP server that behaves like Intercom REST API 2.14 for `/me`, contacts (list,
 * search, retrieve, tags, companies, notes), conversations (list, search, retrieve), admins and teams (list,
 * retrieve), tags, segments and data attributes (list), companies (scroll, retrieve) and tickets
 * (search, retrieve), with Intercom's auth,
 * error bodies, cursor paging, rate-limit headers and 429s, plus latency and fault injection.
 *
 * @throws Error when the port cannot be bound, or the workspace cannot be built (see createWorkspace).
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const baseWorkspace = options.workspace ?? createWorkspace(options);
  // Only a live fault pays for the overlay; otherwise the workspace is served as it was given.
  // A live workspace given by the caller (a test changing it between runs) is served as one.
  const given = options.workspace && isLiveWorkspace(options.workspace) ? options.workspace : undefined;
  const live: LiveWorkspace | undefined =
    given ??
    (options.faults?.moveWhilePaging || options.live ? createLiveWorkspace(baseWorkspace) : undefined);
  const timeZone = options.timeZone ?? 'UTC';
  const workspace: Workspace = live ?? baseWorkspace;
  const token = options.token ?? `sbx_${randomBytes(24).toString('base64url')}`;
  const windowMs = options.windowMs ?? 10_000;
  const limiter = new FixedWindowRateLimiter(options.rateLimitPerWindow ?? null, windowMs);
  const rng = new Rng(hash32(options.seed ?? 1, 0x5a5a));
  const stats: SandboxStats = { requests: 0, byRoute: {}, rateLimited: 0, faults: 0, unauthorized: 0 };
  let faults: FaultOptions = { ...options.faults };
  let revoked = false;
  let listPages = 0;
  let scrollFaultSpent = false;
  const scroll = new CompanyScroll(options.scrollIdleMs ?? 60_000, options.scrollPageSize ?? 50);
  const searchCache = new Map<string, Int32Array>();
  let createdIndex: CreatedAtIndex | undefined;
  let lastNow = 0;

  /** The moveWhilePaging fault, before the list page at `offset`: move one unread and one read record, create one. */
  const moveRecords = (w: LiveWorkspace, kind: LiveKind, offset: number, perPage: number): void => {
    const total = kind === 'contact' ? w.contactCount : w.conversationCount;
    const base = kind === 'contact' ? baseWorkspace.contactCount : baseWorkspace.conversationCount;
    // Seconds, never backwards, so "most recently updated first" matches updated_at.
    lastNow = Math.max(lastNow, Math.floor(Date.now() / 1000));
    const unread =
      offset + perPage < total ? w.listIndexAt(kind, rng.int(offset + perPage, total - 1)) : undefined;
    const read = w.listIndexAt(kind, rng.int(0, offset - 1));
    if (unread !== undefined) w.touch(kind, unread, lastNow);
    w.touch(kind, read, lastNow);
    if (base > 0) w.create(kind, rng.int(0, base - 1), lastNow);
    searchCache.clear();
    stats.faults += 1;
  };

  const latency = (): number => {
    const l = options.latencyMs ?? 0;
    if (typeof l === 'number') return l;
    const slowFraction = l.slowFraction ?? (l.slowTailMs ? 0.01 : 0);
    if (l.slowTailMs && rng.chance(slowFraction)) return l.slowTailMs;
    // Log-normal around the median: most answers near it, some a little slower.
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    return Math.max(0, l.medianMs * Math.exp(0.3 * z));
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    rate?: RateDecision,
    truncate = false,
  ): void => {
    let text = JSON.stringify(body);
    if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    };
    if (rate) {
      headers['X-RateLimit-Limit'] = rate.limit;
      headers['X-RateLimit-Remaining'] = rate.remaining;
      headers['X-RateLimit-Reset'] = rate.resetAt;
    }
    res.writeHead(status, headers);
    res.end(text);
  };

  /** A GET list page: counted for the malformedEvery fault, which truncates every Nth one. */
  const sendListPage = (res: ServerResponse, body: unknown, rate: RateDecision): void => {
    listPages += 1;
    const malformed = Boolean(faults.malformedEvery && listPages % faults.malformedEvery === 0);
    if (malformed) stats.faults += 1;
    send(res, 200, body, rate, malformed);
  };

  const searchHits = (kind: SearchKind, query: unknown, sortRaw: unknown): Int32Array => {
    const key = `${kind}|${live?.version ?? 0}|${JSON.stringify(query)}|${JSON.stringify(sortRaw ?? null)}`;
    const cached = searchCache.get(key);
    if (cached) {
      // Keep recently used results at the end of the map (least recently used is evicted first).
      searchCache.delete(key);
      searchCache.set(key, cached);
      return cached;
    }
    const dates: DateSemantics = kind === 'contact' ? 'calendar-day' : 'exact';
    const matcher = compileQuery(query, dates, 0, timeZone);
    const sort = parseSort(sortRaw);
    // A still workspace in UTC answers contacts' created_at ranges from a sorted index (no scan).
    const intervals =
      kind === 'contact' && !live && timeZone === 'UTC' ? createdAtIntervals(query) : undefined;
    const indexed =
      intervals && (sort === undefined || (sort.field === 'created_at' && sort.order === 'ascending'));
    if (indexed) {
      createdIndex ??= new CreatedAtIndex(workspace.contactCount, (i) =>
        searchFieldsOf(workspace, 'contact', i),
      );
    }
    const hits =
      indexed && createdIndex && intervals
        ? createdIndex.hits(intervals, sort !== undefined)
        : kind === 'ticket'
          ? runSearch(
              workspace.ticketCount,
              (j) => workspace.ticketSearchFields(j),
              matcher,
              sort,
              live ? (j) => live.ticketSearchable(j) : undefined,
            )
          : live
            ? // Deleted records keep their index and are skipped, as are those search has not indexed yet.
              runSearch(
                live.indexLimit(kind),
                (i) => live.searchFields(kind, i),
                matcher,
                sort,
                (i) => live.searchable(kind, i),
              )
            : runSearch(
                kind === 'contact' ? workspace.contactCount : workspace.conversationCount,
                (i) => searchFieldsOf(workspace, kind, i),
                matcher,
                sort,
              );
    searchCache.set(key, hits);
    if (searchCache.size > SEARCH_CACHE_SIZE) {
      const oldest = searchCache.keys().next().value;
      if (oldest !== undefined) searchCache.delete(oldest);
    }
    return hits;
  };

  /** A list or search answer: the records at positions `start..end-1`, `indexAt` giving each one's index. */
  const listBody = (
    kind: SearchKind,
    { start, end, pages }: ReturnType<typeof pageOf>,
    total: number,
    indexAt: (position: number) => number,
  ): Record<string, unknown> => {
    const items = [];
    for (let p = start; p < end; p++) {
      const i = indexAt(p);
      items.push(
        kind === 'contact'
          ? workspace.contactAt(i)
          : kind === 'ticket'
            ? workspace.ticketAt(i)
            : workspace.conversationSummaryAt(i),
      );
    }
    if (kind === 'contact') return { type: 'list', data: items, total_count: total, pages };
    if (kind === 'ticket') {
      const tickets =
        options.ticketPartsInSearch === false
          ? items.map((ticket) => {
              const { ticket_parts: _parts, ...listed } = ticket as unknown as Record<string, unknown>;
              return listed;
            })
          : items;
      return { type: 'ticket.list', tickets, total_count: total, pages };
    }
    return { type: 'conversation.list', conversations: items, total_count: total, pages };
  };

  /** All `count` records that `at` builds: the unpaged lists (admins, teams, tags, segments). */
  const all = <T>(count: number, at: (n: number) => T): T[] => Array.from({ length: count }, (_, n) => at(n));

  const parseJson = (text: string): Record<string, unknown> => {
    try {
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Answered below as Intercom does: 400 parameter_invalid.
    }
    throw new HttpError(400, 'parameter_invalid', 'Request body must be a JSON object');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const { route, id } = routeOf(req.method ?? 'GET', url.pathname);
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    options.onRequest?.(stats.byRoute[route], route);

    if (faults.rateReset && rng.chance(faults.rateReset)) {
      stats.faults += 1;
      req.socket.destroy();
      return;
    }
    let delay = latency();
    if (faults.rateSlow && rng.chance(faults.rateSlow)) {
      stats.faults += 1;
      delay += faults.slowMs ?? 1000;
    }
    const bodyText = req.method === 'POST' ? await readBody(req) : '';
    await sleep(delay);

    const auth = req.headers.authorization ?? '';
    if (revoked || auth !== `Bearer ${token}`) {
      stats.unauthorized += 1;
      send(res, 401, errorBody('unauthorized', 'Access Token Invalid'));
      return;
    }
    if (faults.rate429 && rng.chance(faults.rate429)) {
      stats.faults += 1;
      stats.rateLimited += 1;
      const peek = limiter.peek(token);
      send(res, 429, errorBody('rate_limit_exceeded', rateLimitMessage(peek.limit, windowMs)), {
        ...peek,
        remaining: 0,
      });
      return;
    }
    const rate = limiter.take(token);
    if (!rate.allowed) {
      stats.rateLimited += 1;
      send(res, 429, errorBody('rate_limit_exceeded', rateLimitMessage(rate.limit, windowMs)), rate);
      return;
    }
    if (faults.rate5xx && rng.chance(faults.rate5xx)) {
      stats.faults += 1;
      const status = rng.pick([500, 502, 503]);
      const code = status === 500 ? 'server_error' : status === 502 ? 'bad_gateway' : 'service_unavailable';
      send(res, status, errorBody(code, 'The server had a problem; try again later.'), rate);
      return;
    }

    try {
      const q = url.searchParams;
      switch (route) {
        case 'GET /me':
          send(res, 200, meBody(timeZone), rate);
          return;
        case 'GET /contacts':
        case 'GET /conversations': {
          const kind: LiveKind = route === 'GET /contacts' ? 'contact' : 'conversation';
          const perPage = parsePerPage(q.get('per_page') ?? undefined, DEFAULT_PER_PAGE[kind]);
          const after = q.get('starting_after');
          const offset = after ? decodeCursor(after) : 0;
          if (live && faults.moveWhilePaging && offset > 0) moveRecords(live, kind, offset, perPage);
          const total = kind === 'contact' ? workspace.contactCount : workspace.conversationCount;
          const page = pageOf(total, offset, perPage, { repeatLast: faults.repeatAcrossPages });
          sendListPage(
            res,
            listBody(kind, page, total, (p) => (live ? live.listIndexAt(kind, p) : p)),
            rate,
          );
          return;
        }
        case 'POST /contacts/search':
        case 'POST /conversations/search':
        case 'POST /tickets/search': {
          const kind: SearchKind =
            route === 'POST /contacts/search'
              ? 'contact'
              : route === 'POST /tickets/search'
                ? 'ticket'
                : 'conversation';
          const body = parseJson(bodyText);
          if (body.query === undefined)
            throw new HttpError(400, 'parameter_invalid', 'query is required', 'query');
          const pagination = (body.pagination ?? {}) as Record<string, unknown>;
          const perPage = parsePerPage(pagination.per_page, DEFAULT_PER_PAGE[kind]);
          const after = pagination.starting_after;
          if (after !== undefined && after !== null && typeof after !== 'string') {
            throw new HttpError(
              400,
              'parameter_invalid',
              'starting_after must be a string',
              'starting_after',
            );
          }
          const offset = after ? decodeCursor(after) : 0;
          // The workspace changes while contacts are listed, whether by list or by search.
          if (live && faults.moveWhilePaging && kind === 'contact' && offset > 0) {
            moveRecords(live, 'contact', offset, perPage);
          }
          // Ticket search takes no sort (the spec's search_request has none): tickets come in list order.
          const hits = searchHits(kind, body.query, kind === 'ticket' ? undefined : body.sort);
          const page = pageOf(hits.length, offset, perPage, { repeatLast: faults.repeatAcrossPages });
          send(
            res,
            200,
            listBody(kind, page, hits.length, (n) => hits[n] ?? 0),
            rate,
          );
          return;
        }
        case 'GET /contacts/{id}/tags':
        case 'GET /contacts/{id}/companies':
        case 'GET /contacts/{id}/notes': {
          if (id === undefined || workspace.contactIndex(id) === undefined) {
            throw new HttpError(404, 'not_found', 'User Not Found');
          }
          // Sub-lists are short (at most a few dozen items), so one page holds them all.
          const onePage = { type: 'pages', next: null, page: 1, per_page: 50, total_pages: 1 };
          if (route.endsWith('tags')) {
            send(res, 200, { type: 'list', data: workspace.contactTags(id) }, rate);
          } else if (route.endsWith('companies')) {
            const data = workspace.contactCompanies(id);
            send(res, 200, { type: 'list', data, pages: onePage, total_count: data.length }, rate);
          } else {
            const data = workspace.contactNotes(id);
            send(res, 200, { type: 'list', data, total_count: data.length, pages: onePage }, rate);
          }
          return;
        }
        case 'GET /contacts/{id}': {
          const i = id === undefined ? undefined : workspace.contactIndex(id);
          if (i === undefined) throw new HttpError(404, 'not_found', 'User Not Found');
          send(res, 200, workspace.contactAt(i), rate);
          return;
        }
        case 'GET /conversations/{id}': {
          const j = id === undefined ? undefined : workspace.conversationIndex(id);
          if (j === undefined) throw new HttpError(404, 'not_found', 'Resource Not Found');
          send(res, 200, workspace.conversationAt(j), rate);
          return;
        }
        case 'GET /admins':
          sendListPage(
            res,
            { type: 'admin.list', admins: all(workspace.adminCount, workspace.adminAt) },
            rate,
          );
          return;
        case 'GET /teams':
          sendListPage(res, { type: 'team.list', teams: all(workspace.teamCount, workspace.teamAt) }, rate);
          return;
        case 'GET /tags':
          sendListPage(res, { type: 'list', data: all(workspace.tagCount, workspace.tagAt) }, rate);
          return;
        case 'GET /segments': {
          const withCount = q.get('include_count') === 'true';
          const segments = all(workspace.segmentCount, (n) => {
            const { count, ...segment } = workspace.segmentAt(n);
            return withCount ? { ...segment, count } : segment;
          });
          sendListPage(res, { type: 'segment.list', segments }, rate);
          return;
        }
        case 'GET /data_attributes': {
          const model = q.get('model') ?? undefined;
          if (model !== undefined && !DATA_ATTRIBUTE_MODELS.some((m) => m === model)) {
            throw new HttpError(
              400,
              'parameter_invalid',
              'model must be contact, company or conversation',
              'model',
            );
          }
          const data = workspace.dataAttributes(
            model as (typeof DATA_ATTRIBUTE_MODELS)[number] | undefined,
            q.get('include_archived') === 'true',
          );
          sendListPage(res, { type: 'list', data }, rate);
          return;
        }
        case 'GET /companies/scroll': {
          const param = q.get('scroll_param') || undefined;
          const limit = faults.scrollFailAfterPages;
          if (param && limit !== undefined && !scrollFaultSpent && scroll.pagesServed >= limit) {
            scrollFaultSpent = true;
            scroll.abandon();
            stats.faults += 1;
            send(res, 500, errorBody('server_error', SCROLL_BROKEN_MESSAGE), rate);
            return;
          }
          const { start, end, scrollParam } = scroll.next(param, workspace.companyCount);
          const data = [];
          for (let n = start; n < end; n++) data.push(workspace.companyAt(n));
          // As the spec's example: no pages and no total_count on scroll pages.
          sendListPage(
            res,
            { type: 'list', data, pages: null, total_count: null, scroll_param: scrollParam },
            rate,
          );
          return;
        }
        case 'GET /admins/{id}':
        case 'GET /teams/{id}':
        case 'GET /companies/{id}':
        case 'GET /tickets/{id}': {
          send(res, 200, findById(workspace, route, id ?? ''), rate);
          return;
        }
        default:
          throw new HttpError(404, 'not_found', 'Resource Not Found');
      }
    } catch (error) {
      if (error instanceof HttpError) {
        send(res, error.status, errorBody(error.code, error.message, error.field), rate);
      } else if (error instanceof PagingParameterError) {
        send(res, 400, errorBody('parameter_invalid', error.message, error.field), rate);
      } else if (error instanceof SearchQueryError) {
        send(res, 400, errorBody('parameter_invalid', error.message, 'query'), rate);
      } else {
        throw error;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError && !res.headersSent) {
        send(res, error.status, errorBody(error.code, error.message, error.field));
        return;
      }
      // A sandbox bug: answer 500 rather than hang the client, without echoing internals.
      if (!res.headersSent) send(res, 500, errorBody('server_error', 'Sandbox internal error'));
      else res.destroy();
      process.emitWarning(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    token,
    workspace,
    live,
    stats,
    setFaults(f) {
      scrollFaultSpent = false;
      if (f.moveWhilePaging && !live) {
        throw new Error(
          'The moveWhilePaging fault needs a live workspace: pass faults: { moveWhilePaging: true } to startSandbox instead of turning it on later.',
        );
      }
      faults = { ...f };
    },
    revokeToken() {
      revoked = true;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The record a `GET /<kind>/{id}` route asks for.
 *
 * @throws HttpError 404 `not_found` when the workspace has no such record.
 */
function findById(workspace: Workspace, route: string, id: string): unknown {
  const found = <T>(index: number | undefined, at: (n: number) => T, what: string): T => {
    if (index === undefined) throw new HttpError(404, 'not_found', `${what} Not Found`);
    return at(index);
  };
  if (route === 'GET /admins/{id}') return found(workspace.adminIndex(id), workspace.adminAt, 'Admin');
  if (route === 'GET /teams/{id}') return found(workspace.teamIndex(id), workspace.teamAt, 'Team');
  if (route === 'GET /companies/{id}')
    return found(workspace.companyIndex(id), workspace.companyAt, 'Company');
  return found(workspace.ticketIndex(id), workspace.ticketAt, 'Ticket');
}

/** The admin and workspace `GET /me` describes (admin 0 of `GET /admins`); the time zone is the one contact date search uses. */
function meBody(timeZone: string): Record<string, unknown> {
  return {
    type: 'admin',
    id: OWNER_ADMIN.id,
    email: OWNER_ADMIN.email,
    name: OWNER_ADMIN.name,
    email_verified: true,
    app: {
      type: 'app',
      id_code: 'sandbox1',
      name: 'Intercom Sandbox',
      created_at: 1_600_000_000,
      secure: false,
      identity_verification: false,
      timezone: timeZone,
      region: 'US',
    },
    avatar: { type: 'avatar', image_url: null },
    has_inbox_seat: true,
  };
}
