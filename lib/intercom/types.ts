/**
 * Loose structural types for the records the Intercom API returns.
 *
 * Records are carried through raw (lake files hold them as the API returned them), so these types
 * name only the fields the client reads and keep every other field through the index signature.
 */

/** Any Intercom object that has an id. Unknown fields are kept as they are. */
export interface IntercomRecord {
  id: string;
  [key: string]: unknown;
}

/**
 * A contact (user or lead) as `GET /contacts` returns it.
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/listcontacts
 */
export interface Contact extends IntercomRecord {
  tags?: NestedList | null;
  companies?: NestedList | null;
  notes?: NestedList | null;
}

/**
 * A contact's nested `tags`, `companies` or `notes`: at most 10 items; `has_more` says the rest is at
 * `url` (`GET /contacts/{id}/tags|companies|notes`).
 */
export interface NestedList {
  data?: unknown[];
  url?: string;
  total_count?: number;
  has_more?: boolean;
  [key: string]: unknown;
}

/** An item of `GET /conversations`: the conversation without its parts. */
export interface ConversationSummary extends IntercomRecord {
  updated_at?: number;
}

/**
 * A conversation as `GET /conversations/{id}` returns it, with at most the 500 most recent parts.
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/conversations/retrieveconversation
 */
export interface Conversation extends IntercomRecord {
  conversation_parts?: {
    conversation_parts?: unknown[];
    total_count?: number;
    [key: string]: unknown;
  };
}
