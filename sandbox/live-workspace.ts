import { ticketAfterStateChanges } from './generate-ticket';
import { searchFieldsOf, type SearchFields, type Workspace } from './workspace';
import { streamsOf } from './workspace-streams';
import type {
  Company,
  Contact,
  Conversation,
  ConversationPart,
  ConversationSummary,
  Note,
  Tag,
  Ticket,
  TicketPart,
} from './types';

/** Record kinds a live workspace changes while they are listed (and creates). */
export type LiveKind = 'contact' | 'conversation';

/** Record kinds whose changes a live workspace's observers hear of: tickets change in place. */
export type ChangedKind = LiveKind | 'ticket';

/** Ids of created records: far from generated ones (contact ids start 6…, conversation ids are 100 + index). */
const CREATED_CONTACT_PREFIX = 'eeeeeeee';
const CREATED_CONVERSATION_BASE = 9_000_000_000;

interface Change {
  /** Number of edits so far (1 after the first). */
  edits: number;
  updatedAt: number;
  /** Update order: the most recent change has the largest. */
  seq: number;
  /** For a created record: its id and the base index it was copied from. */
  created?: { id: string; source: number };
}

interface KindState {
  baseCount: () => number;
  /** Keyed by live index: base indexes for changed records, baseCount + n for created ones. */
  changes: Map<number, Change>;
  createdIds: Map<string, number>;
  /** Base indexes that changed or were removed, ascending: the list skips them in the base part. */
  movedBase: number[];
  /** Live indexes removed (deleted or merged away). */
  removed: Set<number>;
  /** Live indexes search does not find yet. */
  hidden: Set<number>;
  /** Live indexes of changed records, most recent first: the head of the list. */
  head: number[];
}

/**
 * A workspace that changes while it is read, for the sandbox's `moveWhilePaging` fault: a small
 * overlay of updated and created records over an unchanged base workspace (memory grows only with
 * the changes). Every accessor gives the current state, so after a run the same object describes
 * the final state that a clean run must copy.
 *
 * Lists are ordered like Intercom's: the most recently changed records first, then the unchanged
 * ones in base order. With an offset cursor this is what makes plain paging miss a record that
 * moves to the head after the reader passed it, and repeat the one at the page boundary.
 */
export interface LiveWorkspace extends Workspace {
  /** Update record `index` (live index): `updated_at` becomes `now`, a few fields change. */
  touch(kind: LiveKind, index: number, now: number): void;
  /** Create a record copied from base record `source` with a new id; returns its live index. */
  create(kind: LiveKind, source: number, now: number): number;
  /** The live index at list position `position` (0 = head). */
  listIndexAt(kind: LiveKind, position: number): number;
  /** Fields for search without building whole records. */
  searchFields(kind: LiveKind, index: number): SearchFields;
  /** How many records were updated / created so far, per kind (tickets are only updated). */
  readonly changeCounts: Record<ChangedKind, { updated: number; created: number }>;
  /**
   * Delete record `index`: from then on it is neither listed, nor found by search, nor served by
   * id (404), as a record deleted in Intercom.
   */
  remove(kind: LiveKind, index: number): void;
  /**
   * Merge contact `from` (a lead) into contact `into` (a user), as Intercom's merge does: `from`
   * vanishes from the list, search and retrieval; `into` is updated at `now`.
   */
  merge(from: number, into: number, now: number): void;
  /** Add a part (an admin's comment) to conversation `index` at `now`; the conversation is updated then. */
  addPart(index: number, now: number): void;
  /**
   * Keep record `index` out of search results until {@link indexSearch}, as Intercom's search
   * index lags a newly created contact by a few minutes.
   */
  hideFromSearch(kind: LiveKind, index: number): void;
  /** The search index catches up: every record hidden from search is found again. */
  indexSearch(): void;
  /** Whether search finds record `index` (live index below {@link indexLimit}) now. */
  searchable(kind: LiveKind, index: number): boolean;
  /** One past the largest live index (deleted records keep theirs): search loops over `0..indexLimit-1`. */
  indexLimit(kind: LiveKind): number;
  /** Grows with every change, so a server can tell its cached searches are stale. */
  readonly version: number;
  /**
   * Tickets change in place (their list order is the base's). Update ticket `index` at `now` as
   * an admin working it does: its state moves one step with a state-change part, or, with
   * `withComment`, an admin's comment is added instead. `updated_at` becomes `now`.
   */
  touchTicket(index: number, now: number, withComment?: boolean): void;
  /** Delete ticket `index`: gone from search and retrieval (404), as `DELETE /tickets/{id}` does. */
  removeTicket(index: number): void;
  /** Whether search finds ticket `index` now (not deleted). */
  ticketSearchable(index: number): boolean;
  /** Call `listener` after every change from now on (the webhook sender); returns the unsubscribe. */
  subscribe(listener: (change: LiveChange) => void): () => void;
}

/** One change of a live workspace, as its observers hear of it. */
export interface LiveChange {
  kind: ChangedKind;
  /** Live index of the record changed. */
  index: number;
  action: 'updated' | 'created';
}

/** Part ids of added parts: far from generated ones. */
const ADDED_PART_BASE = 8_000_000_000;

/** Whether `ws` is a {@link LiveWorkspace} (the sandbox then serves its list order and deletions). */
export function isLiveWorkspace(ws: Workspace): ws is LiveWorkspace {
  return typeof (ws as Partial<LiveWorkspace>).listIndexAt === 'function';
}

/**
 * Wrap `base` in a {@link LiveWorkspace}. Until `touch` or `create` is called it serves exactly what
 * `base` serves, in the same order.
 */
export function createLiveWorkspace(base: Workspace): LiveWorkspace {
  let seq = 0;
  const state: Record<LiveKind, KindState> = {
    contact: {
      baseCount: () => base.contactCount,
      changes: new Map(),
      createdIds: new Map(),
      movedBase: [],
      head: [],
      removed: new Set(),
      hidden: new Set(),
    },
    conversation: {
      baseCount: () => base.conversationCount,
      changes: new Map(),
      createdIds: new Map(),
      movedBase: [],
      head: [],
      removed: new Set(),
      hidden: new Set(),
    },
  };
  const changeCounts = {
    contact: { updated: 0, created: 0 },
    conversation: { updated: 0, created: 0 },
    ticket: { updated: 0, created: 0 },
  };
  const listeners = new Set<(change: LiveChange) => void>();
  const tell = (change: LiveChange): void => listeners.forEach((listener) => listener(change));
  let version = 0;
  /** Changed tickets by index: each change's time, in order, and the id of the comment it added (if any). */
  const ticketChanges = new Map<number, { at: number; commentId?: string }[]>();
  const removedTickets = new Set<number>();
  const checkTicket = (index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= base.ticketCount) {
      throw new RangeError(`ticket index ${index} is outside 0..${base.ticketCount - 1}.`);
    }
  };
  /** Added parts per conversation live index: their ids and times. */
  const addedParts = new Map<number, { id: string; at: number }[]>();
  let partSeq = 0;
  const indexLimit = (kind: LiveKind): number => state[kind].baseCount() + state[kind].createdIds.size;
  const count = (kind: LiveKind): number => indexLimit(kind) - state[kind].removed.size;
  const moveOutOfBase = (s: KindState, index: number): void => {
    if (index >= s.baseCount() || s.movedBase.includes(index)) return;
    let at = s.movedBase.length;
    while (at > 0 && (s.movedBase[at - 1] ?? 0) > index) at--;
    s.movedBase.splice(at, 0, index);
  };

  const toHead = (kind: LiveKind, index: number): void => {
    const s = state[kind];
    const at = s.head.indexOf(index);
    if (at >= 0) s.head.splice(at, 1);
    s.head.unshift(index);
  };

  const editContact = (contact: Contact, change: Change): Contact => {
    let out = contact;
    if (change.created) {
      // The copy's id appears in its nested list urls and notes too.
      out = JSON.parse(JSON.stringify(contact).split(contact.id).join(change.created.id)) as Contact;
      out.created_at = change.updatedAt;
      out.email = `created-${change.created.id}@example.com`;
      out.external_id = null;
    }
    out.updated_at = change.updatedAt;
    out.name = `${out.name ?? 'Contact'} (edit ${change.edits})`;
    return out;
  };

  const editSummary = <T extends ConversationSummary>(conversation: T, change: Change): T => {
    const out = conversation;
    if (change.created) {
      out.id = change.created.id;
      out.created_at = change.updatedAt;
    }
    out.updated_at = change.updatedAt;
    out.read = change.edits % 2 === 1 ? !out.read : out.read;
    out.title = `${out.title ?? 'Conversation'} (edit ${change.edits})`;
    return out;
  };

  const baseIndexOf = (kind: LiveKind, index: number): number => {
    const change = state[kind].changes.get(index);
    return change?.created ? change.created.source : index;
  };
  const check = (kind: LiveKind, index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= indexLimit(kind)) {
      throw new RangeError(`${kind} index ${index} is outside 0..${indexLimit(kind) - 1}.`);
    }
    if (state[kind].removed.has(index)) throw new RangeError(`${kind} ${index} was deleted.`);
  };
  const unlessRemoved = (kind: LiveKind, index: number | undefined): number | undefined =>
    index === undefined || state[kind].removed.has(index) ? undefined : index;

  const contactAt = (i: number): Contact => {
    check('contact', i);
    const change = state.contact.changes.get(i);
    const contact = base.contactAt(baseIndexOf('contact', i));
    return change ? editContact(contact, change) : contact;
  };
  const contactIndex = (id: string): number | undefined =>
    unlessRemoved('contact', state.contact.createdIds.get(id) ?? base.contactIndex(id));
  /** The base id whose tags/companies/notes a (possibly created) contact has. */
  const sourceContactId = (id: string): string | undefined => {
    const i = state.contact.createdIds.get(id);
    if (i === undefined) return id;
    const change = state.contact.changes.get(i);
    return change?.created ? base.contactAt(change.created.source).id : undefined;
  };
  const renameIn = <T>(items: T[], from: string | undefined, to: string): T[] =>
    from === undefined || from === to
      ? items
      : (JSON.parse(JSON.stringify(items).split(from).join(to)) as T[]);

  const ticketAt = (j: number): Ticket => {
    const ticket = base.ticketAt(j);
    const changes = ticketChanges.get(j);
    if (!changes) return ticket;
    // The workspace owner (admin 0, whom GET /me describes) works the changed tickets: a change
    // without a comment moves the state one step (a state-change part), one with a comment adds it.
    const owner = base.adminAt(0);
    const author = { type: 'admin' as const, id: owner.id, name: owner.name, email: owner.email };
    const stateTimes = changes.filter((change) => change.commentId === undefined).map(({ at }) => at);
    const changed = ticketAfterStateChanges(ticket, stateTimes, author);
    const comments: TicketPart[] = changes.flatMap(({ at, commentId }) =>
      commentId === undefined
        ? []
        : [
            {
              type: 'ticket_part',
              id: commentId,
              part_type: 'comment',
              body: `<p>Added reply ${commentId}</p>`,
              created_at: at,
              updated_at: at,
              assigned_to: null,
              author,
              attachments: [],
              external_id: null,
              redacted: false,
            },
          ],
    );
    // Parts in time order, as Intercom lists them (the sort is stable: same-time parts keep theirs).
    const parts = [...changed.ticket_parts.ticket_parts, ...comments].sort(
      (a, b) => a.created_at - b.created_at,
    );
    return {
      ...changed,
      updated_at: Math.max(changed.updated_at, changes.at(-1)?.at ?? changed.updated_at),
      ticket_parts: { ...changed.ticket_parts, ticket_parts: parts, total_count: parts.length },
    };
  };

  const ws: LiveWorkspace = {
    // Only contacts and conversations change while listed, tickets in place; the other streams
    // are the base's.
    ...streamsOf(base),
    ticketAt,
    ticketIndex(id) {
      const index = base.ticketIndex(id);
      return index === undefined || removedTickets.has(index) ? undefined : index;
    },
    ticketSearchFields(index) {
      const fields = base.ticketSearchFields(index);
      const last = ticketChanges.get(index)?.at(-1);
      return last === undefined ? fields : { ...fields, updated_at: Math.max(fields.updated_at, last.at) };
    },
    removeTicket(index) {
      checkTicket(index);
      version += 1;
      removedTickets.add(index);
    },
    ticketSearchable(index) {
      return !removedTickets.has(index);
    },
    get contactCount() {
      return count('contact');
    },
    get conversationCount() {
      return count('conversation');
    },
    changeCounts,
    contactAt,
    contactIndex,
    contactTags(contactId): Tag[] {
      const source = sourceContactId(contactId);
      return source === undefined ? [] : renameIn(base.contactTags(source), source, contactId);
    },
    contactCompanies(contactId): Company[] {
      const source = sourceContactId(contactId);
      return source === undefined ? [] : base.contactCompanies(source);
    },
    contactNotes(contactId): Note[] {
      const source = sourceContactId(contactId);
      return source === undefined ? [] : renameIn(base.contactNotes(source), source, contactId);
    },
    conversationSummaryAt(j) {
      check('conversation', j);
      const change = state.conversation.changes.get(j);
      const summary = base.conversationSummaryAt(baseIndexOf('conversation', j));
      return change ? editSummary(summary, change) : summary;
    },
    conversationAt(j): Conversation {
      check('conversation', j);
      const change = state.conversation.changes.get(j);
      const conversation = base.conversationAt(baseIndexOf('conversation', j));
      if (!change) return conversation;
      const added = addedParts.get(j) ?? [];
      if (added.length > 0) {
        // A copy: the base may hand out shared objects (the quirk records).
        const list = {
          ...conversation.conversation_parts,
          conversation_parts: [...conversation.conversation_parts.conversation_parts],
        };
        conversation.conversation_parts = list;
        const last = list.conversation_parts[list.conversation_parts.length - 1];
        const author: ConversationPart['author'] = last?.author ?? {
          type: 'bot',
          id: '4423434',
          name: 'Operator',
          email: 'operator@example.com',
        };
        for (const [n, part] of added.entries()) {
          list.conversation_parts.push({
            type: 'conversation_part',
            id: part.id,
            part_type: 'comment',
            body: `<p>Follow-up ${n + 1}</p>`,
            created_at: part.at,
            updated_at: part.at,
            notified_at: part.at,
            author,
            attachments: [],
            redacted: false,
          });
        }
        // Retrieval keeps the 500 most recent parts.
        list.conversation_parts = list.conversation_parts.slice(-500);
        list.total_count = list.conversation_parts.length;
      }
      if (change.created) {
        // Part ids are unique across a workspace: give the copy's parts ids of their own.
        const parts = conversation.conversation_parts.conversation_parts;
        conversation.conversation_parts.conversation_parts = parts.map(
          (p: ConversationPart): ConversationPart => ({ ...p, id: `${change.created?.id ?? ''}${p.id}` }),
        );
      }
      return editSummary(conversation, change);
    },
    conversationIndex(id) {
      return unlessRemoved(
        'conversation',
        state.conversation.createdIds.get(id) ?? base.conversationIndex(id),
      );
    },
    allPartsCount(j) {
      check('conversation', j);
      return base.allPartsCount(baseIndexOf('conversation', j)) + (addedParts.get(j)?.length ?? 0);
    },
    touch(kind, index, now) {
      check(kind, index);
      version += 1;
      const s = state[kind];
      const previous = s.changes.get(index);
      seq += 1;
      if (previous) {
        previous.edits += 1;
        previous.updatedAt = Math.max(now, previous.updatedAt);
        previous.seq = seq;
      } else {
        s.changes.set(index, { edits: 1, updatedAt: now, seq });
        // Sorted insert: the list's base part skips these.
        let at = s.movedBase.length;
        while (at > 0 && (s.movedBase[at - 1] ?? 0) > index) at--;
        s.movedBase.splice(at, 0, index);
      }
      changeCounts[kind].updated += 1;
      toHead(kind, index);
      tell({ kind, index, action: 'updated' });
    },
    create(kind, source, now) {
      const s = state[kind];
      if (!Number.isInteger(source) || source < 0 || source >= s.baseCount()) {
        throw new RangeError(`${kind} source index ${source} is outside 0..${s.baseCount() - 1}.`);
      }
      const n = s.createdIds.size;
      const index = s.baseCount() + n;
      version += 1;
      const id =
        kind === 'contact'
          ? CREATED_CONTACT_PREFIX + n.toString(16).padStart(16, '0')
          : String(CREATED_CONVERSATION_BASE + n);
      seq += 1;
      s.createdIds.set(id, index);
      s.changes.set(index, { edits: 1, updatedAt: now, seq, created: { id, source } });
      changeCounts[kind].created += 1;
      toHead(kind, index);
      tell({ kind, index, action: 'created' });
      return index;
    },
    touchTicket(index, now, withComment = false) {
      checkTicket(index);
      version += 1;
      const changes = ticketChanges.get(index) ?? [];
      // Never backwards: a change after another is not older than it.
      const at = Math.max(now, changes.at(-1)?.at ?? now);
      if (withComment) partSeq += 1;
      changes.push(withComment ? { at, commentId: String(ADDED_PART_BASE + partSeq) } : { at });
      ticketChanges.set(index, changes);
      changeCounts.ticket.updated += 1;
      tell({ kind: 'ticket', index, action: 'updated' });
    },
    remove(kind, index) {
      check(kind, index);
      const s = state[kind];
      version += 1;
      s.removed.add(index);
      const at = s.head.indexOf(index);
      if (at >= 0) s.head.splice(at, 1);
      moveOutOfBase(s, index);
    },
    merge(from, into, now) {
      check('contact', into);
      ws.remove('contact', from);
      ws.touch('contact', into, now);
    },
    addPart(index, now) {
      check('conversation', index);
      partSeq += 1;
      const parts = addedParts.get(index) ?? [];
      parts.push({ id: String(ADDED_PART_BASE + partSeq), at: now });
      addedParts.set(index, parts);
      ws.touch('conversation', index, now);
    },
    hideFromSearch(kind, index) {
      check(kind, index);
      version += 1;
      state[kind].hidden.add(index);
    },
    indexSearch() {
      version += 1;
      state.contact.hidden.clear();
      state.conversation.hidden.clear();
    },
    searchable(kind, index) {
      return !state[kind].removed.has(index) && !state[kind].hidden.has(index);
    },
    indexLimit,
    get version() {
      return version;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listIndexAt(kind, position) {
      const s = state[kind];
      if (position < s.head.length) return s.head[position] as number;
      // The q-th base index that did not change: step over the changed ones below it.
      let index = position - s.head.length;
      for (const moved of s.movedBase) {
        if (moved <= index) index++;
        else break;
      }
      return index;
    },
    searchFields(kind, index) {
      const change = state[kind].changes.get(index);
      if (!change) return searchFieldsOf(base, kind, index);
      const fields = searchFieldsOf(base, kind, baseIndexOf(kind, index));
      return {
        id: change.created?.id ?? fields.id,
        created_at: change.created ? change.updatedAt : fields.created_at,
        updated_at: change.updatedAt,
      };
    },
  };
  return ws;
}
