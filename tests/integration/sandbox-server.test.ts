import { EDGE_CONTACTS } from '../../sandbox/generate-contact';
import { EDGE_CONVERSATIONS } from '../../sandbox/generate-conversation';
import { quirkRecords } from '../../sandbox/quirk-records';
import { startSandbox, type Sandbox } from '../../sandbox/server';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(sandbox: Sandbox, path: string, init: RequestInit = {}, token = sandbox.token) {
  const res = await fetch(`${sandbox.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Json };
}

async function listAll(sandbox: Sandbox, path: string, key: 'data' | 'conversations', perPage: number) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const { body } = await call(
      sandbox,
      `${path}${sep}per_page=${perPage}${cursor ? `&starting_after=${cursor}` : ''}`,
    );
    ids.push(...(body[key] as { id: string }[]).map((r) => r.id));
    cursor = body.pages.next?.starting_after;
    pages += 1;
  } while (cursor);
  return { ids, pages };
}

const randomToken = (): string => `tok_${Math.random().toString(36).slice(2)}${Date.now()}`;

describe('sandbox server', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, contacts: 200, conversations: 120, token: randomToken() });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('pages through every contact and conversation exactly once, whatever per_page', async () => {
    for (const perPage of [1, 7, 50, 150]) {
      const contacts = await listAll(sandbox, '/contacts', 'data', perPage);
      expect(contacts.ids).toHaveLength(sandbox.workspace.contactCount);
      expect(new Set(contacts.ids).size).toBe(sandbox.workspace.contactCount);
      expect(contacts.pages).toBe(Math.ceil(sandbox.workspace.contactCount / perPage));
    }
    const conversations = await listAll(sandbox, '/conversations', 'conversations', 13);
    expect(new Set(conversations.ids).size).toBe(sandbox.workspace.conversationCount);
    expect(conversations.ids).toHaveLength(sandbox.workspace.conversationCount);
    expect(conversations.ids.every((id) => /^\d+$/.test(id))).toBe(true);
  });

  it('caps per_page at 150, defaults to the spec values and omits pages.next on the last page', async () => {
    const big = await call(sandbox, '/contacts?per_page=1000');
    expect(big.body.data).toHaveLength(150);
    expect(big.body.pages).toMatchObject({ type: 'pages', page: 1, per_page: 150, total_pages: 2 });
    expect(big.body.total_count).toBe(sandbox.workspace.contactCount);
    const last = await call(
      sandbox,
      `/contacts?per_page=150&starting_after=${big.body.pages.next.starting_after}`,
    );
    expect(last.body.pages.next).toBeUndefined();
    expect(last.body.pages.page).toBe(2);
    expect((await call(sandbox, '/contacts')).body.data).toHaveLength(50);
    expect((await call(sandbox, '/conversations')).body.conversations).toHaveLength(20);
  });

  it('answers bad paging parameters with 400 parameter_invalid', async () => {
    for (const path of [
      '/contacts?per_page=0',
      '/contacts?per_page=x',
      '/conversations?starting_after=garbage',
    ]) {
      const res = await call(sandbox, path);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('parameter_invalid');
    }
  });

  it('answers a request body over 1 MB with 400 parameter_invalid, not a reset connection', async () => {
    const res = await call(sandbox, '/contacts/search', {
      method: 'POST',
      body: JSON.stringify({ query: { field: 'email', operator: '=', value: 'x'.repeat(2_000_000) } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      code: 'parameter_invalid',
      message: 'Request body is too large',
    });
  });

  it('serves the quirk contacts and conversations first and field-for-field', async () => {
    const quirks = quirkRecords();
    const contacts = await call(sandbox, '/contacts?per_page=3');
    expect(contacts.body.data).toEqual(quirks.contacts);
    const conversations = await call(sandbox, '/conversations?per_page=3');
    expect(conversations.body.conversations).toEqual(quirks.conversations);
    const one = await call(sandbox, '/conversations/1');
    const { conversation_parts: parts, ...rest } = one.body;
    expect(rest).toEqual(quirks.conversations[0]);
    expect(parts.type).toBe('conversation_part.list');
    expect(parts.total_count).toBe(3);
    expect(parts.conversation_parts.map((p: Json) => p.id)).toEqual([
      '8310045512',
      '8310046027',
      '8310046090',
    ]);
    expect(parts.conversation_parts.every((p: Json) => !('conversation_id' in p))).toBe(true);
    expect((await call(sandbox, '/conversations/47')).body.conversation_parts.conversation_parts).toEqual([]);
  });

  it('returns only the 500 most recent parts and counts all of them in statistics', async () => {
    const base = 3;
    const expectations: [number, number][] = [
      [EDGE_CONVERSATIONS.noParts, 0],
      [EDGE_CONVERSATIONS.onePart, 1],
      [EDGE_CONVERSATIONS.parts150, 150],
      [EDGE_CONVERSATIONS.parts151, 151],
      [EDGE_CONVERSATIONS.parts500, 500],
      [EDGE_CONVERSATIONS.parts501, 501],
      [EDGE_CONVERSATIONS.parts1200, 1200],
    ];
    for (const [offset, all] of expectations) {
      const summary = sandbox.workspace.conversationSummaryAt(base + offset);
      const { body } = await call(sandbox, `/conversations/${summary.id}`);
      const parts = body.conversation_parts.conversation_parts as Json[];
      expect(parts).toHaveLength(Math.min(all, 500));
      expect(body.conversation_parts.total_count).toBe(parts.length);
      expect(body.statistics.count_conversation_parts).toBe(all + 1);
      expect(sandbox.workspace.allPartsCount(base + offset)).toBe(all);
      const times = parts.map((p) => p.created_at as number);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      if (all > 500) {
        // The cut keeps the newest: the first returned part is part number all-500.
        expect(Number(parts[0]?.id) - Number(parts[parts.length - 1]?.id)).toBe(-499);
        expect(body.updated_at).toBeGreaterThan(times[times.length - 1] ?? 0);
      }
    }
    const group = await call(
      sandbox,
      `/conversations/${sandbox.workspace.conversationSummaryAt(base + EDGE_CONVERSATIONS.groupConversation).id}`,
    );
    expect(group.body.contacts.contacts).toHaveLength(3);
    expect(group.body.tags.tags.length).toBeGreaterThan(0);
    const authors = new Set(
      (
        await Promise.all(
          [4, 6].map((o) =>
            call(sandbox, `/conversations/${sandbox.workspace.conversationSummaryAt(base + o).id}`),
          ),
        )
      )
        .flatMap((r) => r.body.conversation_parts.conversation_parts as Json[])
        .map((p) => p.author.type),
    );
    expect([...authors].sort()).toEqual(expect.arrayContaining(['admin', 'bot']));
    expect(authors.has('user') || authors.has('lead')).toBe(true);
  });

  it('nests at most 10 tags, companies and notes with has_more, and the sub-endpoints return all', async () => {
    const contact = sandbox.workspace.contactAt(3 + EDGE_CONTACTS.moreThanTen);
    const listed = (await call(sandbox, `/contacts?per_page=10`)).body.data.find(
      (c: Json) => c.id === contact.id,
    );
    expect(listed).toEqual(contact);
    for (const [kind, total] of [
      ['tags', 25],
      ['companies', 12],
      ['notes', 11],
    ] as const) {
      expect(contact[kind].data).toHaveLength(10);
      expect(contact[kind]).toMatchObject({
        total_count: total,
        has_more: true,
        url: `/contacts/${contact.id}/${kind}`,
      });
      const sub = await call(sandbox, `/contacts/${contact.id}/${kind}`);
      expect(sub.status).toBe(200);
      expect(sub.body.data).toHaveLength(total);
      // The nested items are the first 10 of the full list.
      expect(sub.body.data.slice(0, 10).map((x: Json) => x.id)).toEqual(contact[kind].data.map((x) => x.id));
    }
    const ten = sandbox.workspace.contactAt(3 + EDGE_CONTACTS.exactlyTen);
    expect(ten.tags).toMatchObject({ total_count: 10, has_more: false });
    expect((await call(sandbox, `/contacts/${ten.id}/tags`)).body.data).toHaveLength(10);
  });

  it('answers 401 with Intercom’s body for a missing or wrong token, and counts it', async () => {
    const before = sandbox.stats.unauthorized;
    const res = await fetch(`${sandbox.url}/contacts`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Json;
    expect(body).toEqual({
      type: 'error.list',
      request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }],
    });
    expect((await call(sandbox, '/me', {}, 'wrong')).status).toBe(401);
    expect(sandbox.stats.unauthorized).toBe(before + 2);
  });

  it('answers 404 not_found for unknown ids and routes', async () => {
    for (const path of [
      '/conversations/424242424',
      '/conversations/abc',
      '/contacts/000000000000000000000000/notes',
      '/nothing',
    ]) {
      const res = await call(sandbox, path);
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe('not_found');
    }
  });

  it('searches contacts by calendar day and conversations by exact timestamp', async () => {
    const conv = sandbox.workspace.conversationSummaryAt(50);
    const exact = await call(sandbox, '/conversations/search', {
      method: 'POST',
      body: JSON.stringify({ query: { field: 'updated_at', operator: '=', value: conv.updated_at } }),
    });
    expect(exact.body.conversations.map((c: Json) => c.id)).toContain(conv.id);
    expect(exact.body.conversations.every((c: Json) => c.updated_at === conv.updated_at)).toBe(true);

    const contact = sandbox.workspace.contactAt(100);
    const day = Math.floor(contact.created_at / 86_400) * 86_400;
    const sameDay = await call(sandbox, '/contacts/search', {
      method: 'POST',
      body: JSON.stringify({
        query: { field: 'created_at', operator: '=', value: contact.created_at },
        pagination: { per_page: 150 },
      }),
    });
    expect(sameDay.body.data.map((c: Json) => c.id)).toContain(contact.id);
    expect(sameDay.body.data.every((c: Json) => c.created_at >= day && c.created_at < day + 86_400)).toBe(
      true,
    );

    const after = await call(sandbox, '/contacts/search', {
      method: 'POST',
      body: JSON.stringify({ query: { field: 'created_at', operator: '>', value: contact.created_at } }),
    });
    // ">" starts at the next day, so the contact itself is not matched.
    expect(after.body.data.every((c: Json) => c.created_at >= day + 86_400)).toBe(true);
  });

  it('pages through a sorted AND/OR/IN search exactly once', async () => {
    const ids = [5, 17, 40].map((i) => sandbox.workspace.contactAt(i).id);
    const query = {
      operator: 'OR',
      value: [
        { field: 'id', operator: 'IN', value: ids },
        {
          operator: 'AND',
          value: [
            { field: 'updated_at', operator: '>', value: 0 },
            { field: 'updated_at', operator: '<', value: 1_600_010_000 },
          ],
        },
      ],
    };
    const seen: Json[] = [];
    let cursor: string | undefined;
    let total: number | undefined;
    do {
      const { body } = await call(sandbox, '/contacts/search', {
        method: 'POST',
        body: JSON.stringify({
          query,
          pagination: { per_page: 4, starting_after: cursor },
          sort: { field: 'updated_at', order: 'ascending' },
        }),
      });
      seen.push(...body.data);
      total = body.total_count;
      cursor = body.pages.next?.starting_after;
    } while (cursor);
    expect(seen).toHaveLength(total ?? -1);
    expect(new Set(seen.map((c) => c.id)).size).toBe(total);
    expect(seen.map((c) => c.id)).toEqual(expect.arrayContaining(ids));
    const times = seen.map((c) => c.updated_at as number);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('rejects malformed searches with 400 parameter_invalid', async () => {
    for (const body of [
      'not json',
      '{}',
      JSON.stringify({ query: { field: 'created_at', operator: '>=', value: 1 } }),
    ]) {
      const res = await call(sandbox, '/contacts/search', { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('parameter_invalid');
    }
  });
});

describe('sandbox rate limit and token', () => {
  it('sends the rate-limit headers and answers 429 past the per-window budget', async () => {
    const sandbox = await startSandbox({
      contacts: 3,
      conversations: 1,
      includeQuirks: false,
      rateLimitPerWindow: 3,
      // An hour-long window, so the five calls cannot straddle a window boundary.
      windowMs: 3_600_000,
    });
    try {
      const answers = [];
      for (let n = 0; n < 5; n++) answers.push(await call(sandbox, '/me'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0', '0']);
      for (const a of answers) {
        expect(a.headers.get('x-ratelimit-limit')).toBe('3');
        const reset = Number(a.headers.get('x-ratelimit-reset'));
        expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
        expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3_600);
      }
      expect(answers[3]?.body).toEqual({
        type: 'error.list',
        request_id: expect.any(String),
        errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 3 in 3600_seconds' }],
      });
      expect(sandbox.stats.rateLimited).toBe(2);
    } finally {
      await sandbox.close();
    }
  });

  it('sends a large limit in the headers when no limit is set', async () => {
    const sandbox = await startSandbox({ contacts: 1, conversations: 1, includeQuirks: false });
    try {
      const res = await call(sandbox, '/contacts');
      expect(Number(res.headers.get('x-ratelimit-limit'))).toBeGreaterThanOrEqual(100_000);
      expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
    } finally {
      await sandbox.close();
    }
  });

  it('answers 401 to every request after revokeToken', async () => {
    const sandbox = await startSandbox({ contacts: 5, conversations: 1, includeQuirks: false });
    try {
      expect((await call(sandbox, '/contacts')).status).toBe(200);
      sandbox.revokeToken();
      expect((await call(sandbox, '/contacts')).status).toBe(401);
      expect((await call(sandbox, '/me')).body.errors[0].code).toBe('unauthorized');
    } finally {
      await sandbox.close();
    }
  });
});
