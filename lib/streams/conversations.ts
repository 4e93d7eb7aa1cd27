import { partsComplete, partsOf } from '../records/conversation-parts';
import type { JsonObject } from '../records/fields';
import { mapConversation } from '../records/map-conversation';
import { conversationTagRows } from '../records/map-tag';
import { defineStream } from './types';

/**
 * Conversations: `GET /conversations` lists summaries without parts, so each is fetched again with
 * `GET /conversations/{id}`, which holds at most its 500 most recent parts; a 404 there means the
 * conversation was deleted after it was listed.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/retrieveconversation
 */
export const CONVERSATIONS = defineStream({
  name: 'conversations',
  file: 'conversations.json',
  label: 'conversations',
  singular: 'conversation',
  primaryKey: 'id',
  source: { kind: 'list', path: '/conversations', itemsKey: 'conversations', paged: true },
  pageSize: 150,
  detail: { path: '/conversations/{id}', notFound: 'vanished' },
  // Conversation search matches exact timestamps.
  // https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/searchconversations
  incremental: {
    cursorField: 'updated_at',
    search: { path: '/conversations/search', itemsKey: 'conversations' },
    match: 'exact-second',
  },
  children: {
    label: 'parts',
    count: (record) => partsOf(record).length,
    complete: partsComplete,
    rows: { table: 'conversation_part', countColumn: 'parts_count' },
  },
  tables: ['conversation', 'conversation_part', 'conversation_contact', 'conversation_tag'],
  replaceChildrenOf: {
    tables: ['conversation_part', 'conversation_contact', 'conversation_tag'],
    column: 'conversation_id',
  },
  map: (record, raw) => {
    const mapped = mapConversation(record, raw);
    return {
      conversation: [mapped.conversation],
      conversation_part: mapped.parts,
      conversation_contact: mapped.contacts,
      conversation_tag: conversationTagRows(mapped.conversation.id as string, record as JsonObject),
    };
  },
});
