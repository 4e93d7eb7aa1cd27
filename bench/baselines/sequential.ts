import { completeContact } from '../../lib/intercom/complete-nested';
import type { Contact } from '../../lib/intercom/types';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { runKey } from '../../lib/lake/keys';
import { firstOf, type BaselineOptions, type BaselineResult } from './types';

const PER_PAGE = 150;

/**
 * The extract as the original brief reads: page after page of contacts, then page after page of
 * conversations, then one conversation after another, one request at a time with `fetch`, no retries.
 * It writes the same lake files as our extract (nested lists filled the same way) so the output
 * can be compared record for record.
 *
 * @throws Error on any non-2xx answer (a naive client has no retries).
 */
export async function sequentialExtract(options: BaselineOptions): Promise<BaselineResult> {
  const { baseUrl, token, store, runId } = options;
  const getJson = async (pathAndQuery: string): Promise<unknown> => {
    const res = await fetch(baseUrl + pathAndQuery, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'intercom-version': '2.14' },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} from GET ${pathAndQuery.split('?')[0]}`);
    return res.json();
  };

  async function* pages<T>(endpoint: string, key: string): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const query = `per_page=${PER_PAGE}${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`;
      const body = (await getJson(`${endpoint}?${query}`)) as Record<string, unknown>;
      yield* body[key] as T[];
      after = (body.pages as { next?: { starting_after?: string } } | undefined)?.next?.starting_after;
      if (!after) return;
    }
  }

  async function* users(): AsyncGenerator<Contact> {
    for await (const contact of firstOf(pages<Contact>('/contacts', 'data'), options.contacts)) {
      yield await completeContact(contact, getJson, baseUrl);
    }
  }
  let userCount = 0;
  await store.put(
    runKey(runId, 'users'),
    jsonArrayChunks(users(), () => userCount++),
  );

  // The brief's order: every conversation id first, then each conversation in turn.
  const ids: string[] = [];
  for await (const summary of firstOf(
    pages<{ id: string }>('/conversations', 'conversations'),
    options.conversations,
  )) {
    ids.push(summary.id);
  }
  async function* conversations(): AsyncGenerator<unknown> {
    for (const id of ids) yield await getJson(`/conversations/${encodeURIComponent(id)}`);
  }
  let conversationCount = 0;
  await store.put(
    runKey(runId, 'conversations'),
    jsonArrayChunks(conversations(), () => conversationCount++),
  );
  return { users: userCount, conversations: conversationCount, failures: 0 };
}
