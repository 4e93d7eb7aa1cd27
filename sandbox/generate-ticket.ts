import { BASE_TIME, STREAM, type WorkspaceContext } from './context';
import { assigneeTeam, teamId, teammateAt } from './generate-admin';
import { generatedConversationId, type ParticipantLookup } from './generate-conversation';
import { hash32, rngFor } from './prng';
import type {
  Contact,
  Ticket,
  TicketCategory,
  TicketPart,
  TicketPartAuthor,
  TicketState,
  TicketType,
  TicketTypeAttribute,
} from './types';
import { BODIES, TICKET_TITLES } from './vocabulary';

/** Edge cases at fixed ticket indexes. */
export const EDGE_TICKETS = {
  /** 180 parts, all in the detail and the search result. */
  manyParts: 0,
  /** Nobody assigned (`admin_assignee_id` and `team_assignee_id` "0") and a null description. */
  unassigned: 1,
  /** Emoji, accents and CJK in the title. */
  unicodeTitle: 2,
  /** Open (never resolved) and snoozed. */
  snoozed: 3,
  /** A back-office ticket without contacts. */
  noContacts: 4,
  /** A tracker ticket linked to customer tickets and a conversation. */
  linkedTracker: 5,
} as const;

const MANY_PARTS = 180;
/** Ticket `j` has id `TICKET_ID_BASE + j`: numeric like conversation ids, far above them. */
const TICKET_ID_BASE = 800_000_000;
const TICKET_SPACING_S = 300;
const PART_ID_BASE = 9_000_000_000;
const PART_ID_STRIDE = 1_000;
const TYPE_CREATED_AT = BASE_TIME - 86_400 * 30;

const STATE_FLOW: readonly TicketState['category'][] = [
  'submitted',
  'in_progress',
  'waiting_on_customer',
  'resolved',
];
const STATE_LABELS: Record<TicketState['category'], [string, string]> = {
  submitted: ['Submitted', 'Submitted'],
  in_progress: ['In progress', 'In progress'],
  waiting_on_customer: ['Waiting on customer', 'Awaiting your reply'],
  resolved: ['Resolved', 'Resolved'],
};

interface TypeSpec {
  category: TicketCategory;
  name: string;
  icon: string;
  /** Custom attributes besides the default title and description: name, data type, list options. */
  custom: { name: string; dataType: string; options?: string[] }[];
}

/** The workspace's ticket types; every ticket has one of them. */
const TYPES: readonly TypeSpec[] = [
  {
    category: 'Customer',
    name: 'Bug report',
    icon: '🐞',
    custom: [
      { name: 'severity', dataType: 'list', options: ['low', 'high', 'critical'] },
      { name: 'affected_users', dataType: 'integer' },
    ],
  },
  {
    category: 'Back-office',
    name: 'Refund request',
    icon: '💶',
    custom: [
      { name: 'amount', dataType: 'decimal' },
      { name: 'approved', dataType: 'boolean' },
    ],
  },
  {
    category: 'Tracker',
    name: 'Outage tracker',
    icon: '🚨',
    custom: [{ name: 'status_page', dataType: 'string' }],
  },
];

/** The id of ticket `j`. */
export function ticketId(j: number): string {
  return String(TICKET_ID_BASE + j);
}

/** The index of a ticket id, or undefined. */
export function decodeTicketId(ctx: WorkspaceContext, id: string): number | undefined {
  if (!/^[1-9]\d*$/.test(id)) return undefined;
  const j = Number(id) - TICKET_ID_BASE;
  return j >= 0 && j < ctx.ticketCount ? j : undefined;
}

/** The ticket type index of ticket `j` (cheap, for links between tickets). */
function typeIndexOf(ctx: WorkspaceContext, j: number): number {
  if (j === EDGE_TICKETS.noContacts) return 1;
  if (j === EDGE_TICKETS.linkedTracker) return 2;
  if (j < EDGE_TICKETS.linkedTracker) return 0;
  const h = hash32(ctx.seed, STREAM.ticketShape, j, 1) % 10;
  return h < 6 ? 0 : h < 9 ? 1 : 2;
}

/** The true number of parts of ticket `j`. */
export function ticketPartsCount(ctx: WorkspaceContext, j: number): number {
  if (j === EDGE_TICKETS.manyParts) return MANY_PARTS;
  return 1 + (hash32(ctx.seed, STREAM.ticketShape, j) % 8);
}

/** Part `k` is created 60-119 s after part `k-1`, so parts are strictly ordered. */
function partTime(ctx: WorkspaceContext, j: number, created: number, k: number): number {
  return created + (k + 1) * 60 + (hash32(ctx.seed, STREAM.ticketPart, j, k) % 59);
}

/** `created_at` and `updated_at` of ticket `j` without building it (for search). */
export function ticketTimes(ctx: WorkspaceContext, j: number): { created_at: number; updated_at: number } {
  const created =
    BASE_TIME + 45 * 86_400 + j * TICKET_SPACING_S + (hash32(ctx.seed, STREAM.ticketShape, j, 2) % 300);
  return { created_at: created, updated_at: partTime(ctx, j, created, ticketPartsCount(ctx, j) - 1) + 60 };
}

function stateOf(typeIndex: number, category: TicketState['category']): TicketState {
  const [internal, external] = STATE_LABELS[category];
  return {
    type: 'ticket_state',
    id: String(8_000 + typeIndex * 10 + STATE_FLOW.indexOf(category)),
    category,
    internal_label: internal,
    external_label: external,
  };
}

function ticketType(ctx: WorkspaceContext, typeIndex: number): TicketType {
  const spec = TYPES[typeIndex] ?? TYPES[0];
  if (!spec) throw new RangeError(`No ticket type ${typeIndex}.`);
  const typeId = 101 + typeIndex;
  const attribute = (
    name: string,
    dataType: string,
    order: number,
    options?: string[],
  ): TicketTypeAttribute => ({
    type: 'ticket_type_attribute',
    id: String(typeId * 10 + order),
    workspace_id: ctx.workspaceId,
    name,
    description: name.startsWith('_default_') ? '' : `The ${name.replace(/_/g, ' ')}`,
    data_type: dataType,
    input_options: options
      ? { list_options: options.map((label, n) => ({ id: String(n + 1), label })) }
      : null,
    order,
    required_to_create: name === '_default_title_',
    required_to_create_for_contacts: false,
    visible_on_create: true,
    visible_to_contacts: spec.category === 'Customer',
    default: name.startsWith('_default_'),
    ticket_type_id: typeId,
    archived: false,
    created_at: TYPE_CREATED_AT,
    updated_at: TYPE_CREATED_AT,
  });
  return {
    type: 'ticket_type',
    id: String(typeId),
    category: spec.category,
    name: spec.name,
    description: `${spec.name} tickets`,
    icon: spec.icon,
    workspace_id: ctx.workspaceId,
    archived: false,
    created_at: TYPE_CREATED_AT,
    updated_at: TYPE_CREATED_AT,
    is_internal: spec.category !== 'Customer',
    ticket_type_attributes: {
      type: 'list',
      data: [
        attribute('_default_title_', 'string', 0),
        attribute('_default_description_', 'string', 1),
        ...spec.custom.map((c, n) => attribute(c.name, c.dataType, n + 2, c.options)),
      ],
    },
  };
}

function contactAuthor(contact: Contact): TicketPartAuthor {
  // Leads appear as "user" (the spec's author types have no "lead"). Without an email the field is
  // left out: the spec makes it optional and says format "email", and no recorded ticket shows more.
  return {
    type: 'user',
    id: contact.id,
    name: contact.name,
    ...(contact.email ? { email: contact.email } : {}),
  };
}

/** Ticket `j` as `POST /tickets/search` lists it and `GET /tickets/{id}` returns it: every part included. */
export function generateTicket(ctx: WorkspaceContext, j: number, lookup: ParticipantLookup): Ticket {
  const rng = rngFor(ctx.seed, STREAM.ticket, j);
  const typeIndex = typeIndexOf(ctx, j);
  const type = ticketType(ctx, typeIndex);
  const { created_at, updated_at } = ticketTimes(ctx, j);

  const wantedContacts =
    j === EDGE_TICKETS.noContacts || type.category === 'Tracker' ? 0 : rng.chance(0.1) ? 2 : 1;
  const people = new Map<string, Contact>();
  for (let n = 0; n < Math.min(wantedContacts, ctx.contactCount) * 3 && people.size < wantedContacts; n++) {
    const contact = lookup.contactAt(rng.int(0, ctx.contactCount - 1));
    people.set(contact.id, contact);
  }
  const contacts = [...people.values()];

  const assigneeIndex =
    j === EDGE_TICKETS.unassigned || !rng.chance(0.8) ? undefined : rng.int(0, ctx.adminCount - 1);
  const team =
    j === EDGE_TICKETS.unassigned || !rng.chance(0.6)
      ? undefined
      : assigneeTeam(ctx, assigneeIndex, hash32(ctx.seed, STREAM.ticket, j, 1));

  const parts: TicketPart[] = [];
  let state: TicketState['category'] = 'submitted';
  const lastState: TicketState['category'] = j === EDGE_TICKETS.snoozed ? 'waiting_on_customer' : 'resolved';
  const total = ticketPartsCount(ctx, j);
  for (let k = 0; k < total; k++) {
    const prng = rngFor(ctx.seed, STREAM.ticketPart, j, k);
    const time = partTime(ctx, j, created_at, k);
    const admin = teammateAt(ctx, assigneeIndex ?? prng.int(0, ctx.adminCount - 1));
    const customer = contacts[k % Math.max(1, contacts.length)];
    const roll = prng.next();
    const part: TicketPart = {
      type: 'ticket_part',
      id: String(PART_ID_BASE + j * PART_ID_STRIDE + k),
      part_type: 'comment',
      body: prng.pick(BODIES),
      created_at: time,
      updated_at: time,
      assigned_to: null,
      author: { type: 'admin', id: admin.id, name: admin.name, email: admin.email },
      attachments: [],
      external_id: null,
      redacted: false,
    };
    if ((k === 0 || roll < 0.35) && customer) {
      part.author = contactAuthor(customer);
    } else if (k === 1 && assigneeIndex !== undefined) {
      part.part_type = 'assignment';
      part.body = null;
      part.assigned_to = { type: 'admin', id: admin.id };
    } else if (roll < 0.6 && state !== lastState) {
      const next: TicketState['category'] = STATE_FLOW[STATE_FLOW.indexOf(state) + 1] ?? 'resolved';
      part.part_type = 'ticket_state_updated_by_admin';
      part.body = null;
      part.previous_ticket_state = state;
      part.ticket_state = next;
      state = next;
    } else if (roll < 0.7) {
      part.part_type = 'note';
      part.body = '<p>Internal: checked the logs 🔍</p>';
    }
    parts.push(part);
  }

  const spec = TYPES[typeIndex];
  const title =
    j === EDGE_TICKETS.unicodeTitle
      ? 'Données 🧾 manquantes — 東京の請求書'
      : `${TICKET_TITLES[hash32(ctx.seed, STREAM.ticket, j, 2) % TICKET_TITLES.length] ?? 'Ticket'} (#${j + 1})`;
  const attributes: Ticket['ticket_attributes'] = {
    _default_title_: title,
    _default_description_:
      j === EDGE_TICKETS.unassigned ? null : `<p>${title}: details from the customer.</p>`,
  };
  for (const c of spec?.custom ?? []) {
    if (c.options) attributes[c.name] = rng.pick(c.options);
    else if (c.dataType === 'integer') attributes[c.name] = rng.int(1, 5_000);
    else if (c.dataType === 'decimal') attributes[c.name] = Math.round(rng.next() * 50_000) / 100;
    else if (c.dataType === 'boolean') attributes[c.name] = rng.chance(0.5);
    else attributes[c.name] = `https://status.example.com/incidents/${j + 1}`;
  }

  const links: Ticket['linked_objects']['data'] = [];
  if (type.category === 'Tracker') {
    for (let k = j - 1; k >= 0 && k >= j - 10 && links.length < 2; k--) {
      if (typeIndexOf(ctx, k) === 0) links.push({ type: 'ticket', id: ticketId(k), category: 'Customer' });
    }
    if (ctx.conversationCount > ctx.quirkConversations) {
      const c = ctx.quirkConversations + (j % (ctx.conversationCount - ctx.quirkConversations));
      links.push({ type: 'conversation', id: generatedConversationId(c), category: null });
    }
  }

  const ticket: Ticket = {
    type: 'ticket',
    id: ticketId(j),
    ticket_id: String(j + 1),
    category: type.category,
    ticket_attributes: attributes,
    ticket_state: stateOf(typeIndex, state),
    ticket_type: type,
    contacts: {
      type: 'contact.list',
      contacts: contacts.map((c) => ({ type: 'contact', id: c.id, external_id: c.external_id })),
    },
    admin_assignee_id: assigneeIndex === undefined ? '0' : teammateAt(ctx, assigneeIndex).id,
    team_assignee_id: team === undefined ? '0' : teamId(team),
    created_at,
    updated_at,
    open: state !== 'resolved',
    linked_objects: { type: 'list', data: links, total_count: links.length, has_more: false },
    ticket_parts: { type: 'ticket_part.list', ticket_parts: parts, total_count: parts.length },
    is_shared: type.category === 'Customer',
  };
  if (j === EDGE_TICKETS.snoozed) ticket.snoozed_until = updated_at + 86_400;
  return ticket;
}

/** The state a ticket moves to on its next change: one step along the flow, reopened after resolved. */
function nextState(category: TicketState['category']): TicketState['category'] {
  return category === 'resolved'
    ? 'in_progress'
    : (STATE_FLOW[STATE_FLOW.indexOf(category) + 1] ?? 'resolved');
}

/**
 * `ticket` after its assignee changed its state once at each of `times` (the live sandbox's ticket
 * changes, each notified as `ticket.state.updated`): every change moves the state one step along the
 * flow (a resolved ticket is reopened), adds a `ticket_state_updated_by_admin` part by `author`, and
 * `updated_at` becomes the last time.
 * @throws RangeError when the ticket would hold more parts than its part ids have room for.
 */
export function ticketAfterStateChanges(
  ticket: Ticket,
  times: readonly number[],
  author: TicketPartAuthor,
): Ticket {
  const parts = [...ticket.ticket_parts.ticket_parts];
  if (parts.length + times.length > PART_ID_STRIDE) {
    throw new RangeError(`Ticket ${ticket.id} cannot hold more than ${PART_ID_STRIDE} parts.`);
  }
  const typeIndex = Number(ticket.ticket_type.id) - 101;
  const base = PART_ID_BASE + (Number(ticket.id) - TICKET_ID_BASE) * PART_ID_STRIDE;
  let state = ticket.ticket_state.category;
  for (const time of times) {
    const next = nextState(state);
    parts.push({
      type: 'ticket_part',
      id: String(base + parts.length),
      part_type: 'ticket_state_updated_by_admin',
      body: null,
      previous_ticket_state: state,
      ticket_state: next,
      created_at: time,
      updated_at: time,
      assigned_to: null,
      author,
      attachments: [],
      external_id: null,
      redacted: false,
    });
    state = next;
  }
  const updatedAt = times.at(-1) ?? ticket.updated_at;
  return {
    ...ticket,
    ticket_state: stateOf(typeIndex, state),
    updated_at: Math.max(updatedAt, ticket.updated_at),
    open: state !== 'resolved',
    ticket_parts: { ...ticket.ticket_parts, ticket_parts: parts, total_count: parts.length },
  };
}
