import {
  CODE_LENGTH,
  EMAIL_LENGTH,
  ID_LENGTH,
  type conversation,
  type conversationContact,
  type conversationPart,
} from '../../drizzle/schema';
import { DataError } from '../errors';
import { partsComplete } from './conversation-parts';
import {
  booleanField,
  idField,
  integerField,
  isObject,
  jsonText,
  listItems,
  objectField,
  stringField,
  timestampField,
  within,
  type JsonObject,
} from './fields';
import type { RowOf } from '../streams/types';

/** A `conversation` row. */
export type ConversationRow = RowOf<typeof conversation>;
/** A `conversation_part` row. */
export type ConversationPartRow = RowOf<typeof conversationPart>;
/** A `conversation_contact` row. */
export type ConversationContactRow = RowOf<typeof conversationContact>;

/** Every row one conversation record gives. */
export interface MappedConversation {
  conversation: ConversationRow;
  parts: ConversationPartRow[];
  contacts: ConversationContactRow[];
}

/**
 * Map one conversation from `data/conversations.json` (a `GET /conversations/{id}` body) to its
 * `conversation` row, one `conversation_part` row per part, and one `conversation_contact` row
 * per distinct contact in `contacts.contacts`.
 *
 * `parts_count` is the number of parts the record holds. `GET /conversations/{id}` returns at most
 * the 500 most recent parts, and `statistics.count_conversation_parts` counts the source message
 * too, so `parts_complete` is false only when that count exceeds parts + 1 (no statistics: true).
 * Older API versions have no `admin_assignee_id`; then an `assignee` of type admin is used.
 * See https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/retrieveconversation
 *
 * @throws DataError when the record is not an object, it or a part has no id, or a field has the
 *   wrong type; the whole conversation is then quarantined, never half loaded.
 * @param raw the record as JSON text when the caller has it already (saves a second stringify).
 */
export function mapConversation(record: unknown, raw?: string): MappedConversation {
  if (!isObject(record)) throw new DataError('the conversation record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the conversation record has no id');

  const source = objectField(record, 'source') ?? {};
  const author = within('source', () => objectField(source, 'author')) ?? {};
  const statistics = objectField(record, 'statistics');
  const stats = statistics ?? {};
  const rating = objectField(record, 'conversation_rating') ?? {};
  const partsList = listItems(record, 'conversation_parts', 'conversation_parts') ?? [];
  const parts = partsList.map((part, index) =>
    within(`conversation_parts.conversation_parts[${index}]`, () => mapPart(part, id, index)),
  );
  const declaredParts = within('statistics', () => integerField(stats, 'count_conversation_parts'));

  const row: ConversationRow = {
    id,
    createdAt: timestampField(record, 'created_at'),
    updatedAt: timestampField(record, 'updated_at'),
    waitingSince: timestampField(record, 'waiting_since'),
    snoozedUntil: timestampField(record, 'snoozed_until'),
    state: stringField(record, 'state', CODE_LENGTH),
    open: booleanField(record, 'open'),
    read: booleanField(record, 'read'),
    priority: stringField(record, 'priority', CODE_LENGTH),
    title: stringField(record, 'title'),
    adminAssigneeId: idField(record, 'admin_assignee_id', ID_LENGTH) ?? assigneeOf(record, 'admin'),
    teamAssigneeId: idField(record, 'team_assignee_id', ID_LENGTH) ?? assigneeOf(record, 'team'),
    ...within('source', () => ({
      sourceType: stringField(source, 'type', CODE_LENGTH),
      sourceId: idField(source, 'id', ID_LENGTH),
      sourceDeliveredAs: stringField(source, 'delivered_as', CODE_LENGTH),
      sourceSubject: stringField(source, 'subject'),
      sourceBody: stringField(source, 'body'),
    })),
    ...within('source.author', () => ({
      sourceAuthorType: stringField(author, 'type', CODE_LENGTH),
      sourceAuthorId: idField(author, 'id', ID_LENGTH),
      sourceAuthorName: stringField(author, 'name'),
      sourceAuthorEmail: stringField(author, 'email', EMAIL_LENGTH),
    })),
    ...within('statistics', () => ({
      timeToAssignment: integerField(stats, 'time_to_assignment'),
      timeToAdminReply: integerField(stats, 'time_to_admin_reply'),
      timeToFirstClose: integerField(stats, 'time_to_first_close'),
      timeToLastClose: integerField(stats, 'time_to_last_close'),
      medianTimeToReply: integerField(stats, 'median_time_to_reply'),
      firstContactReplyAt: timestampField(stats, 'first_contact_reply_at'),
      firstAssignmentAt: timestampField(stats, 'first_assignment_at'),
      firstAdminReplyAt: timestampField(stats, 'first_admin_reply_at'),
      firstCloseAt: timestampField(stats, 'first_close_at'),
      lastAssignmentAt: timestampField(stats, 'last_assignment_at'),
      lastAssignmentAdminReplyAt: timestampField(stats, 'last_assignment_admin_reply_at'),
      lastContactReplyAt: timestampField(stats, 'last_contact_reply_at'),
      lastAdminReplyAt: timestampField(stats, 'last_admin_reply_at'),
      lastCloseAt: timestampField(stats, 'last_close_at'),
      lastClosedById: idField(stats, 'last_closed_by_id', ID_LENGTH),
      countReopens: integerField(stats, 'count_reopens'),
      countAssignments: integerField(stats, 'count_assignments'),
      countConversationParts: declaredParts,
      handlingTime: integerField(stats, 'handling_time'),
    })),
    ...within('conversation_rating', () => ({
      rating: integerField(rating, 'rating'),
      ratingRemark: stringField(rating, 'remark'),
    })),
    tags: jsonText(listItems(record, 'tags', 'tags')),
    partsCount: parts.length,
    // Validated above (integerField throws on a wrong type); the rule itself is shared with the extract.
    partsComplete: partsComplete(record),
    raw: raw ?? JSON.stringify(record),
  };

  return { conversation: row, parts, contacts: contactsOf(record, id) };
}

function mapPart(part: unknown, conversationId: string, position: number): ConversationPartRow {
  if (!isObject(part)) throw new DataError('field "" should be an object');
  const id = idField(part, 'id', ID_LENGTH);
  if (!id) throw new DataError('field "id" is missing; every part needs an id');
  const author = objectField(part, 'author') ?? {};
  const assignedTo = objectField(part, 'assigned_to') ?? {};
  return {
    id,
    conversationId,
    position,
    partType: stringField(part, 'part_type', CODE_LENGTH),
    body: stringField(part, 'body'),
    ...within('author', () => ({
      authorType: stringField(author, 'type', CODE_LENGTH),
      authorId: idField(author, 'id', ID_LENGTH),
      authorName: stringField(author, 'name'),
    })),
    ...within('assigned_to', () => ({
      assignedToType: stringField(assignedTo, 'type', CODE_LENGTH),
      assignedToId: idField(assignedTo, 'id', ID_LENGTH),
    })),
    createdAt: timestampField(part, 'created_at'),
    updatedAt: timestampField(part, 'updated_at'),
    notifiedAt: timestampField(part, 'notified_at'),
    raw: JSON.stringify(part),
  };
}

/** The id of `assignee` when it is of `type` (API versions before 2.x had no `*_assignee_id`). */
function assigneeOf(record: JsonObject, type: 'admin' | 'team'): string | null {
  const assignee = objectField(record, 'assignee');
  if (!assignee || assignee.type !== type) return null;
  return within('assignee', () => idField(assignee, 'id', ID_LENGTH));
}

function contactsOf(record: JsonObject, conversationId: string): ConversationContactRow[] {
  const list = listItems(record, 'contacts', 'contacts') ?? [];
  const seen = new Set<string>();
  const rows: ConversationContactRow[] = [];
  list.forEach((contact, index) =>
    within(`contacts.contacts[${index}]`, () => {
      if (!isObject(contact)) throw new DataError('field "" should be an object');
      const contactId = idField(contact, 'id', ID_LENGTH);
      if (!contactId) throw new DataError('field "id" is missing');
      // A contact listed twice is still one participant; the key (conversation, contact) is unique.
      if (seen.has(contactId)) return;
      seen.add(contactId);
      rows.push({ conversationId, contactId });
    }),
  );
  return rows;
}
