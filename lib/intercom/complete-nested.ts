import type { NestedList as NestedListDeclaration } from '../streams/types';
import { USERS } from '../streams/users';
import { pagePath, paginate } from './paginate';
import type { Contact, IntercomRecord, NestedList } from './types';

/** GET a path (with query) on the API and return the parsed body; `resource` names it in errors. */
export type GetJson = (pathAndQuery: string, resource: string) => Promise<unknown>;

/**
 * The nested lists of a contact that hold at most 10 items and say `has_more`, as the contacts'
 * declaration names them (the {@link Contact} type names the same three fields).
 */
export const NESTED_LISTS = (USERS.nested ?? []).map((list) => list.field as 'tags' | 'companies' | 'notes');

/**
 * The record with every nested list of `lists` that says `has_more` filled from its sub-endpoint;
 * the same object (and no request) when none does.
 *
 * A filled list gets `data` = every item of the sub-endpoint (`GET /contacts/{id}/tags`),
 * `has_more: false` and `total_count` = that number; its other fields and every other field of
 * the record are kept. An unpaged sub-endpoint is asked once without `per_page`; a paged one is
 * followed by cursor (`pages.next.starting_after`) or by link (`pages.next` as a URL), whichever
 * it gives. Links are followed on the client's own base URL only, so the token never goes to
 * another host. The contacts' quirks are in their declaration (lib/streams/users.ts).
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/listtagsforacontact
 *
 * @throws SourceError / TransientError from the requests (404 when the record is gone).
 */
export async function completeNestedLists<R extends IntercomRecord>(
  record: R,
  lists: readonly NestedListDeclaration[],
  /** What the record is called in messages (`contact`). */
  singular: string,
  getJson: GetJson,
  baseUrl: string,
): Promise<R> {
  const todo = lists.filter((list) => isIncomplete(record[list.field]));
  if (todo.length === 0) return record;
  const completed: Record<string, unknown> = { ...record };
  // The lists are independent: fetched side by side, so a record waits for its longest one only.
  const filled = await Promise.all(
    todo.map(async (list) => {
      const path = list.path.replace('{id}', encodeURIComponent(record.id));
      const resource = `${list.field} of ${singular} ${record.id}`;
      const data: unknown[] = [];
      const items = paginate<unknown>({
        endpoint: list.path,
        itemsKeys: list.itemsKeys,
        // Sub-lists are small (a contact has at most 1,000 companies): dedup over the whole list.
        dedupPages: Number.MAX_SAFE_INTEGER,
        fetchPage: (next) => getJson(!list.paged && !next ? path : pagePath(path, next, baseUrl), resource),
      });
      for await (const item of items) data.push(item);
      return data;
    }),
  );
  todo.forEach((list, k) => {
    const data = filled[k] as unknown[];
    completed[list.field] = {
      ...(record[list.field] as NestedList),
      data,
      has_more: false,
      total_count: data.length,
    };
  });
  return completed as R;
}

/** {@link completeNestedLists} with the contacts' nested lists (`tags`, `companies`, `notes`). */
export function completeContact(contact: Contact, getJson: GetJson, baseUrl: string): Promise<Contact> {
  return completeNestedLists(contact, USERS.nested ?? [], USERS.singular, getJson, baseUrl);
}

function isIncomplete(list: unknown): boolean {
  return typeof list === 'object' && list !== null && (list as NestedList).has_more === true;
}
