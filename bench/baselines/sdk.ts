import { IntercomClient } from 'intercom-client';
import { mapConcurrent } from '../../lib/intercom/map-concurrent';
import { NESTED_LISTS } from '../../lib/intercom/complete-nested';
import type { Contact, NestedList } from '../../lib/intercom/types';
import { jsonArrayChunks } from '../../lib/lake/json-array-writer';
import { runKey, type StreamName } from '../../lib/lake/keys';
import { firstOf, type BaselineOptions, type BaselineResult } from './types';

/** As many requests in flight as our client's default, so only the client itself differs. */
const POOLED = 64;
const PER_PAGE = 150;

/**
 * The extract written with Intercom's official SDK (`intercom-client` 7, Fern-generated): its own
 * pagination (`for await` over `contacts.list` and `conversations.list`; see below for nested lists) and its own retries (defaults: 2 retries, backoff that honours
 * `Retry-After` / `X-RateLimit-Reset`). Details and nested lists go through the same 64-wide ordered
 * pool as ours, so the comparison is of the client, not of the concurrency.
 * https://github.com/intercom/intercom-node
 *
 * A call that still fails after the SDK's retries is counted and its record left out (the check
 * of record counts then shows it) rather than ending the run.
 */
export async function sdkExtract(
  options: BaselineOptions & {
    /**
     * Requests in flight for details and nested lists: 64 (our pool, the default) or 1, the SDK as
     * its README shows it (`for await` over a list, then one `find` per item, awaited in turn).
     */
    concurrency?: number;
  },
): Promise<BaselineResult> {
  const CONCURRENCY = options.concurrency ?? POOLED;
  const { store, runId } = options;
  const client = new IntercomClient({ token: options.token, baseUrl: options.baseUrl, version: '2.14' });
  let failures = 0;
  const orNothing = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch {
      failures += 1;
      return undefined;
    }
  };

  const complete = async (contact: Contact): Promise<Contact> => {
    const completed: Contact = { ...contact };
    for (const key of NESTED_LISTS) {
      const nested = contact[key] as NestedList | undefined;
      if (!nested?.has_more) continue;
      const contactId = contact.id;
      let data: unknown[];
      if (key === 'tags')
        data = (await client.contacts.listAttachedTags({ contact_id: contactId })).data ?? [];
      // One page only: the SDK pages these two by page number, which Intercom's cursor/link paging
      // (and the sandbox) ignores, so `for await` fetched page 1 forever; and it reads companies from
      // `companies` while the API sends `data`. Every nested list in the bench workspace fits one page.
      else if (key === 'notes')
        data = (await client.notes.list({ contact_id: contactId, per_page: PER_PAGE })).data;
      else {
        const page = await client.contacts.listAttachedCompanies({
          contact_id: contactId,
          per_page: PER_PAGE,
        });
        const body = page.response as { data?: unknown[]; companies?: unknown[] };
        data = body.data ?? body.companies ?? [];
      }
      completed[key] = { ...nested, data, has_more: false, total_count: data.length } as NestedList;
    }
    return completed;
  };

  async function* present<T>(source: AsyncIterable<T | undefined>): AsyncGenerator<T> {
    for await (const item of source) if (item !== undefined) yield item;
  }

  /** Fetch each item through the pool and write the records in list order; how many it wrote. */
  const writeStream = async <T>(
    stream: StreamName,
    items: AsyncIterable<T>,
    fetchItem: (item: T) => Promise<unknown>,
  ): Promise<number> => {
    let count = 0;
    const fetched = mapConcurrent(items, (item) => orNothing(() => fetchItem(item)), {
      concurrency: CONCURRENCY,
      maxPending: CONCURRENCY * 2,
    });
    await store.put(
      runKey(runId, stream),
      jsonArrayChunks(present(fetched), () => count++),
    );
    return count;
  };

  const contacts = firstOf(
    (await client.contacts.list({ per_page: PER_PAGE })) as AsyncIterable<Contact>,
    options.contacts,
  );
  const usersDone = writeStream('users', contacts, complete);
  const summaries = firstOf(
    (await client.conversations.list({ per_page: PER_PAGE })) as AsyncIterable<{ id: string }>,
    options.conversations,
  );
  const conversationsDone = writeStream('conversations', summaries, (s) =>
    client.conversations.find({ conversation_id: s.id }),
  );
  const [users, conversations] = await Promise.all([usersDone, conversationsDone]);
  return { users, conversations, failures };
}
