import { Agent, request } from 'undici';
import { onAbort } from './abort-fan-out';

/** Sent as `User-Agent` so Intercom (and a proxy's logs) can tell this program's calls apart. */
export const USER_AGENT = 'intercom-lake-sync/0.1 (+self-hosted Intercom to S3 and Aurora sync)';

/** One HTTP response, its body read whole (one page at a time is small: at most 150 records). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Local `Date.now()` when the request was sent. */
  sentAt: number;
  /** Local `Date.now()` when the response headers arrived. */
  receivedAt: number;
}

/** A request that got no HTTP response: `timeout` (ours) or `network` (reset, refused, closed). */
export class NoResponseError extends Error {
  readonly kind: 'timeout' | 'network';
  constructor(kind: 'timeout' | 'network', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NoResponseError';
    this.kind = kind;
  }
}

/** Options of {@link createHttp}. */
export interface HttpOptions {
  baseUrl: string;
  token: string;
  apiVersion: string;
  /** Connections kept to the API host; at least the number of requests in flight. */
  connections: number;
  /** Per request, headers and body together. */
  timeoutMs: number;
}

/** GETs against the Intercom API over one keep-alive connection pool. */
export interface Http {
  /**
   * GET `pathAndQuery` (relative to the base URL).
   * @throws NoResponseError on a timeout or a network failure; the signal's reason when it aborts.
   */
  get(pathAndQuery: string, signal?: AbortSignal): Promise<HttpResponse>;
  /**
   * POST `body` as JSON to `path` (relative to the base URL); searches are POSTs.
   * @throws NoResponseError on a timeout or a network failure; the signal's reason when it aborts.
   */
  post(path: string, body: unknown, signal?: AbortSignal): Promise<HttpResponse>;
  /** Close the pooled connections. */
  close(): Promise<void>;
}

/**
 * A keep-alive HTTP client for the Intercom API that sends the auth, version and agent headers.
 * Uses undici 7 directly (Node 20's global fetch cannot take a tuned pool without it).
 */
export function createHttp(options: HttpOptions): Http {
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    // Our own timer below covers headers and body together; these are only a backstop.
    headersTimeout: options.timeoutMs * 2,
    bodyTimeout: options.timeoutMs * 2,
  });
  const headers = {
    authorization: `Bearer ${options.token}`,
    accept: 'application/json',
    'intercom-version': options.apiVersion,
    'user-agent': USER_AGENT,
  };

  const send = async (
    method: 'GET' | 'POST',
    pathAndQuery: string,
    payload: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> => {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const timedOut = new Error('timeout');
    const timer = setTimeout(() => controller.abort(timedOut), options.timeoutMs);
    // One shared listener on the run-wide signal, not one per request (see abort-fan-out.ts).
    const unsubscribe = signal ? onAbort(signal, () => controller.abort(signal.reason)) : undefined;
    const sentAt = Date.now();
    try {
      const res = await request(options.baseUrl + pathAndQuery, {
        method,
        headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: payload,
        dispatcher: agent,
        signal: controller.signal,
      });
      const receivedAt = Date.now();
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, body, sentAt, receivedAt };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted && controller.signal.reason === timedOut) {
        throw new NoResponseError('timeout', `no response within ${options.timeoutMs} ms`, {
          cause: error,
        });
      }
      const code = (error as { code?: unknown }).code;
      throw new NoResponseError('network', `network error${typeof code === 'string' ? ` ${code}` : ''}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      unsubscribe?.();
    }
  };

  return {
    get: (pathAndQuery, signal) => send('GET', pathAndQuery, undefined, signal),
    post: (path, body, signal) => send('POST', path, JSON.stringify(body), signal),
    close: () => agent.close(),
  };
}
