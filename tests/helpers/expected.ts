import type { Workspace } from '../../sandbox/workspace';

type Json = Record<string, unknown>;

const NESTED_LISTS = ['tags', 'companies', 'notes'] as const;

/**
 * The contact the lake must hold for sandbox contact `i`: as `GET /contacts` lists it, with each
 * nested list that had `has_more` completed from its sub-endpoint.
 */
export function expectedContact(workspace: Workspace, i: number): Json {
  const contact = structuredClone(workspace.contactAt(i)) as unknown as Json;
  const id = String(contact.id);
  const all: Record<(typeof NESTED_LISTS)[number], unknown[]> = {
    tags: workspace.contactTags(id),
    companies: workspace.contactCompanies(id),
    notes: workspace.contactNotes(id),
  };
  for (const field of NESTED_LISTS) {
    const list = contact[field] as Json | undefined;
    if (list && list.has_more === true) {
      contact[field] = { ...list, data: all[field], has_more: false, total_count: all[field].length };
    }
  }
  return contact;
}

/** Every contact the lake must hold, by id. */
export function expectedContacts(workspace: Workspace): Map<string, Json> {
  const out = new Map<string, Json>();
  for (let i = 0; i < workspace.contactCount; i++) {
    const contact = expectedContact(workspace, i);
    out.set(String(contact.id), contact);
  }
  return out;
}

/** Every conversation the lake must hold, by id, as `GET /conversations/{id}` returns it. */
export function expectedConversations(workspace: Workspace): Map<string, Json> {
  const out = new Map<string, Json>();
  for (let j = 0; j < workspace.conversationCount; j++) {
    const conversation = workspace.conversationAt(j) as unknown as Json;
    out.set(String(conversation.id), conversation);
  }
  return out;
}

/** Every company the lake must hold, by id, as `GET /companies/scroll` lists it. */
export function expectedCompanies(workspace: Workspace): Map<string, Json> {
  const out = new Map<string, Json>();
  for (let n = 0; n < workspace.companyCount; n++) {
    const company = workspace.companyAt(n) as unknown as Json;
    out.set(String(company.id), company);
  }
  return out;
}

/** Every ticket the lake must hold, by id, as `POST /tickets/search` lists it (with all its parts). */
export function expectedTickets(workspace: Workspace): Map<string, Json> {
  const out = new Map<string, Json>();
  for (let j = 0; j < workspace.ticketCount; j++) {
    const ticket = workspace.ticketAt(j) as unknown as Json;
    out.set(String(ticket.id), ticket);
  }
  return out;
}
