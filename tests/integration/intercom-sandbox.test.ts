import { SourceError } from '../../lib/errors';
import { createIntercomClient, type IntercomClient } from '../../lib/intercom/client';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { expectedContact } from '../helpers/expected';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function start(
  options: Parameters<typeof startSandbox>[0],
): Promise<{ sandbox: Sandbox; client: IntercomClient }> {
  const sandbox = await startSandbox(options);
  const client = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    maxInFlight: 16,
    retryBaseMs: 5,
    timeoutMs: 5_000,
  });
  cleanups.push(
    () => sandbox.close(),
    () => client.close(),
  );
  return { sandbox, client };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('Intercom client against the sandbox', () => {
  test('reads every contact (nested lists complete) and conversation through faults, without a 429', async () => {
    const { sandbox, client } = await start({
      seed: 7,
      contacts: 400,
      conversations: 60,
      rateLimitPerWindow: 60,
      windowMs: 500,
      latencyMs: 3,
      faults: { rate5xx: 0.05, rateReset: 0.03, malformedEvery: 3, repeatAcrossPages: true },
    });
    const ws = sandbox.workspace;
    await expect(client.me()).resolves.toMatchObject({ type: 'admin' });

    const contacts = await collect(
      client.mapConcurrent(client.listContacts(), (c) => client.completeContact(c)),
    );
    expect(contacts).toHaveLength(ws.contactCount);
    contacts.forEach((contact, i) => expect(contact).toEqual(expectedContact(ws, i)));

    const conversations = await collect(
      client.mapConcurrent(client.listConversations(), (summary) => client.getConversation(summary.id)),
    );
    expect(conversations).toHaveLength(ws.conversationCount);
    conversations.forEach((conversation, j) => expect(conversation).toEqual(ws.conversationAt(j)));

    expect(sandbox.stats.rateLimited).toBe(0);
    expect(client.stats.rateLimited).toBe(0);
    expect(client.stats.retries).toBeGreaterThan(0);
    expect(client.stats.failures).toBe(0);
  });

  test('a token revoked half way fails fast with a 401 SourceError', async () => {
    const { sandbox, client } = await start({ seed: 3, contacts: 600, conversations: 5 });
    const iterator = client.listContacts();
    await iterator.next();
    sandbox.revokeToken();
    const error = await collect(iterator).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as Error).message).not.toContain(sandbox.token);
    expect(sandbox.stats.unauthorized).toBe(1);
  });
});
