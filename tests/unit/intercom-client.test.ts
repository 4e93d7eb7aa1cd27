import { randomBytes } from 'node:crypto';
import { SourceError, TransientError } from '../../lib/errors';
import {
  createIntercomClient,
  type IntercomClient,
  type IntercomClientOptions,
} from '../../lib/intercom/client';
import type { Contact } from '../../lib/intercom/types';
import {
  startScriptedServer,
  type ScriptedServer,
  type ScriptedServerOptions,
} from '../helpers/scripted-server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function fakeToken(): string {
  return `tok_${randomBytes(16).toString('hex')}`;
}

async function setup(
  serverOptions: ScriptedServerOptions,
  clientOptions: Partial<IntercomClientOptions> = {},
): Promise<{ server: ScriptedServer; client: IntercomClient; token: string }> {
  const server = await startScriptedServer(serverOptions);
  const token = fakeToken();
  const client = createIntercomClient({
    baseUrl: server.url,
    token,
    apiVersion: '2.14',
    retryBaseMs: 5,
    timeoutMs: 2_000,
    ...clientOptions,
  });
  cleanups.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client, token };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

function contactPage(ids: string[], next?: string): unknown {
  return {
    type: 'list',
    data: ids.map((id) => ({ type: 'contact', id, custom_attributes: { id } })),
    total_count: 99,
    pages: { type: 'pages', ...(next ? { next: { per_page: 150, starting_after: next } } : {}) },
  };
}

const intercomError = (code: string, message: string): unknown => ({
  type: 'error.list',
  request_id: 'b9b5c5c0-0000-4000-8000-000000000000',
  errors: [{ code, message }],
});

describe('createIntercomClient', () => {
  test('sends the bearer token, Intercom-Version, Accept and a User-Agent naming the project', async () => {
    const { server, client, token } = await setup({
      routes: { '/me': [{ body: { type: 'admin', id: '1' } }] },
    });
    await expect(client.me()).resolves.toEqual({ type: 'admin', id: '1' });
    const headers = server.requests[0]?.headers;
    expect(headers?.authorization).toBe(`Bearer ${token}`);
    expect(headers?.['intercom-version']).toBe('2.14');
    expect(headers?.accept).toBe('application/json');
    expect(headers?.['user-agent']).toMatch(/intercom-lake-sync/);
  });

  test('lists contacts across pages by starting_after, 150 per page, until pages.next is absent', async () => {
    const { server, client } = await setup({
      routes: {
        '/contacts': (req) => {
          const after = req.query.get('starting_after');
          if (!after) return { body: contactPage(['a', 'b'], 'cur1') };
          if (after === 'cur1') return { body: contactPage(['c', 'd'], 'cur2') };
          return { body: contactPage(['e']) };
        },
      },
    });
    const contacts = await collect(client.listContacts());
    expect(contacts.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(contacts[0]).toEqual({ type: 'contact', id: 'a', custom_attributes: { id: 'a' } });
    expect(server.requests.map((r) => r.query.get('per_page'))).toEqual(['150', '150', '150']);
    expect(server.requests.map((r) => r.query.get('starting_after'))).toEqual([null, 'cur1', 'cur2']);
  });

  test('yields an item repeated on the next page only once', async () => {
    const { client } = await setup({
      routes: {
        '/contacts': (req) =>
          req.query.get('starting_after')
            ? { body: contactPage(['b', 'c']) }
            : { body: contactPage(['a', 'b'], 'x') },
      },
    });
    expect((await collect(client.listContacts())).map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  test('fails with a SourceError when the API repeats a cursor', async () => {
    let n = 0;
    const { client } = await setup({
      routes: { '/contacts': () => ({ body: contactPage([`id${(n += 1)}`], 'same') }) },
    });
    await expect(collect(client.listContacts())).rejects.toThrow(SourceError);
    expect(n).toBe(2);
  });

  test('lists conversation summaries from the conversations key', async () => {
    const { server, client } = await setup({
      routes: {
        '/conversations': [
          {
            body: {
              type: 'conversation.list',
              conversations: [{ type: 'conversation', id: '1' }],
              pages: { type: 'pages', next: { starting_after: 'n' } },
            },
          },
          {
            body: {
              type: 'conversation.list',
              conversations: [{ type: 'conversation', id: '2' }],
              pages: {},
            },
          },
        ],
      },
    });
    expect((await collect(client.listConversations())).map((c) => c.id)).toEqual(['1', '2']);
    expect(server.requests[1]?.query.get('starting_after')).toBe('n');
  });

  test('getConversation returns the body as the API sent it, without display_as', async () => {
    const conversation = { type: 'conversation', id: '7', conversation_parts: { total_count: 1 }, x: [1] };
    const { server, client } = await setup({ routes: { '/conversations/7': [{ body: conversation }] } });
    await expect(client.getConversation('7')).resolves.toEqual(conversation);
    expect([...(server.requests[0]?.query.keys() ?? [])]).toEqual([]);
  });

  test('401 fails at once with a SourceError that says what to do and holds no token', async () => {
    const { server, client, token } = await setup({
      routes: { '/me': [{ status: 401, body: intercomError('unauthorized', 'Access Token Invalid') }] },
    });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
    expect((error as Error).message).toBe(
      'Intercom refused the access token (401 unauthorized). Check INTERCOM_ACCESS_TOKEN and that the app is installed on the workspace.',
    );
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(token);
    expect(server.requests).toHaveLength(1);
    expect(client.stats.failures).toBe(1);
  });

  test('404 names the resource and 403 carries api_plan_restricted, neither retried', async () => {
    const { server, client } = await setup({
      routes: {
        '/conversations/42': [{ status: 404, body: intercomError('not_found', 'Resource Not Found') }],
        '/contacts': [
          { status: 403, body: intercomError('api_plan_restricted', 'Active subscription needed.') },
        ],
      },
    });
    await expect(client.getConversation('42')).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('conversation 42'),
    });
    await expect(collect(client.listContacts())).rejects.toMatchObject({
      status: 403,
      code: 'api_plan_restricted',
    });
    expect(server.requests).toHaveLength(2);
  });

  test.each([
    ['a 503', { status: 503, body: intercomError('service_unavailable', 'Sorry') }],
    ['a connection reset', { destroy: true }],
    ['a timeout', { hang: true }],
    ['a malformed 200 body', { body: '{"type":"admin","id":' }],
    [
      'a 429 with Retry-After',
      { status: 429, headers: { 'retry-after': '0' }, body: intercomError('rate_limit_exceeded', 'x') },
    ],
  ])('retries %s and then succeeds', async (_name, failure) => {
    const { server, client } = await setup(
      { routes: { '/me': [failure, failure, { body: { type: 'admin', id: '9' } }] } },
      { timeoutMs: 200 },
    );
    await expect(client.me()).resolves.toEqual({ type: 'admin', id: '9' });
    expect(server.requests).toHaveLength(3);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2, failures: 0 });
  });

  test('gives up after maxAttempts with a TransientError naming the path, not the token', async () => {
    const { server, client, token } = await setup(
      { routes: { '/conversations/5': [{ status: 502, body: 'Bad gateway' }] } },
      { maxAttempts: 3 },
    );
    const error = await client.getConversation('5').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/GET \/conversations\/5 after 3 attempts \(last: HTTP 502\)/);
    expect((error as Error).message).not.toContain(token);
    expect(server.requests).toHaveLength(3);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2, failures: 1 });
  });

  test('abort rejects a request in flight and requests waiting, and sends nothing more', async () => {
    const controller = new AbortController();
    const { server, client } = await setup(
      { routes: { '/me': [{ hang: true }] } },
      { signal: controller.signal, timeoutMs: 30_000 },
    );
    const first = client.me().catch((e: unknown) => e);
    // The budget sends one request before it has seen rate-limit headers, so this one waits.
    const second = client.me().catch((e: unknown) => e);
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const reason = new Error('SIGTERM received');
    controller.abort(reason);
    expect(await first).toBe(reason);
    expect(await second).toBe(reason);
    await expect(client.me()).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });
});

describe('completeContact', () => {
  const base: Contact = {
    type: 'contact',
    id: 'c1',
    email: 'x@example.com',
    tags: { type: 'list', data: [{ id: 't1' }], url: '/contacts/c1/tags', total_count: 12, has_more: true },
    companies: { type: 'list', data: [], url: '/contacts/c1/companies', total_count: 3, has_more: true },
    notes: { type: 'list', data: [{ id: 'n1' }], url: '/contacts/c1/notes', total_count: 3, has_more: true },
    custom_attributes: { plan: 'pro' },
  };

  test('returns the same object and sends nothing when no nested list has more', async () => {
    const { server, client } = await setup({ routes: {} });
    const contact: Contact = { id: 'c2', tags: { data: [], has_more: false }, notes: null };
    await expect(client.completeContact(contact)).resolves.toBe(contact);
    expect(server.requests).toHaveLength(0);
  });

  test('fills tags (one response), notes (cursor pages) and companies (link pages), keeping other fields', async () => {
    const tags = Array.from({ length: 12 }, (_, i) => ({ type: 'tag', id: `t${i}`, name: `tag ${i}` }));
    const { server, client } = await setup({
      routes: {
        '/contacts/c1/tags': [{ body: { type: 'list', data: tags } }],
        '/contacts/c1/notes': (req) =>
          req.query.get('starting_after') === 'nc'
            ? {
                body: {
                  type: 'list',
                  data: [{ id: 'n3' }],
                  total_count: 3,
                  pages: { type: 'pages', next: null },
                },
              }
            : {
                body: {
                  type: 'list',
                  data: [{ id: 'n1' }, { id: 'n2' }],
                  total_count: 3,
                  pages: { type: 'pages', next: { starting_after: 'nc' } },
                },
              },
        '/contacts/c1/companies': (req) =>
          req.query.get('page') === '2'
            ? { body: { type: 'list', data: [{ id: 'co3' }], pages: { type: 'pages', next: null } } }
            : {
                body: {
                  type: 'list',
                  companies: [{ id: 'co1' }, { id: 'co2' }],
                  // An absolute link to another host: only its path and query may be used.
                  pages: {
                    type: 'pages',
                    next: 'https://elsewhere.example/contacts/c1/companies?page=2&per_page=2',
                  },
                },
              },
      },
    });
    const completed = await client.completeContact(structuredClone(base));
    expect(completed.tags).toEqual({
      type: 'list',
      data: tags,
      url: '/contacts/c1/tags',
      total_count: 12,
      has_more: false,
    });
    expect(completed.notes).toEqual({
      type: 'list',
      data: [{ id: 'n1' }, { id: 'n2' }, { id: 'n3' }],
      url: '/contacts/c1/notes',
      total_count: 3,
      has_more: false,
    });
    expect(completed.companies).toMatchObject({
      data: [{ id: 'co1' }, { id: 'co2' }, { id: 'co3' }],
      total_count: 3,
    });
    expect(completed).toMatchObject({
      type: 'contact',
      id: 'c1',
      email: 'x@example.com',
      custom_attributes: { plan: 'pro' },
    });
    expect(server.requests.map((r) => `${r.path}?${r.query.toString()}`).sort()).toEqual([
      '/contacts/c1/companies?page=2&per_page=2',
      '/contacts/c1/companies?per_page=150',
      '/contacts/c1/notes?per_page=150',
      '/contacts/c1/notes?per_page=150&starting_after=nc',
      '/contacts/c1/tags?',
    ]);
  });
});
