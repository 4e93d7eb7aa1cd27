/**
 * The warehouse schema (MySQL 8 / Aurora MySQL 3, MariaDB 10.11 locally). Migrations in
 * `drizzle/migrations` are generated from this file with `npm run db:generate`; never edit them.
 *
 * Every table keeps the typed columns people query and a `raw` JSON column with the whole record,
 * so no field is ever lost. Times are UTC `DATETIME` (Intercom sends Unix seconds). Ids are
 * strings: Intercom documents some ids as integers (`owner_id`, `admin_assignee_id`) and others
 * as strings of digits, so one type keeps joins simple. There are no foreign keys: a conversation
 * may name a contact the workspace has since deleted, and the full refresh swaps tables by rename.
 * The character set (utf8mb4) comes from the database, which the connection creates with it.
 */
import {
  bigint,
  boolean,
  datetime,
  double,
  index,
  int,
  json,
  longtext,
  mediumtext,
  mysqlTable,
  primaryKey,
  text,
  varchar,
} from 'drizzle-orm/mysql-core';

/** Longest Intercom id we accept; longer ids are quarantined by the mappers. */
export const ID_LENGTH = 64;
/** Longest e-mail address we accept (RFC 5321 allows 254). */
export const EMAIL_LENGTH = 255;
/** Longest short code (role, state, part type, source type). */
export const CODE_LENGTH = 64;

const id = (name: string) => varchar(name, { length: ID_LENGTH });
const code = (name: string) => varchar(name, { length: CODE_LENGTH });
const time = (name: string) => datetime(name, { mode: 'string' });
const count = (name: string) => bigint(name, { mode: 'number' });

/** One row per contact (users and leads), as `GET /contacts` returns them with nested lists completed. */
export const users = mysqlTable(
  'users',
  {
    id: id('id').primaryKey(),
    externalId: varchar('external_id', { length: 255 }),
    role: code('role'),
    email: varchar('email', { length: EMAIL_LENGTH }),
    name: text('name'),
    phone: varchar('phone', { length: 255 }),
    ownerId: id('owner_id'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    signedUpAt: time('signed_up_at'),
    lastSeenAt: time('last_seen_at'),
    location: json('location'),
    customAttributes: json('custom_attributes'),
    tags: json('tags'),
    companies: json('companies'),
    raw: json('raw').notNull(),
  },
  (t) => [index('users_email_idx').on(t.email), index('users_updated_at_idx').on(t.updatedAt)],
);

/** One row per conversation, as `GET /conversations/{id}` returns it. */
export const conversation = mysqlTable(
  'conversation',
  {
    id: id('id').primaryKey(),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    waitingSince: time('waiting_since'),
    snoozedUntil: time('snoozed_until'),
    state: code('state'),
    open: boolean('open'),
    read: boolean('read'),
    priority: code('priority'),
    title: text('title'),
    adminAssigneeId: id('admin_assignee_id'),
    teamAssigneeId: id('team_assignee_id'),
    sourceType: code('source_type'),
    sourceId: id('source_id'),
    sourceDeliveredAs: code('source_delivered_as'),
    sourceSubject: text('source_subject'),
    sourceBody: mediumtext('source_body'),
    sourceAuthorType: code('source_author_type'),
    sourceAuthorId: id('source_author_id'),
    sourceAuthorName: text('source_author_name'),
    sourceAuthorEmail: varchar('source_author_email', { length: EMAIL_LENGTH }),
    timeToAssignment: count('time_to_assignment'),
    timeToAdminReply: count('time_to_admin_reply'),
    timeToFirstClose: count('time_to_first_close'),
    timeToLastClose: count('time_to_last_close'),
    medianTimeToReply: count('median_time_to_reply'),
    firstContactReplyAt: time('first_contact_reply_at'),
    firstAssignmentAt: time('first_assignment_at'),
    firstAdminReplyAt: time('first_admin_reply_at'),
    firstCloseAt: time('first_close_at'),
    lastAssignmentAt: time('last_assignment_at'),
    lastAssignmentAdminReplyAt: time('last_assignment_admin_reply_at'),
    lastContactReplyAt: time('last_contact_reply_at'),
    lastAdminReplyAt: time('last_admin_reply_at'),
    lastCloseAt: time('last_close_at'),
    lastClosedById: id('last_closed_by_id'),
    countReopens: count('count_reopens'),
    countAssignments: count('count_assignments'),
    countConversationParts: count('count_conversation_parts'),
    handlingTime: count('handling_time'),
    rating: int('rating'),
    ratingRemark: text('rating_remark'),
    tags: json('tags'),
    partsCount: int('parts_count').notNull(),
    partsComplete: boolean('parts_complete').notNull(),
    raw: json('raw').notNull(),
  },
  (t) => [index('conversation_updated_at_idx').on(t.updatedAt), index('conversation_state_idx').on(t.state)],
);

/** One row per conversation part (at most the 500 most recent per conversation, as the API returns them). */
export const conversationPart = mysqlTable(
  'conversation_part',
  {
    id: id('id').primaryKey(),
    conversationId: id('conversation_id').notNull(),
    position: int('position').notNull(),
    partType: code('part_type'),
    body: mediumtext('body'),
    authorType: code('author_type'),
    authorId: id('author_id'),
    authorName: text('author_name'),
    assignedToType: code('assigned_to_type'),
    assignedToId: id('assigned_to_id'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    notifiedAt: time('notified_at'),
    raw: json('raw').notNull(),
  },
  (t) => [
    index('conversation_part_conversation_id_idx').on(t.conversationId),
    index('conversation_part_created_at_idx').on(t.createdAt),
  ],
);

/** Which contacts take part in which conversation (`contacts.contacts[].id`). */
export const conversationContact = mysqlTable(
  'conversation_contact',
  {
    conversationId: id('conversation_id').notNull(),
    contactId: id('contact_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.contactId] }),
    index('conversation_contact_contact_id_idx').on(t.contactId),
  ],
);

/** Records the load could not map or the database refused, with the reason; nothing is dropped silently. */
export const quarantine = mysqlTable(
  'quarantine',
  {
    // Not `serial`: drizzle-kit writes it as `serial AUTO_INCREMENT`, which MariaDB rejects.
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    stream: code('stream').notNull(),
    recordId: varchar('record_id', { length: 255 }),
    reason: text('reason').notNull(),
    raw: longtext('raw').notNull(),
    loadedAt: time('loaded_at').notNull(),
  },
  (t) => [index('quarantine_stream_idx').on(t.stream)],
);

/** One row per admin (teammate), as `GET /admins` lists them. */
export const admin = mysqlTable('admin', {
  id: id('id').primaryKey(),
  name: text('name'),
  email: varchar('email', { length: EMAIL_LENGTH }),
  jobTitle: text('job_title'),
  awayModeEnabled: boolean('away_mode_enabled'),
  awayModeReassign: boolean('away_mode_reassign'),
  hasInboxSeat: boolean('has_inbox_seat'),
  teamIds: json('team_ids'),
  raw: json('raw').notNull(),
});

/** One row per team, as `GET /teams` lists them. */
export const team = mysqlTable('team', {
  id: id('id').primaryKey(),
  name: text('name'),
  adminIds: json('admin_ids'),
  raw: json('raw').notNull(),
});

/** Which admins belong to which team (`team.admin_ids`). */
export const teamAdmin = mysqlTable(
  'team_admin',
  {
    teamId: id('team_id').notNull(),
    adminId: id('admin_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.adminId] }), index('team_admin_admin_id_idx').on(t.adminId)],
);

/** One row per company, as `GET /companies/scroll` returns them. `id` is Intercom's; `company_id` the owner's. */
export const company = mysqlTable(
  'company',
  {
    id: id('id').primaryKey(),
    companyId: varchar('company_id', { length: 255 }),
    name: text('name'),
    planName: text('plan_name'),
    size: count('size'),
    website: text('website'),
    industry: text('industry'),
    monthlySpend: double('monthly_spend'),
    userCount: count('user_count'),
    sessionCount: count('session_count'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    remoteCreatedAt: time('remote_created_at'),
    lastRequestAt: time('last_request_at'),
    customAttributes: json('custom_attributes'),
    tags: json('tags'),
    segments: json('segments'),
    raw: json('raw').notNull(),
  },
  (t) => [index('company_company_id_idx').on(t.companyId), index('company_updated_at_idx').on(t.updatedAt)],
);

/** Which contacts belong to which company (the contact's completed `companies` list; Intercom ids). */
export const contactCompany = mysqlTable(
  'contact_company',
  {
    contactId: id('contact_id').notNull(),
    companyId: id('company_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.companyId] }),
    index('contact_company_company_id_idx').on(t.companyId),
  ],
);

/** One row per tag, as `GET /tags` lists them. */
export const tag = mysqlTable('tag', {
  id: id('id').primaryKey(),
  name: text('name'),
  raw: json('raw').notNull(),
});

/** Which contacts carry which tag (the contact's completed `tags` list). */
export const contactTag = mysqlTable(
  'contact_tag',
  {
    contactId: id('contact_id').notNull(),
    tagId: id('tag_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.tagId] }), index('contact_tag_tag_id_idx').on(t.tagId)],
);

/** Which conversations carry which tag (`tags.tags[].id`). */
export const conversationTag = mysqlTable(
  'conversation_tag',
  {
    conversationId: id('conversation_id').notNull(),
    tagId: id('tag_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.tagId] }),
    index('conversation_tag_tag_id_idx').on(t.tagId),
  ],
);

/** One row per segment, as `GET /segments` lists them. */
export const segment = mysqlTable('segment', {
  id: id('id').primaryKey(),
  name: text('name'),
  personType: code('person_type'),
  count: count('count'),
  createdAt: time('created_at'),
  updatedAt: time('updated_at'),
  raw: json('raw').notNull(),
});

/**
 * One row per attribute definition, as `GET /data_attributes` lists them for each model. Standard
 * attributes have no id, so (`model`, `name`) is the key.
 */
export const dataAttribute = mysqlTable(
  'data_attribute',
  {
    model: code('model').notNull(),
    name: varchar('name', { length: 255 }).notNull(),
    id: id('id'),
    fullName: text('full_name'),
    label: text('label'),
    description: text('description'),
    dataType: code('data_type'),
    custom: boolean('custom'),
    archived: boolean('archived'),
    apiWritable: boolean('api_writable'),
    uiWritable: boolean('ui_writable'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    raw: json('raw').notNull(),
  },
  (t) => [primaryKey({ columns: [t.model, t.name] })],
);

/** One row per ticket, as `GET /tickets/{id}` returns it. */
export const ticket = mysqlTable(
  'ticket',
  {
    id: id('id').primaryKey(),
    ticketId: varchar('ticket_id', { length: 255 }),
    category: code('category'),
    ticketTypeId: id('ticket_type_id'),
    ticketTypeName: text('ticket_type_name'),
    ticketStateId: id('ticket_state_id'),
    ticketStateCategory: code('ticket_state_category'),
    title: text('title'),
    open: boolean('open'),
    isShared: boolean('is_shared'),
    adminAssigneeId: id('admin_assignee_id'),
    teamAssigneeId: id('team_assignee_id'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    snoozedUntil: time('snoozed_until'),
    ticketAttributes: json('ticket_attributes'),
    contacts: json('contacts'),
    partsCount: int('parts_count').notNull(),
    raw: json('raw').notNull(),
  },
  (t) => [
    index('ticket_updated_at_idx').on(t.updatedAt),
    index('ticket_state_category_idx').on(t.ticketStateCategory),
  ],
);

/** One row per ticket part, when the ticket's detail carries `ticket_parts`. */
export const ticketPart = mysqlTable(
  'ticket_part',
  {
    id: id('id').primaryKey(),
    ticketId: id('ticket_id').notNull(),
    position: int('position').notNull(),
    partType: code('part_type'),
    body: mediumtext('body'),
    previousTicketState: code('previous_ticket_state'),
    ticketState: code('ticket_state'),
    authorType: code('author_type'),
    authorId: id('author_id'),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
    raw: json('raw').notNull(),
  },
  (t) => [index('ticket_part_ticket_id_idx').on(t.ticketId)],
);

/** Webhook notifications applied to the warehouse, once each (`id` is the notification's id). */
export const webhookEvent = mysqlTable(
  'webhook_event',
  {
    id: varchar('id', { length: 255 }).primaryKey(),
    topic: code('topic').notNull(),
    itemType: code('item_type'),
    itemId: id('item_id'),
    createdAt: time('created_at'),
    appliedAt: time('applied_at').notNull(),
    raw: json('raw').notNull(),
  },
  (t) => [
    index('webhook_event_applied_at_idx').on(t.appliedAt),
    index('webhook_event_topic_idx').on(t.topic),
    index('webhook_event_item_idx').on(t.itemId),
  ],
);

/**
 * What the warehouse holds, per stream: the full run it was loaded from, the last increment applied
 * on top, the `updated_at` up to which every change is in, and the last webhook event applied.
 */
export const syncState = mysqlTable('sync_state', {
  stream: code('stream').primaryKey(),
  fullRunId: varchar('full_run_id', { length: 255 }),
  fullLoadedAt: time('full_loaded_at'),
  incrementRunId: varchar('increment_run_id', { length: 255 }),
  incrementLoadedAt: time('increment_loaded_at'),
  changesThrough: time('changes_through'),
  lastEventId: varchar('last_event_id', { length: 255 }),
  lastEventAppliedAt: time('last_event_applied_at'),
});
