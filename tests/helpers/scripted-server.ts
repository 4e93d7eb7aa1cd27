import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer. */
export interface ScriptedResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** An object or array is sent as JSON; a string is sent as it is. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering (a connection reset). */
  destroy?: boolean;
  /** Never answer (for timeouts); the socket is closed when the server closes. */
  hang?: boolean;
}

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Answers for one path: a sequence (the last one repeats) or a function of the request. */
export type Route = ScriptedResponse[] | ((req: RecordedRequest, count: number) => ScriptedResponse);

/** A fixed-window rate limit the server enforces and announces like Intercom does. */
export interface ScriptedRateLimit {
  limit: number;
  windowMs: number;
}

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Answers by exact path (no query); unknown paths get Intercom's 404 body. */
  routes: Record<string, Route>;
  /** Answers for every path not in `routes` (default: Intercom's 404 body). */
  fallback?: Route;
  /** Enforce and announce a rate limit (X-RateLimit-Limit/Remaining/Reset, 429 when spent). */
  rateLimit?: ScriptedRateLimit;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** With a rate limit: requests counted per window start (ms), and how many got 429. */
  windows: Map<number, number>;
  tooMany: number;
  /** Most requests being handled at once. */
  maxConcurrent: number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (random port) that answers from a route table, for testing the
 * Intercom client over real sockets. Windows of the rate limit are aligned to multiples of
 * `windowMs` and `X-RateLimit-Reset` is the window end in Unix seconds (with a fraction when the
 * window is shorter than a second).
 */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  const windows = new Map<number, number>();
  const sockets = new Set<Socket>();
  let concurrent = 0;
  const state = { tooMany: 0, maxConcurrent: 0 };

  const send = (res: ServerResponse, answer: ScriptedResponse, extra: Record<string, string>): void => {
    const body =
      typeof answer.body === 'string'
        ? answer.body
        : answer.body === undefined
          ? ''
          : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...extra, ...answer.headers });
    res.end(body);
  };

  const server = createServer((req, res) => {
    concurrent += 1;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    res.on('close', () => (concurrent -= 1));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    };
    requests.push(recorded);

    const extra: Record<string, string> = {};
    if (options.rateLimit) {
      const { limit, windowMs } = options.rateLimit;
      const now = Date.now();
      const start = now - (now % windowMs);
      const used = (windows.get(start) ?? 0) + 1;
      windows.set(start, used);
      extra['x-ratelimit-limit'] = String(limit);
      extra['x-ratelimit-remaining'] = String(Math.max(0, limit - used));
      extra['x-ratelimit-reset'] = String((start + windowMs) / 1000);
      if (used > limit) {
        state.tooMany += 1;
        send(
          res,
          {
            status: 429,
            body: {
              type: 'error.list',
              request_id: 'r-429',
              errors: [{ code: 'rate_limit_exceeded', message: `Exceeded rate limit of ${limit}` }],
            },
          },
          extra,
        );
        return;
      }
    }

    const route = options.routes[url.pathname] ?? options.fallback;
    const count = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, count);
    let answer: ScriptedResponse;
    if (!route) {
      answer = {
        status: 404,
        body: {
          type: 'error.list',
          request_id: 'r-404',
          errors: [{ code: 'not_found', message: 'Not Found' }],
        },
      };
    } else if (typeof route === 'function') {
      answer = route(recorded, count);
    } else {
      answer = route[Math.min(count, route.length) - 1] ?? {};
    }
    if (answer.hang) return;
    const act = (): void => {
      if (answer.destroy) req.socket.destroy();
      else send(res, answer, extra);
    };
    if (answer.delayMs) setTimeout(act, answer.delayMs);
    else act();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    windows,
    get tooMany() {
      return state.tooMany;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
