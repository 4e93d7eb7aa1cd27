import { createContext, decodeGeneratedContactId, generatedContactId, CONVERSATION_ID_BASE } from './context';
import {
  contactTimes,
  generateContact,
  generateContactCompanies,
  generateContactNotes,
  generateContactTags,
} from './generate-contact';
import {
  conversationPartsCount,
  conversationTimes,
  generateConversation,
  generateConversationSummary,
  generatedConversationId,
  type ParticipantLookup,
} from './generate-conversation';
import { decodeTagId } from './generate-tag';
import { quirkRecords } from './quirk-records';
import type { Company, Contact, Conversation, ConversationSummary, Note, Tag } from './types';
import { createWorkspaceStreams, tagNameById, type WorkspaceStreams } from './workspace-streams';

export type {
  Admin,
  Company,
  Contact,
  Conversation,
  ConversationSummary,
  DataAttribute,
  Note,
  Segment,
  Tag,
  Team,
  Ticket,
  WorkspaceTag,
} from './types';
export type { WorkspaceStreams } from './workspace-streams';

/** Default numbers of generated records: enough for every fixed-index edge case plus some paging. */
export const DEFAULT_CONTACTS = 200;
export const DEFAULT_CONVERSATIONS = 120;
export const DEFAULT_SEED = 1;
export const DEFAULT_ADMINS = 8;
export const DEFAULT_TEAMS = 4;
export const DEFAULT_TAGS = 40;
export const DEFAULT_COMPANIES = 60;
export const DEFAULT_SEGMENTS = 6;
export const DEFAULT_TICKETS = 40;

/** How to build a workspace. */
export interface WorkspaceOptions {
  /** PRNG seed; the same seed always gives the same data. Default 1. */
  seed?: number;
  /** Number of generated contacts, added after the quirk records. Default 200. */
  contacts?: number;
  /** Number of generated conversations, added after the quirk records. Default 120. */
  conversations?: number;
  /** Serve the 3 contacts and 3 conversations of `quirk-records.ts` first. Default true. */
  includeQuirks?: boolean;
  /** Number of admins, at least 1 (admin 0 is the owner `GET /me` describes). Default 8. */
  admins?: number;
  /** Number of teams. Default 4. */
  teams?: number;
  /** Number of generated tags (tags only the quirk contacts carry come on top). Default 40. */
  tags?: number;
  /** Number of companies, shared by the contacts. Default 60. */
  companies?: number;
  /** Number of segments. Default 6. */
  segments?: number;
  /** Number of tickets. Default 40. */
  tickets?: number;
}

/**
 * A whole Intercom workspace, computed on demand: record `i` is a pure function of `(seed, i)`, so
 * memory stays flat at any size. Indexes are list positions (quirk records first).
 */
export interface Workspace extends WorkspaceStreams {
  /** Number of contacts, including the quirk records. */
  readonly contactCount: number;
  /** Number of conversations, including the quirk records. */
  readonly conversationCount: number;
  /** Contact `i` exactly as `GET /contacts` lists it (nested lists hold at most 10 items, `has_more` when more). */
  contactAt(i: number): Contact;
  /** Every tag of a contact, as `GET /contacts/{id}/tags` returns its items; [] for an unknown id. */
  contactTags(contactId: string): Tag[];
  /** Every company of a contact, as `GET /contacts/{id}/companies` returns its items; [] for an unknown id. */
  contactCompanies(contactId: string): Company[];
  /** Every note of a contact, as `GET /contacts/{id}/notes` returns its items; [] for an unknown id. */
  contactNotes(contactId: string): Note[];
  /** Conversation `j` as `GET /conversations` lists it (no parts). */
  conversationSummaryAt(j: number): ConversationSummary;
  /** Conversation `j` as `GET /conversations/{id}` returns it: parts included, only the 500 most recent. */
  conversationAt(j: number): Conversation;
  /** The list index of a conversation id, or undefined. */
  conversationIndex(id: string): number | undefined;
  /** The list index of a contact id, or undefined. */
  contactIndex(id: string): number | undefined;
  /** The true number of parts of conversation `j`, before the 500 cut. */
  allPartsCount(j: number): number;
  /**
   * `id`, `created_at` and `updated_at` of record `index` without building the record, for search.
   * Optional: {@link searchFieldsOf} reads them from the whole record when a workspace has no faster way.
   */
  searchFields?(kind: 'contact' | 'conversation', index: number): SearchFields;
}

/** Cheap per-record fields for search, so a search over a million records never builds them whole. */
export interface SearchFields {
  id: string;
  created_at: number;
  updated_at: number;
}

/** `id`, `created_at` and `updated_at` of record `index`: the workspace's fast way, or its whole record. */
export function searchFieldsOf(ws: Workspace, kind: 'contact' | 'conversation', index: number): SearchFields {
  if (ws.searchFields) return ws.searchFields(kind, index);
  const record = kind === 'contact' ? ws.contactAt(index) : ws.conversationSummaryAt(index);
  return { id: record.id, created_at: record.created_at, updated_at: record.updated_at };
}

function checkCount(name: string, value: number, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Workspace option ${name} must be a whole number >= ${min}; got ${value}.`);
  }
  return value;
}

/**
 * Build a deterministic workspace: contacts and conversations, and the admins, teams, tags,
 * companies, segments, data attributes and tickets they refer to.
 *
 * @throws RangeError when a size is negative or not an integer, or an index is out of range.
 */
export function createWorkspace(options: WorkspaceOptions = {}): Workspace {
  const seed = options.seed ?? DEFAULT_SEED;
  const generatedContacts = checkCount('contacts', options.contacts ?? DEFAULT_CONTACTS);
  const generatedConversations = checkCount('conversations', options.conversations ?? DEFAULT_CONVERSATIONS);
  const quirks = options.includeQuirks === false ? undefined : quirkRecords();
  const quirkContacts = quirks?.contacts ?? [];
  const quirkConversations = quirks?.conversations ?? [];
  const ctx = createContext(seed, {
    quirkContacts: quirkContacts.length,
    quirkConversations: quirkConversations.length,
    contactCount: quirkContacts.length + generatedContacts,
    conversationCount: quirkConversations.length + generatedConversations,
    adminCount: checkCount('admins', options.admins ?? DEFAULT_ADMINS, 1),
    teamCount: checkCount('teams', options.teams ?? DEFAULT_TEAMS),
    tagCount: checkCount('tags', options.tags ?? DEFAULT_TAGS),
    companyCount: checkCount('companies', options.companies ?? DEFAULT_COMPANIES),
    segmentCount: checkCount('segments', options.segments ?? DEFAULT_SEGMENTS),
    ticketCount: checkCount('tickets', options.tickets ?? DEFAULT_TICKETS),
  });
  const quirkContactIndex = new Map(quirkContacts.map((c, i) => [c.id, i]));
  const quirkConversationIndex = new Map(quirkConversations.map((c, j) => [c.id, j]));

  const checkContact = (i: number): void => {
    if (!Number.isInteger(i) || i < 0 || i >= ctx.contactCount) {
      throw new RangeError(`Contact index ${i} is outside 0..${ctx.contactCount - 1}.`);
    }
  };
  const checkConversation = (j: number): void => {
    if (!Number.isInteger(j) || j < 0 || j >= ctx.conversationCount) {
      throw new RangeError(`Conversation index ${j} is outside 0..${ctx.conversationCount - 1}.`);
    }
  };

  const contactAt = (i: number): Contact => {
    checkContact(i);
    const rec = quirkContacts[i];
    // Copies, so a caller that edits a record cannot change what the sandbox serves next.
    return rec ? structuredClone(rec) : generateContact(ctx, i);
  };
  const contactIndex = (id: string): number | undefined =>
    quirkContactIndex.get(id) ?? decodeGeneratedContactId(ctx, id);
  const lookup: ParticipantLookup = { contactAt };

  // Quirk contacts list their nested items only: those are all the sub-endpoints can return.
  const quirkTags = (c: Contact): Tag[] =>
    c.tags.data.map((t) => ({
      type: 'tag',
      id: t.id,
      name: tagNameById(ctx, t.id),
      applied_at: null,
      applied_by: null,
    }));

  // Tags that the quirk contacts carry and the generator does not make are listed by GET /tags too.
  const quirkTagIds = [...new Set(quirkContacts.flatMap((c) => c.tags.data.map((t) => t.id)))].filter(
    (id) => decodeTagId(ctx, id) === undefined,
  );

  return {
    ...createWorkspaceStreams(ctx, lookup, quirkTagIds),
    contactCount: ctx.contactCount,
    conversationCount: ctx.conversationCount,
    contactAt,
    contactIndex,
    contactTags(contactId) {
      const i = contactIndex(contactId);
      if (i === undefined) return [];
      const rec = quirkContacts[i];
      return rec ? quirkTags(rec) : generateContactTags(ctx, i);
    },
    contactCompanies(contactId) {
      const i = contactIndex(contactId);
      if (i === undefined || quirkContacts[i]) return [];
      return generateContactCompanies(ctx, i);
    },
    contactNotes(contactId) {
      const i = contactIndex(contactId);
      if (i === undefined || quirkContacts[i]) return [];
      return generateContactNotes(ctx, i);
    },
    conversationSummaryAt(j) {
      checkConversation(j);
      const rec = quirkConversations[j];
      return rec ? structuredClone(rec) : generateConversationSummary(ctx, j, lookup);
    },
    conversationAt(j) {
      checkConversation(j);
      const rec = quirkConversations[j];
      if (rec) {
        const full = quirks?.fullConversations.get(rec.id);
        if (full) return structuredClone(full);
      }
      return generateConversation(ctx, j, lookup);
    },
    conversationIndex(id) {
      const known = quirkConversationIndex.get(id);
      if (known !== undefined) return known;
      if (!/^[1-9]\d*$/.test(id)) return undefined;
      const j = Number(id) - CONVERSATION_ID_BASE;
      return j >= ctx.quirkConversations && j < ctx.conversationCount && generatedConversationId(j) === id
        ? j
        : undefined;
    },
    allPartsCount(j) {
      checkConversation(j);
      const rec = quirkConversations[j];
      if (rec) return quirks?.fullConversations.get(rec.id)?.conversation_parts.total_count ?? 0;
      return conversationPartsCount(ctx, j);
    },
    searchFields(kind, index) {
      if (kind === 'contact') {
        checkContact(index);
        const rec = quirkContacts[index];
        if (rec) return { id: rec.id, created_at: rec.created_at, updated_at: rec.updated_at };
        return { id: generatedContactId(ctx, index), ...contactTimes(ctx, index) };
      }
      checkConversation(index);
      const rec = quirkConversations[index];
      if (rec) return { id: rec.id, created_at: rec.created_at, updated_at: rec.updated_at };
      return { id: generatedConversationId(index), ...conversationTimes(ctx, index) };
    },
  };
}
