import { pagePath, paginate } from './paginate';
import type { Contact, NestedList } from './types';

/** GET a path (with query) on the API and return the parsed body; `resource` names it in errors. */
export type GetJson = (pathAndQuery: string, resource: string) => Promise<unknown>;

/** The nested lists of a contact that hold at most 10 items and say `has_more`. */
export const NESTED_LISTS = ['tags', 'companies', 'notes'] as const;

/**
 * The contact with every nested list that says `has_more` filled from its sub-endpoint; the
 * same object (and no request) when none does.
 *
 * A filled list gets `data` = every item of `GET /contacts/{id}/tags|companies|notes`,
 * `has_more: false` and `total_count` = that number; its other fields and every other field of
 * the contact are kept. Quirks (openapi 2.14):
 * - tags: `tag_list` is not paged (one response holds all);
 * - notes: `note_list` pages by cursor (`pages.next.starting_after`);
 * - companies: `contact_attached_companies` pages by link (`pages.next` is a URL), and its items
 *   are under `companies` in the schema but under `data` in the example, so both are read.
 * Links are followed on the client's own base URL only, so the token never goes to another host.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/listtagsforacontact
 *
 * @throws SourceError / TransientError from the requests (404 when the contact is gone).
 */
export async function completeContact(contact: Contact, getJson: GetJson, baseUrl: string): Promise<Contact> {
  const todo = NESTED_LISTS.filter((key) => isIncomplete(contact[key]));
  if (todo.length === 0) return contact;
  const completed: Contact = { ...contact };
  for (const key of todo) {
    const nested = contact[key] as NestedList;
    const path = `/contacts/${encodeURIComponent(contact.id)}/${key}`;
    const resource = `${key} of contact ${contact.id}`;
    const data: unknown[] = [];
    const items = paginate<unknown>({
      endpoint: `/contacts/{id}/${key}`,
      itemsKeys: key === 'companies' ? ['data', 'companies'] : ['data'],
      // Sub-lists are small (a contact has at most 1,000 companies): dedup over the whole list.
      dedupPages: Number.MAX_SAFE_INTEGER,
      // tags: the first page is the whole list, asked for without per_page.
      fetchPage: (next) => getJson(key === 'tags' && !next ? path : pagePath(path, next, baseUrl), resource),
    });
    for await (const item of items) data.push(item);
    completed[key] = { ...nested, data, has_more: false, total_count: data.length };
  }
  return completed;
}

function isIncomplete(list: unknown): boolean {
  return typeof list === 'object' && list !== null && (list as NestedList).has_more === true;
}
