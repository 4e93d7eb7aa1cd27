import { randomBytes } from 'node:crypto';
import { SourceError } from '../../lib/errors';
import { createIntercomClient, type IntercomClient } from '../../lib/intercom/client';
import { fetchStreamItem, listStream } from '../../lib/intercom/stream-source';
import type { IntercomRecord } from '../../lib/intercom/types';
import { CONVERSATIONS } from '../../lib/streams/conversations';
import { defineStream, type StreamSource } from '../../lib/streams/types';
import {
  type Route,
  startScriptedServer,
  type ScriptedServer,
  type ScriptedServerOptions,
} from '../helpers/scripted-server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(
  options: ScriptedServerOptions,
): Promise<{ server: ScriptedServer; client: IntercomClient }> {
  const server = await startScriptedServer(options);
  const client = createIntercomClient({
    baseUrl: server.url,
    token: `tok_${randomBytes(16).toString('hex')}`,
    apiVersion: '2.14',
    retryBaseMs: 5,
    timeoutMs: 2_000,
  });
  cleanups.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client };
}

/** A declaration of the shape the next streams will have, with `source` as given. */
function streamWith(source: StreamSource) {
  return defineStream({
    name: 'things',
    file: 'things.json',
    label: 'things',
    singular: 'thing',
    primaryKey: 'id',
    source,
    pageSize: 150,
    tables: ['users'],
    map: () => ({}),
  });
}

async function ids(source: AsyncIterable<{ id: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of source) out.push(item.id);
  return out;
}

const things = (...list: string[]) => list.map((id) => ({ type: 'thing', id }));

describe('stream sources over HTTP', () => {
  const partitioned = () => ({
    ...streamWith({ kind: 'list', path: '/things', itemsKey: 'data', paged: true }),
    partitions: {
      search: { path: '/things/search', itemsKey: 'data' },
      field: 'created_at',
      bound: 100,
      window: 4,
    },
  });
  const listPages: Record<string, Route> = {
    '/things': (req) =>
      req.query.get('starting_after') === null
        ? { body: { type: 'list', data: things('a'), pages: { next: { starting_after: 'c1' } } } }
        : { body: { type: 'list', data: things('b'), pages: {} } },
  };

  it.each([
    [
      'refuses the search (403)',
      { status: 403, body: { type: 'error.list', errors: [{ code: 'forbidden' }] } },
    ],
    [
      'does not know it (404)',
      { status: 404, body: { type: 'error.list', errors: [{ code: 'not_found' }] } },
    ],
    ['gives no total_count', { body: { type: 'list', data: [] } }],
    [
      'gives records without a numeric created_at',
      { body: { type: 'list', data: things('x'), total_count: 1 } },
    ],
  ])('lists a partitioned stream page by page when the API %s', async (_name, answer) => {
    const { server, client } = await setup({ routes: { ...listPages, '/things/search': [answer] } });
    expect(await ids(listStream(client, partitioned()))).toEqual(['a', 'b']);
    expect(server.requests.filter((r) => r.path === '/things')).toHaveLength(2);
  });

  it('lists a partitioned stream through its search when usable, without the list', async () => {
    const record = (id: string, day: number) => ({ type: 'thing', id, created_at: day * 86_400 + 5 });
    const { server, client } = await setup({
      routes: {
        ...listPages,
        '/things/search': [
          { body: { type: 'list', data: [record('a', 20_000)], total_count: 2, pages: {} } },
        ],
      },
    });
    expect(await ids(listStream(client, partitioned()))).toEqual(['a']);
    expect(server.requests.filter((r) => r.path === '/things')).toHaveLength(0);
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/things/search').length).toBe(3);
  });

  it('reads an unpaged list in one request without per_page', async () => {
    const { server, client } = await setup({
      routes: { '/admins': [{ body: { type: 'admin.list', admins: things('1', '2') } }] },
    });
    const stream = streamWith({ kind: 'list', path: '/admins', itemsKey: 'admins', paged: false });
    expect(await ids(listStream(client, stream))).toEqual(['1', '2']);
    expect(server.requests.map((r) => `${r.path}?${r.query.toString()}`)).toEqual(['/admins?']);
  });

  it("adds a list's fixed parameters to each request, unpaged and paged", async () => {
    const { server, client } = await setup({
      routes: {
        '/segments': [{ body: { type: 'segment.list', segments: things('s1') } }],
        '/things': (req) =>
          req.query.get('starting_after') === null
            ? { body: { type: 'list', data: things('a'), pages: { next: { starting_after: 'c1' } } } }
            : { body: { type: 'list', data: things('b'), pages: {} } },
      },
    });
    const segments = streamWith({
      kind: 'list',
      path: '/segments',
      itemsKey: 'segments',
      paged: false,
      query: { include_count: 'true' },
    });
    expect(await ids(listStream(client, segments))).toEqual(['s1']);
    const paged = streamWith({
      kind: 'list',
      path: '/things',
      itemsKey: 'data',
      paged: true,
      query: { a: 'b c' },
    });
    expect(await ids(listStream(client, paged))).toEqual(['a', 'b']);
    expect(server.requests.map((r) => `${r.path}?${r.query.toString()}`)).toEqual([
      '/segments?include_count=true',
      '/things?a=b+c&per_page=150',
      '/things?a=b+c&per_page=150&starting_after=c1',
    ]);
  });

  it('gives an item of a composite key its fields joined, and keeps an item without them under no key', async () => {
    const { client } = await setup({ routes: {} });
    const keyed = {
      ...streamWith({ kind: 'list', path: '/x', itemsKey: 'data', paged: false }),
      primaryKey: ['model', 'name'] as const,
    };
    // A standard data attribute has no id, whatever IntercomRecord's type says.
    const attribute = { model: 'contact', name: 'email' } as unknown as IntercomRecord;
    expect(await fetchStreamItem(client, keyed, attribute)).toEqual({
      id: 'contact/email',
      record: { model: 'contact', name: 'email' },
    });
    const nameless = { name: 'email' } as unknown as IntercomRecord;
    expect(await fetchStreamItem(client, keyed, nameless)).toEqual({
      id: '',
      record: { name: 'email' },
    });
  });

  it('scrolls with scroll_param until a page comes back empty', async () => {
    const { server, client } = await setup({
      routes: {
        '/companies/scroll': (req) => {
          const param = req.query.get('scroll_param');
          if (param === null) return { body: { type: 'list', data: things('a', 'b'), scroll_param: 's1' } };
          if (param === 's1') return { body: { type: 'list', data: things('c'), scroll_param: 's2' } };
          return { body: { type: 'list', data: [], scroll_param: 's3' } };
        },
      },
    });
    const stream = streamWith({ kind: 'scroll', path: '/companies/scroll', itemsKey: 'data' });
    expect(await ids(listStream(client, stream))).toEqual(['a', 'b', 'c']);
    expect(server.requests.map((r) => r.query.get('scroll_param'))).toEqual([null, 's1', 's2']);
  });

  it('follows a scroll_param that stays the same on every page, as Intercom sends it', async () => {
    const { server, client } = await setup({
      routes: {
        '/companies/scroll': (_req, count) => ({
          body: {
            type: 'list',
            data: count === 1 ? things('a') : count === 2 ? things('b') : [],
            scroll_param: 'same',
          },
        }),
      },
    });
    const stream = streamWith({ kind: 'scroll', path: '/companies/scroll', itemsKey: 'data' });
    expect(await ids(listStream(client, stream))).toEqual(['a', 'b']);
    expect(server.requests.map((r) => r.query.get('scroll_param'))).toEqual([null, 'same', 'same']);
  });

  it('refuses a scroll that lists the same item twice, which would loop forever', async () => {
    const { client } = await setup({
      routes: { '/companies/scroll': [{ body: { type: 'list', data: things('a'), scroll_param: 'same' } }] },
    });
    const stream = streamWith({ kind: 'scroll', path: '/companies/scroll', itemsKey: 'data' });
    await expect(ids(listStream(client, stream))).rejects.toThrow(/item a twice in one scroll/);
  });

  it('retries a rate-limited scroll page with the same scroll_param', async () => {
    const { server, client } = await setup({
      routes: {
        '/companies/scroll': [
          { body: { type: 'list', data: things('a'), scroll_param: 's1' } },
          { status: 429, body: { type: 'error.list', errors: [{ code: 'rate_limit_exceeded' }] } },
          { body: { type: 'list', data: things('b'), scroll_param: 's1' } },
          { body: { type: 'list', data: [], scroll_param: 's1' } },
        ],
      },
    });
    const stream = streamWith({ kind: 'scroll', path: '/companies/scroll', itemsKey: 'data' });
    expect(await ids(listStream(client, stream))).toEqual(['a', 'b']);
    expect(server.requests.map((r) => r.query.get('scroll_param'))).toEqual([null, 's1', 's1', 's1']);
  });

  it('lists a per-model source once per model', async () => {
    const { server, client } = await setup({
      routes: {
        '/data_attributes': (req) => ({
          body: {
            type: 'list',
            data: things(`${req.query.get('model')}.name`, `${req.query.get('model')}.email`),
          },
        }),
      },
    });
    const stream = streamWith({
      kind: 'per-model',
      path: '/data_attributes',
      itemsKey: 'data',
      param: 'model',
      models: ['contact', 'company'],
    });
    expect(await ids(listStream(client, stream))).toEqual([
      'contact.name',
      'contact.email',
      'company.name',
      'company.email',
    ]);
    expect(server.requests.map((r) => r.query.get('model'))).toEqual(['contact', 'company']);
  });

  it('pages a search source by cursor with its query in the body', async () => {
    const { server, client } = await setup({
      routes: {
        '/tickets/search': (_req, count) =>
          count === 1
            ? {
                body: {
                  type: 'ticket.list',
                  tickets: things('t1'),
                  pages: { next: { starting_after: 'c1' } },
                },
              }
            : { body: { type: 'ticket.list', tickets: things('t2'), pages: {} } },
      },
    });
    const query = { field: 'created_at', operator: '>', value: 0 };
    const stream = streamWith({ kind: 'search', path: '/tickets/search', itemsKey: 'tickets', query });
    expect(await ids(listStream(client, stream))).toEqual(['t1', 't2']);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('asks for the detail only of listed items its `when` says need it', async () => {
    const { server, client } = await setup({
      routes: {
        '/tickets/2': [
          { body: { type: 'ticket', id: '2', ticket_parts: { ticket_parts: things('p1', 'p2') } } },
        ],
      },
    });
    const stream = defineStream({
      ...streamWith({ kind: 'search', path: '/tickets/search', itemsKey: 'tickets', query: {} as never }),
      detail: {
        path: '/tickets/{id}',
        notFound: 'vanished',
        when: (item) => item.ticket_parts === undefined,
      },
    });
    const listed = { type: 'ticket', id: '1', ticket_parts: { ticket_parts: [] } };
    expect(await fetchStreamItem(client, stream, listed)).toEqual({ id: '1', record: listed });
    expect(await fetchStreamItem(client, stream, { type: 'ticket', id: '2' })).toEqual({
      id: '2',
      record: { type: 'ticket', id: '2', ticket_parts: { ticket_parts: things('p1', 'p2') } },
    });
    expect(server.requests.map((r) => r.path)).toEqual(['/tickets/2']);
  });

  it("takes a detail's 404 for a record that vanished and passes other refusals on", async () => {
    const { client } = await setup({
      routes: {
        '/conversations/7': [{ body: { type: 'conversation', id: '7', conversation_parts: {} } }],
        '/conversations/8': [{ status: 404, body: { type: 'error.list', errors: [{ code: 'not_found' }] } }],
        '/conversations/9': [{ status: 403, body: { type: 'error.list', errors: [{ code: 'forbidden' }] } }],
      },
    });
    expect(await fetchStreamItem(client, CONVERSATIONS, { id: '7' })).toEqual({
      id: '7',
      record: { type: 'conversation', id: '7', conversation_parts: {} },
    });
    expect(await fetchStreamItem(client, CONVERSATIONS, { id: '8' })).toEqual({ id: '8' });
    await expect(fetchStreamItem(client, CONVERSATIONS, { id: '9' })).rejects.toBeInstanceOf(SourceError);
  });
});
