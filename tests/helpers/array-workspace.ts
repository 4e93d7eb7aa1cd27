import type {
  Company,
  Contact,
  Conversation,
  ConversationSummary,
  Note,
  Tag,
  Workspace,
} from '../../sandbox/workspace';
import type { Ticket } from '../../sandbox/types';
import { emptyWorkspaceStreams } from '../../sandbox/workspace-streams';

/** A JSON object as a test builds it: any shape, hostile values included. */
export type JsonRecord = Record<string, unknown>;

/** One contact of an {@link ArrayWorkspace}, with what its sub-endpoints return. */
export interface ArrayContact {
  /** The contact exactly as `GET /contacts` lists it. */
  contact: JsonRecord;
  /** Items of `GET /contacts/{id}/tags`; default []. */
  tags?: JsonRecord[];
  /** Items of `GET /contacts/{id}/companies`; default []. */
  companies?: JsonRecord[];
  /** Items of `GET /contacts/{id}/notes`; default []. */
  notes?: JsonRecord[];
}

/** What an {@link ArrayWorkspace} serves. */
export interface ArrayWorkspaceInput {
  contacts: ArrayContact[];
  /** Conversations as `GET /conversations/{id}` returns them, parts included. */
  conversations: JsonRecord[];
  /** Tickets as `GET /tickets/{id}` returns them and `POST /tickets/search` lists them; default []. */
  tickets?: JsonRecord[];
}

/**
 * A sandbox `Workspace` backed by plain arrays, so `startSandbox({ workspace })` serves records a
 * test wrote (hostile values and all) over real HTTP with the sandbox's paging, auth and errors.
 *
 * Ids are matched as `String(id)`, since the sandbox reads them from the URL path; when several
 * records share an id, the sub-endpoints and `GET /conversations/{id}` answer with the first of
 * them, as a lookup by id can only find one. The list summary of a conversation is the record
 * without `conversation_parts`. Records are deep-copied on every read, so neither side can change
 * what the other holds.
 *
 * @throws nothing; a record without an id is served as it is, and cannot be looked up by id.
 */
export function createArrayWorkspace(input: ArrayWorkspaceInput): Workspace {
  const contacts = input.contacts.map((c) => structuredClone(c));
  const conversations = input.conversations.map((c) => structuredClone(c));
  const contactIds = firstIndexById(contacts.map((c) => c.contact));
  const conversationIds = firstIndexById(conversations);
  const tickets = (input.tickets ?? []).map((t) => structuredClone(t));
  const ticketIds = firstIndexById(tickets);
  const ticketAt = (j: number): JsonRecord => {
    const found = tickets[j];
    if (!found) throw new RangeError(`Ticket index ${j} is outside 0..${tickets.length - 1}.`);
    return found;
  };
  const seconds = (value: unknown): number => (typeof value === 'number' ? value : 0);

  const contactAt = (i: number): ArrayContact => {
    const found = contacts[i];
    if (!found) throw new RangeError(`Contact index ${i} is outside 0..${contacts.length - 1}.`);
    return found;
  };
  const conversationAt = (j: number): JsonRecord => {
    const found = conversations[j];
    if (!found) throw new RangeError(`Conversation index ${j} is outside 0..${conversations.length - 1}.`);
    return found;
  };
  const subList = (contactId: string, key: 'tags' | 'companies' | 'notes'): unknown[] => {
    const i = contactIds.get(contactId);
    return i === undefined ? [] : structuredClone(contactAt(i)[key] ?? []);
  };
  const partsOf = (j: number): unknown[] => {
    const list = conversationAt(j).conversation_parts as { conversation_parts?: unknown } | null | undefined;
    return Array.isArray(list?.conversation_parts) ? list.conversation_parts : [];
  };

  return {
    // Contacts, conversations and tickets come from the test; every other stream is empty.
    ...emptyWorkspaceStreams(),
    ticketCount: tickets.length,
    ticketAt: (j) => structuredClone(ticketAt(j)) as unknown as Ticket,
    ticketIndex: (id) => ticketIds.get(id),
    ticketSearchFields(j) {
      const ticket = ticketAt(j);
      return {
        id: String(ticket.id),
        created_at: seconds(ticket.created_at),
        updated_at: seconds(ticket.updated_at),
      };
    },
    contactCount: contacts.length,
    conversationCount: conversations.length,
    contactAt: (i) => structuredClone(contactAt(i).contact) as unknown as Contact,
    contactTags: (id) => subList(id, 'tags') as Tag[],
    contactCompanies: (id) => subList(id, 'companies') as Company[],
    contactNotes: (id) => subList(id, 'notes') as Note[],
    conversationSummaryAt(j) {
      const { conversation_parts: _parts, ...summary } = structuredClone(conversationAt(j));
      return summary as unknown as ConversationSummary;
    },
    conversationAt: (j) => structuredClone(conversationAt(j)) as unknown as Conversation,
    conversationIndex: (id) => conversationIds.get(id),
    contactIndex: (id) => contactIds.get(id),
    allPartsCount: (j) => partsOf(j).length,
  };
}

function firstIndexById(records: JsonRecord[]): Map<string, number> {
  const index = new Map<string, number>();
  records.forEach((record, i) => {
    const id = record.id;
    if ((typeof id === 'string' || typeof id === 'number') && !index.has(String(id)))
      index.set(String(id), i);
  });
  return index;
}
