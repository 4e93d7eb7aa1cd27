/**
 * Facts about a conversation record as `GET /conversations/{id}` returns it, shared by extract
 * (manifest) and load (parts_complete) so both judge completeness the same way.
 */

/** The parts array of a conversation record, or `[]` when it has none. */
export function partsOf(conversation: Record<string, unknown>): unknown[] {
  const list = conversation.conversation_parts as { conversation_parts?: unknown } | null | undefined;
  return Array.isArray(list?.conversation_parts) ? list.conversation_parts : [];
}

/**
 * Whether every part of the conversation is in the record.
 *
 * `GET /conversations/{id}` returns at most the 500 most recent parts, and
 * `statistics.count_conversation_parts` counts the source message too, so a complete record holds
 * `count_conversation_parts - 1` parts. Without statistics we cannot tell, and say complete.
 * See https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/retrieveconversation
 */
export function partsComplete(conversation: Record<string, unknown>): boolean {
  const statistics = conversation.statistics as { count_conversation_parts?: unknown } | null | undefined;
  const expected = statistics?.count_conversation_parts;
  if (typeof expected !== 'number') return true;
  return expected <= partsOf(conversation).length + 1;
}
