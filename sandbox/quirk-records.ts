import { OWNER_ADMIN } from './context';
import type { Contact, Conversation, ConversationPart, ConversationSummary, PartAuthor } from './types';

/**
 * Three contacts and three conversations (three parts) that the sandbox serves first, written by
 * this project to carry the oddities that records recorded from a live Intercom workspace show,
 * field for field: the same field names, order and shapes, and the same kinds of odd values. Ids,
 * names, emails, bodies and times are our own.
 *
 * The oddities, each one something the official 2.14 schema or a naive loader gets wrong:
 * - `signed_up_at` decades ahead (2043, 2049, 2056) and one email shared by all three contacts;
 * - nested `tags`/`notes`/`companies` and tag items with relative URLs ("/contacts/<id>/tags");
 * - conversation id "1"; a lead source author with `name: null` and `email: ""`, whose own part
 *   names the same person a `user`; `bot` authors; numeric-string part ids;
 * - `statistics` whose metrics are `null` when they never happened, `last_closed_by_id: null`, and
 *   `count_conversation_parts` that does not match the parts returned (7 for 3, 2 for 0);
 * - conversations whose contact is not among the listed contacts; an absolute `localhost` source URL.
 */

/** The contacts, conversation summaries and full conversations of {@link quirkRecords}. */
export interface QuirkRecords {
  contacts: Contact[];
  conversations: ConversationSummary[];
  /** Each conversation as `GET /conversations/{id}` returns it, keyed by conversation id. */
  fullConversations: Map<string, Conversation>;
}

const WORKSPACE_ID = 'qk4tz8mw';
const TAG_ID = '9100417';
/** The quirk conversations' admin is the workspace owner, admin 0 of `GET /admins`. */
const ADMIN: PartAuthor = { type: 'admin', ...OWNER_ADMIN };
/** Intercom's Operator bot writes as operator+<workspace id>@intercom.io. */
const BOT: PartAuthor = {
  id: '6170022',
  type: 'bot',
  name: 'Operator',
  email: `operator+${WORKSPACE_ID}@intercom.io`,
};
/** A lead that no contact list returns: conversation 1's contact. */
const UNLISTED_LEAD_ID = '5fa1b2c3d4e5f60718293a4b';
const LOCALHOST_URL = 'http://localhost:63342/quirk-sandbox/build/tmp/about.html?_ijt=q1w2e3r4t5y6u7i8o9p0';

function contact(
  id: string,
  externalId: string,
  name: string,
  createdAt: number,
  signedUpAt: number,
): Contact {
  const list = (kind: string, data: Contact['tags']['data']): Contact['tags'] => ({
    type: 'list',
    data,
    url: `/contacts/${id}/${kind}`,
    total_count: data.length,
    has_more: false,
  });
  return {
    type: 'contact',
    id,
    workspace_id: WORKSPACE_ID,
    external_id: externalId,
    role: 'user',
    email: 'quirk.sample@example.com',
    phone: null,
    name,
    avatar: null,
    owner_id: null,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: false,
    created_at: createdAt,
    updated_at: createdAt,
    signed_up_at: signedUpAt,
    last_seen_at: null,
    last_replied_at: null,
    last_contacted_at: null,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    location: { type: 'location', country: null, region: null, city: null },
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    custom_attributes: {},
    tags: list('tags', [{ id: TAG_ID, type: 'tag', url: `/tags/${TAG_ID}` }]),
    notes: list('notes', []),
    companies: list('companies', []),
    sms_consent: false,
    unsubscribed_from_sms: false,
  };
}

/** Statistics of a conversation where nothing happened yet: every metric null, counts given. */
function emptyStatistics(countParts: number): NonNullable<ConversationSummary['statistics']> {
  return {
    type: 'conversation_statistics',
    time_to_assignment: null,
    time_to_admin_reply: null,
    time_to_first_close: null,
    time_to_last_close: null,
    median_time_to_reply: null,
    first_contact_reply_at: null,
    first_assignment_at: null,
    first_admin_reply_at: null,
    first_close_at: null,
    last_assignment_at: null,
    last_assignment_admin_reply_at: null,
    last_contact_reply_at: null,
    last_admin_reply_at: null,
    last_close_at: null,
    last_closed_by_id: null,
    count_reopens: 0,
    count_assignments: 0,
    count_conversation_parts: countParts,
  };
}

/** An automated admin message to a contact nobody lists, with no parts of its own. */
function automatedMessage(
  id: string,
  sourceId: string,
  createdAt: number,
  body: string,
): ConversationSummary {
  return {
    type: 'conversation',
    id,
    created_at: createdAt,
    updated_at: createdAt + 1,
    waiting_since: null,
    snoozed_until: null,
    source: {
      type: 'conversation',
      id: sourceId,
      delivered_as: 'automated',
      subject: '',
      body: `<p class="no-margin">${body}</p>`,
      author: { ...ADMIN },
      attachments: [],
      url: null,
    },
    contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: '65f1c0aa0a1b2c3d4e5f6001' }] },
    first_contact_reply: null,
    open: true,
    state: 'open',
    read: false,
    tags: { type: 'tag.list', tags: [] },
    priority: 'not_priority',
    sla_applied: null,
    statistics: emptyStatistics(2),
    conversation_rating: null,
    teammates: { type: 'admin.list', admins: [{ type: 'admin', id: ADMIN.id }] },
    assignee: { type: 'admin', id: ADMIN.id },
  };
}

const CONTACTS: readonly Contact[] = [
  contact('65f1c0de0a1b2c3d4e5f6071', '31000417', 'User00417', 1710331200, 2308780800),
  contact('65f1c0e40a1b2c3d4e5f6072', '31000588', 'User00588', 1710331206, 2742768000),
  contact('65f1c0e40a1b2c3d4e5f6073', '31000733', 'User00733', 1710331206, 2507328000),
];

const CUSTOMER_CONVERSATION: ConversationSummary = {
  type: 'conversation',
  id: '1',
  created_at: 1604394000,
  updated_at: 1623752103,
  waiting_since: null,
  snoozed_until: null,
  source: {
    type: 'conversation',
    id: '802211476',
    delivered_as: 'customer_initiated',
    subject: '',
    body: '<p>hello, anyone here?</p>',
    author: { type: 'lead', id: UNLISTED_LEAD_ID, name: null, email: '' },
    attachments: [],
    url: LOCALHOST_URL,
  },
  contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: UNLISTED_LEAD_ID }] },
  first_contact_reply: { created_at: 1604394000, type: 'conversation', url: LOCALHOST_URL },
  open: true,
  state: 'open',
  read: false,
  tags: { type: 'tag.list', tags: [] },
  priority: 'not_priority',
  sla_applied: null,
  statistics: {
    ...emptyStatistics(7),
    time_to_admin_reply: 5184321,
    median_time_to_reply: 5184318,
    first_contact_reply_at: 1604394000,
    first_admin_reply_at: 1621751400,
    last_contact_reply_at: 1604394004,
    last_admin_reply_at: 1621753200,
  },
  conversation_rating: null,
  teammates: { type: 'admin.list', admins: [{ type: 'admin', id: ADMIN.id }] },
  assignee: null,
};

function part(id: string, at: number, author: PartAuthor, body: string): ConversationPart {
  return {
    type: 'conversation_part',
    id,
    part_type: 'comment',
    body,
    created_at: at,
    updated_at: at,
    notified_at: at,
    author: { ...author },
    attachments: [],
    redacted: false,
  };
}

const CONVERSATIONS: readonly ConversationSummary[] = [
  CUSTOMER_CONVERSATION,
  automatedMessage('47', '61803398', 1709280000, 'Check-in 1'),
  automatedMessage('52', '61803455', 1709280360, 'Check-in 2'),
];

/** Parts by conversation id; conversations not named here have none. */
const PARTS: Readonly<Record<string, readonly ConversationPart[]>> = {
  '1': [
    part(
      '8310045512',
      1604394004,
      { id: UNLISTED_LEAD_ID, type: 'user', name: null, email: '' },
      '<p>is anybody reading this</p>',
    ),
    part('8310046027', 1604394007, BOT, '<p>The team usually replies in a few hours.</p>'),
    part('8310046090', 1604394008, BOT, '<p>How should the team contact you?</p>'),
  ],
};

/** A fresh copy of the quirk records, so a caller that edits one cannot change the next caller's. */
export function quirkRecords(): QuirkRecords {
  const contacts = structuredClone(CONTACTS) as Contact[];
  const conversations = structuredClone(CONVERSATIONS) as ConversationSummary[];
  const fullConversations = new Map<string, Conversation>();
  for (const summary of conversations) {
    const own = structuredClone(PARTS[summary.id] ?? []) as ConversationPart[];
    fullConversations.set(summary.id, {
      ...structuredClone(summary),
      conversation_parts: {
        type: 'conversation_part.list',
        conversation_parts: own,
        total_count: own.length,
      },
    });
  }
  return { contacts, conversations, fullConversations };
}
