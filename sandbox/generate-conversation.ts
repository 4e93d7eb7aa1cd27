import {
  BASE_TIME,
  CONVERSATION_ID_BASE,
  CONVERSATION_SPACING_S,
  STREAM,
  type Teammate,
  type WorkspaceContext,
} from './context';
import { assigneeTeam, pickAdmin, teamId, teammateAt } from './generate-admin';
import { tagId, tagName, usableTag, usableTagCount } from './generate-tag';
import { hash32, rngFor } from './prng';
import type { Contact, Conversation, ConversationPart, ConversationSummary, PartAuthor } from './types';
import { BODIES } from './vocabulary';

/**
 * Edge cases at fixed offsets after the quirk conversations (conversation `quirkCount + offset`),
 * with their part counts, so that even a small workspace has them.
 */
export const EDGE_CONVERSATIONS = {
  noParts: 0,
  onePart: 1,
  parts150: 2,
  parts151: 3,
  parts500: 4,
  parts501: 5,
  parts1200: 6,
  /** Three contacts, tags and a rating. */
  groupConversation: 7,
} as const;

const EDGE_PART_COUNTS: Record<number, number> = { 0: 0, 1: 1, 2: 150, 3: 151, 4: 500, 5: 501, 6: 1200 };

/** `GET /conversations/{id}` returns at most this many parts: the most recent ones. */
export const MAX_PARTS_RETURNED = 500;

/** Part ids of conversation `j` are `PART_ID_BASE + j * PART_ID_STRIDE + k`; more than any part count. */
const PART_ID_BASE = 7_000_000_000;
const PART_ID_STRIDE = 2_000;

/** The true number of parts of generated conversation `j` (before the 500 cut). */
export function conversationPartsCount(ctx: WorkspaceContext, j: number): number {
  const edge = EDGE_PART_COUNTS[j - ctx.quirkConversations];
  if (edge !== undefined) return edge;
  const h = hash32(ctx.seed, STREAM.conversationShape, j);
  // About 1 in 200 is long enough to be cut at 500; the rest are short chats.
  return h % 200 === 0 ? 150 + ((h >>> 8) % 700) : (h >>> 8) % 13;
}

/** `created_at` and `updated_at` of generated conversation `j`, without building it (for search). */
export function conversationTimes(
  ctx: WorkspaceContext,
  j: number,
): { created_at: number; updated_at: number } {
  const h = hash32(ctx.seed, STREAM.conversationShape, j, 1);
  const created = BASE_TIME + 30 * 86_400 + j * CONVERSATION_SPACING_S + (h % CONVERSATION_SPACING_S);
  return { created_at: created, updated_at: partTime(ctx, j, created, conversationPartsCount(ctx, j)) + 60 };
}

/** Part `k` is created 60-119 s after part `k-1` (part -1 being the source), so parts are strictly ordered. */
function partTime(ctx: WorkspaceContext, j: number, created: number, k: number): number {
  return created + (k + 1) * 60 + (hash32(ctx.seed, STREAM.part, j, k) % 59);
}

/** The id of generated conversation `j`: a numeric string, as the live API sends. */
export function generatedConversationId(j: number): string {
  return String(CONVERSATION_ID_BASE + j);
}

/** What the generator needs to know about the contacts taking part. */
export interface ParticipantLookup {
  contactAt(i: number): Contact;
}

function participants(ctx: WorkspaceContext, j: number, lookup: ParticipantLookup): Contact[] {
  if (ctx.contactCount === 0) return [];
  const rng = rngFor(ctx.seed, STREAM.conversationShape, j, 2);
  const wanted =
    j - ctx.quirkConversations === EDGE_CONVERSATIONS.groupConversation
      ? 3
      : rng.chance(0.9)
        ? 1
        : rng.int(2, 3);
  const indexes = new Set<number>();
  const count = Math.min(wanted, ctx.contactCount);
  while (indexes.size < count) indexes.add(rng.int(0, ctx.contactCount - 1));
  return [...indexes].map((i) => lookup.contactAt(i));
}

function contactAuthor(contact: Contact): PartAuthor {
  // The live API sends "" rather than null for an author without an email (see sandbox/quirk-records.ts).
  return { type: contact.role, id: contact.id, name: contact.name, email: contact.email ?? '' };
}

function teammateAuthor(t: Teammate): PartAuthor {
  return { type: t.type, id: t.id, name: t.name, email: t.email };
}

function generatePart(
  ctx: WorkspaceContext,
  j: number,
  k: number,
  created: number,
  people: Contact[],
): ConversationPart {
  const rng = rngFor(ctx.seed, STREAM.part, j, k);
  const time = partTime(ctx, j, created, k);
  const roll = rng.next();
  const customer = people.length > 0 ? people[k % people.length] : undefined;
  let author: PartAuthor;
  let partType = 'comment';
  let body: string | null = rng.pick(BODIES);
  let assignedTo: ConversationPart['assigned_to'] = null;
  if (roll < 0.45 && customer) {
    author = contactAuthor(customer);
  } else if (roll < 0.85) {
    author = teammateAuthor(pickAdmin(ctx, rng));
    const kind = rng.next();
    if (kind < 0.1) {
      partType = 'note';
      body = '<p>Internal: escalate to billing 💳</p>';
    } else if (kind < 0.2) {
      partType = 'assignment';
      body = null;
      assignedTo = { type: 'admin', id: pickAdmin(ctx, rng).id };
    } else if (kind < 0.25) {
      partType = rng.chance(0.5) ? 'close' : 'open';
      body = null;
    }
  } else {
    author = teammateAuthor(ctx.bot);
  }
  return {
    type: 'conversation_part',
    id: String(PART_ID_BASE + j * PART_ID_STRIDE + k),
    part_type: partType,
    body,
    created_at: time,
    updated_at: time,
    notified_at: time,
    assigned_to: assignedTo,
    author,
    attachments:
      rng.chance(0.03) && partType === 'comment'
        ? [
            {
              type: 'upload',
              name: `screenshot-${k}.png`,
              url: `https://files.example.com/${j}/${k}.png`,
              content_type: 'image/png',
              filesize: rng.int(1_000, 900_000),
              width: 1280,
              height: 800,
            },
          ]
        : [],
    external_id: null,
    redacted: rng.chance(0.01),
  };
}

/** Generated conversation `j` as `GET /conversations` lists it (no parts). */
export function generateConversationSummary(
  ctx: WorkspaceContext,
  j: number,
  lookup: ParticipantLookup,
): ConversationSummary {
  return summaryOf(ctx, j, participants(ctx, j, lookup));
}

/** The summary of conversation `j` with its contacts `people` (built once by the caller). */
function summaryOf(ctx: WorkspaceContext, j: number, people: Contact[]): ConversationSummary {
  const rng = rngFor(ctx.seed, STREAM.conversation, j);
  const h = j - ctx.quirkConversations;
  const { created_at, updated_at } = conversationTimes(ctx, j);
  const parts = conversationPartsCount(ctx, j);
  const first = people[0];
  const customerInitiated = first !== undefined && rng.chance(0.6);
  const starter = pickAdmin(ctx, rng);
  const state = rng.pick(['open', 'closed', 'closed', 'snoozed'] as const);
  const assigneeIndex = rng.chance(0.7) ? rng.int(0, ctx.adminCount - 1) : undefined;
  const assignee = assigneeIndex === undefined ? undefined : teammateAt(ctx, assigneeIndex);
  const team = rng.chance(0.4)
    ? assigneeTeam(ctx, assigneeIndex, hash32(ctx.seed, STREAM.conversation, j, 3))
    : undefined;
  const usableTags = usableTagCount(ctx);
  const tagCount = Math.min(
    usableTags,
    h === EDGE_CONVERSATIONS.groupConversation ? 2 : rng.chance(0.2) ? rng.int(1, 3) : 0,
  );
  const tagStart = rng.int(0, Math.max(0, usableTags - 1));
  const replied = parts > 0 && rng.chance(0.8);
  const closed = state === 'closed';
  return {
    type: 'conversation',
    id: generatedConversationId(j),
    created_at,
    updated_at,
    waiting_since: state === 'open' && rng.chance(0.5) ? updated_at : null,
    snoozed_until: state === 'snoozed' ? updated_at + 86_400 : null,
    source: {
      type: 'conversation',
      id: String(400_000_000 + j),
      delivered_as: customerInitiated ? 'customer_initiated' : rng.pick(['admin_initiated', 'automated']),
      subject: '',
      body: customerInitiated ? rng.pick(BODIES) : '<p>Hello from the team 👋</p>',
      author: customerInitiated && first ? contactAuthor(first) : teammateAuthor(starter),
      attachments: [],
      url: customerInitiated ? 'https://app.example.com/settings' : null,
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: people.map((c) => ({ type: 'contact', id: c.id, external_id: c.external_id })),
    },
    first_contact_reply: customerInitiated
      ? { created_at, type: 'conversation', url: 'https://app.example.com/settings' }
      : null,
    admin_assignee_id: assignee ? Number(assignee.id) : null,
    team_assignee_id: team === undefined ? null : Number(teamId(team)),
    open: state !== 'closed',
    state,
    read: rng.chance(0.7),
    tags: {
      type: 'tag.list',
      tags: Array.from({ length: tagCount }, (_, n) => {
        const t = usableTag(ctx, (tagStart + n) % usableTags);
        return {
          type: 'tag' as const,
          id: tagId(t),
          name: tagName(t),
          applied_at: created_at + 30,
          applied_by: { type: 'admin', id: starter.id },
        };
      }),
    },
    priority: rng.chance(0.1) ? 'priority' : 'not_priority',
    sla_applied: null,
    statistics: {
      type: 'conversation_statistics',
      // Metrics that never happened are null, as the live API sends them (see sandbox/quirk-records.ts).
      time_to_assignment: assignee ? rng.int(10, 3_600) : null,
      time_to_admin_reply: replied ? rng.int(30, 86_400) : null,
      time_to_first_close: closed ? updated_at - created_at : null,
      time_to_last_close: closed ? updated_at - created_at : null,
      median_time_to_reply: replied ? rng.int(30, 86_400) : null,
      first_contact_reply_at: customerInitiated ? created_at : null,
      first_assignment_at: assignee ? created_at + 60 : null,
      first_admin_reply_at: replied ? created_at + 120 : null,
      first_close_at: closed ? updated_at : null,
      last_assignment_at: assignee ? created_at + 60 : null,
      last_assignment_admin_reply_at: assignee && replied ? created_at + 120 : null,
      last_contact_reply_at: customerInitiated ? updated_at - 60 : null,
      last_admin_reply_at: replied ? updated_at : null,
      last_close_at: closed ? updated_at : null,
      last_closed_by_id: closed ? starter.id : null,
      count_reopens: rng.int(0, 2),
      count_assignments: assignee ? 1 : 0,
      count_conversation_parts: parts + 1,
    },
    conversation_rating:
      h === EDGE_CONVERSATIONS.groupConversation || (first && rng.chance(0.1))
        ? {
            rating: rng.int(1, 5),
            remark: rng.chance(0.5) ? 'Très bien 👍' : '',
            created_at: updated_at,
            updated_at,
            contact: { type: 'contact', id: first?.id ?? '', external_id: first?.external_id ?? null },
            teammate: { type: 'admin', id: starter.id },
          }
        : null,
    teammates: { type: 'admin.list', admins: assignee ? [{ type: 'admin', id: assignee.id }] : [] },
    title: rng.chance(0.2) ? 'Billing question 💶' : null,
    custom_attributes: rng.chance(0.3)
      ? { channel: rng.pick(['web', 'ios', 'email']), order_count: rng.int(0, 40) }
      : {},
  };
}

/** Generated conversation `j` as `GET /conversations/{id}` returns it: only the 500 most recent parts. */
export function generateConversation(
  ctx: WorkspaceContext,
  j: number,
  lookup: ParticipantLookup,
): Conversation {
  // Participants are whole generated contacts: build them once for the summary and the parts.
  const people = participants(ctx, j, lookup);
  const summary = summaryOf(ctx, j, people);
  const total = conversationPartsCount(ctx, j);
  const first = Math.max(0, total - MAX_PARTS_RETURNED);
  const parts: ConversationPart[] = [];
  for (let k = first; k < total; k++) parts.push(generatePart(ctx, j, k, summary.created_at, people));
  return {
    ...summary,
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: parts,
      total_count: parts.length,
    },
  };
}
