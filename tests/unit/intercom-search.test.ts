import { createIntercomClient, type IntercomClient } from '../../lib/intercom/client';
import { SourceError } from '../../lib/errors';
import { startSandbox, type Sandbox } from '../../sandbox/server';

/** searchContacts / searchConversations against the sandbox over real HTTP: paging, dedup, retries, refusals. */

let sandbox: Sandbox;
let client: IntercomClient;

beforeEach(async () => {
  sandbox = await startSandbox({ seed: 5, contacts: 400, conversations: 400, windowMs: 1_000 });
  client = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    retryBaseMs: 5,
  });
});
afterEach(async () => {
  await client.close();
  await sandbox.close();
});

async function ids(items: AsyncIterable<{ id: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of items) out.push(String(item.id));
  return out;
}

describe('IntercomClient search', () => {
  it('pages through every matching contact with POST /contacts/search, 150 per page, each id once', async () => {
    const all = await ids(client.searchContacts({ field: 'created_at', operator: '>', value: 0 }));
    expect(all).toHaveLength(sandbox.workspace.contactCount);
    expect(new Set(all).size).toBe(all.length);
    expect(sandbox.stats.byRoute['POST /contacts/search']).toBe(Math.ceil(all.length / 150));
  });

  it('finds conversations by exact updated_at and survives repeats across pages and 5xx answers', async () => {
    const expected: string[] = [];
    const cut = sandbox.workspace.conversationSummaryAt(20).updated_at;
    for (let j = 0; j < sandbox.workspace.conversationCount; j++) {
      const c = sandbox.workspace.conversationSummaryAt(j);
      if (c.updated_at > cut) expected.push(c.id);
    }
    sandbox.setFaults({ repeatAcrossPages: true, rate5xx: 0.5 });
    const found = await ids(client.searchConversations({ field: 'updated_at', operator: '>', value: cut }));
    expect(found.sort()).toEqual(expected.sort());
    expect(sandbox.stats.byRoute['POST /conversations/search']).toBeGreaterThan(2);
    expect(sandbox.stats.faults).toBeGreaterThan(0);
    // Every injected 5xx was retried, and nothing else was.
    expect(client.stats.retries).toBe(sandbox.stats.faults);
  });

  it('throws a SourceError (400) for a query Intercom refuses', async () => {
    const run = ids(client.searchContacts({ field: 'nickname', operator: '=', value: 'x' }));
    await expect(run).rejects.toBeInstanceOf(SourceError);
    await expect(run).rejects.toMatchObject({ status: 400 });
  });

  it('counts a list with one small request', async () => {
    expect(await client.countContacts()).toBe(sandbox.workspace.contactCount);
    expect(await client.countConversations()).toBe(sandbox.workspace.conversationCount);
  });
});
