/**
 * Shapes of the records the sandbox serves, as Intercom API 2.14 returns them.
 *
 * They follow the schemas in `openapi-2.14.yaml` (`contact`, `tag`, `company`, `note`,
 * `conversation_list_item`, `conversation`, `conversation_part`) and the quirk records (sandbox/quirk-records.ts); fields the
 * sandbox never fills are left out.
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts
 */

/** A pointer in a contact's nested `tags`/`notes` list (`addressable_list` in the spec). */
export interface AddressableItem {
  type: string;
  id: string;
  url: string;
}

/** A contact's nested list: at most 10 items, `has_more` when the sub-endpoint holds more. */
export interface NestedList {
  type: 'list';
  data: AddressableItem[];
  url: string;
  total_count: number;
  has_more: boolean;
}

/** Intercom's contact location object. */
export interface ContactLocation {
  type: 'location';
  country: string | null;
  region: string | null;
  city: string | null;
  country_code?: string | null;
  continent_code?: string | null;
}

/** A contact (user or lead) exactly as `GET /contacts` lists it. */
export interface Contact {
  type: 'contact';
  id: string;
  workspace_id: string;
  external_id: string | null;
  role: 'user' | 'lead';
  // The spec says string; the live API sends "" and (for leads without one) null.
  email: string | null;
  phone: string | null;
  name: string | null;
  avatar: { type: 'avatar'; image_url: string | null } | null;
  owner_id: number | null;
  social_profiles: { type: 'list'; data: { type: string; name: string; url: string }[] };
  has_hard_bounced: boolean;
  marked_email_as_spam: boolean;
  unsubscribed_from_emails: boolean;
  created_at: number;
  updated_at: number;
  signed_up_at: number | null;
  last_seen_at: number | null;
  last_replied_at: number | null;
  last_contacted_at: number | null;
  last_email_opened_at: number | null;
  last_email_clicked_at: number | null;
  language_override: string | null;
  browser: string | null;
  browser_version: string | null;
  browser_language: string | null;
  os: string | null;
  location: ContactLocation;
  android_app_name: string | null;
  android_app_version: string | null;
  android_device: string | null;
  android_os_version: string | null;
  android_sdk_version: string | null;
  android_last_seen_at: number | null;
  ios_app_name: string | null;
  ios_app_version: string | null;
  ios_device: string | null;
  ios_os_version: string | null;
  ios_sdk_version: string | null;
  ios_last_seen_at: number | null;
  custom_attributes: Record<string, unknown>;
  tags: NestedList;
  notes: NestedList;
  companies: NestedList;
  sms_consent: boolean;
  unsubscribed_from_sms: boolean;
}

/** A reference to an admin, contact or team. */
export interface Reference {
  type: string;
  id: string | null;
}

/** A tag as `GET /contacts/{id}/tags` returns it. */
export interface Tag {
  type: 'tag';
  id: string;
  name: string;
  applied_at: number | null;
  applied_by: Reference | null;
}

/** A company as `GET /companies/scroll`, `GET /companies/{id}` and `GET /contacts/{id}/companies` return it. */
export interface Company {
  type: 'company';
  id: string;
  company_id: string;
  app_id: string;
  name: string;
  remote_created_at: number;
  created_at: number;
  updated_at: number;
  last_request_at: number;
  monthly_spend: number;
  session_count: number;
  user_count: number;
  size?: number;
  website?: string;
  industry?: string;
  tags: { type: 'tag.list'; tags: { type: 'tag'; id: string; name: string }[] };
  segments: { type: 'segment.list'; segments: never[] };
  /** `{}` when the company has no plan, as the live API sends (see the spec's scroll example). */
  plan: Record<string, string>;
  custom_attributes: Record<string, string>;
}

/** An admin as it appears in a note's `author`. */
export interface NoteAuthor {
  type: 'admin';
  id: string;
  name: string;
  email: string;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
}

/** A note as `GET /contacts/{id}/notes` returns it. */
export interface Note {
  type: 'note';
  id: string;
  created_at: number;
  contact: { type: 'contact'; id: string };
  author: NoteAuthor;
  body: string;
}

/** Who wrote a conversation part or the source message. */
export interface PartAuthor {
  type: 'admin' | 'bot' | 'user' | 'lead' | 'team';
  id: string;
  name: string | null;
  email: string;
}

/** One message or event of a conversation. */
export interface ConversationPart {
  type: 'conversation_part';
  id: string;
  part_type: string;
  body: string | null;
  created_at: number;
  updated_at: number;
  notified_at: number;
  author: PartAuthor;
  attachments: unknown[];
  redacted: boolean;
  assigned_to?: Reference | null;
  external_id?: string | null;
}

/** A tag attached to a conversation. */
export interface ConversationTag {
  type: 'tag';
  id: string;
  name: string;
  applied_at?: number | null;
  applied_by?: Reference | null;
}

/** The statistics block; the live API sends `null` for metrics that never happened. */
export interface ConversationStatistics {
  type: 'conversation_statistics';
  time_to_assignment: number | null;
  time_to_admin_reply: number | null;
  time_to_first_close: number | null;
  time_to_last_close: number | null;
  median_time_to_reply: number | null;
  first_contact_reply_at: number | null;
  first_assignment_at: number | null;
  first_admin_reply_at: number | null;
  first_close_at: number | null;
  last_assignment_at: number | null;
  last_assignment_admin_reply_at: number | null;
  last_contact_reply_at: number | null;
  last_admin_reply_at: number | null;
  last_close_at: number | null;
  last_closed_by_id: string | null;
  count_reopens: number;
  count_assignments: number;
  /** Every part plus one for the source message. */
  count_conversation_parts: number;
}

/** A conversation as `GET /conversations` lists it (no parts). */
export interface ConversationSummary {
  type: 'conversation';
  /** A numeric string. */
  id: string;
  created_at: number;
  updated_at: number;
  waiting_since: number | null;
  snoozed_until: number | null;
  source: {
    type: string;
    id: string;
    delivered_as: string;
    subject: string;
    body: string;
    author: PartAuthor;
    attachments: unknown[];
    url: string | null;
    redacted?: boolean;
  };
  contacts: {
    type: 'contact.list';
    contacts: { type: 'contact'; id: string; external_id?: string | null }[];
  };
  first_contact_reply: { created_at: number; type: string; url: string | null } | null;
  admin_assignee_id?: number | null;
  team_assignee_id?: number | null;
  open: boolean;
  state: 'open' | 'closed' | 'snoozed';
  read: boolean;
  tags: { type: 'tag.list'; tags: ConversationTag[] };
  priority: 'priority' | 'not_priority';
  sla_applied: null;
  statistics: ConversationStatistics | null;
  conversation_rating: unknown;
  teammates: { type: 'admin.list'; admins: { type: 'admin'; id: string }[] } | null;
  assignee?: Reference | null;
  title?: string | null;
  custom_attributes?: Record<string, string | number>;
}

/** A conversation as `GET /conversations/{id}` returns it: at most the 500 most recent parts. */
export interface Conversation extends ConversationSummary {
  conversation_parts: {
    type: 'conversation_part.list';
    conversation_parts: ConversationPart[];
    total_count: number;
  };
}

/** An admin (teammate) as `GET /admins` and `GET /admins/{id}` return it (`admin` in the spec). */
export interface Admin {
  type: 'admin';
  id: string;
  name: string;
  email: string;
  job_title?: string;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
  away_status_reason_id: number | null;
  has_inbox_seat: boolean;
  /** Ids of the teams the admin belongs to; the same pairs as the teams' `admin_ids`. */
  team_ids: number[];
  avatar: string | null;
}

/** A team as `GET /teams` and `GET /teams/{id}` return it (`team` in the spec). */
export interface Team {
  type: 'team';
  id: string;
  name: string;
  /** Ids of the member admins; the same pairs as the admins' `team_ids`. */
  admin_ids: number[];
  admin_priority_level: { primary_admin_ids: number[] | null; secondary_admin_ids: number[] | null } | null;
  assignment_limit: number | null;
  distribution_method: string | null;
}

/** A tag as `GET /tags` lists it (`tag` in the spec, without `applied_*`). */
export interface WorkspaceTag {
  type: 'tag';
  id: string;
  name: string;
}

/** A segment as `GET /segments` lists it; `count` only with `include_count=true`. */
export interface Segment {
  type: 'segment';
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  person_type: 'contact' | 'user';
  count?: number | null;
}

/** Models `GET /data_attributes?model=` accepts. */
export type DataAttributeModel = 'contact' | 'company' | 'conversation';

/** An attribute definition as `GET /data_attributes` lists it: standard ones have no `id`. */
export interface DataAttribute {
  type: 'data_attribute';
  id?: number;
  model: DataAttributeModel;
  name: string;
  full_name: string;
  label: string;
  description: string;
  data_type: 'string' | 'integer' | 'float' | 'boolean' | 'date';
  options?: string[];
  api_writable: boolean;
  messenger_writable: boolean;
  ui_writable: boolean;
  custom: boolean;
  archived: boolean;
  created_at?: number;
  updated_at?: number;
  admin_id?: string;
}

/** A ticket state (`ticket_state` in the spec). */
export interface TicketState {
  type: 'ticket_state';
  id: string;
  category: 'submitted' | 'in_progress' | 'waiting_on_customer' | 'resolved';
  internal_label: string;
  external_label: string;
}

/** An attribute of a ticket type (`ticket_type_attribute` in the spec). */
export interface TicketTypeAttribute {
  type: 'ticket_type_attribute';
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  data_type: string;
  input_options: Record<string, unknown> | null;
  order: number;
  required_to_create: boolean;
  required_to_create_for_contacts: boolean;
  visible_on_create: boolean;
  visible_to_contacts: boolean;
  default: boolean;
  ticket_type_id: number;
  archived: boolean;
  created_at: number;
  updated_at: number;
}

/** Ticket categories. */
export type TicketCategory = 'Customer' | 'Back-office' | 'Tracker';

/** A ticket type as a ticket embeds it (`ticket_type` in the spec; attribute list shaped as the spec's examples). */
export interface TicketType {
  type: 'ticket_type';
  id: string;
  category: TicketCategory;
  name: string;
  description: string;
  icon: string;
  workspace_id: string;
  archived: boolean;
  created_at: number;
  updated_at: number;
  is_internal: boolean;
  ticket_type_attributes: { type: 'list'; data: TicketTypeAttribute[] };
}

/** Who wrote a ticket part (`ticket_part_author`: admin, bot, team or user). */
export interface TicketPartAuthor {
  type: 'admin' | 'bot' | 'team' | 'user';
  id: string;
  name: string | null;
  /** Absent for a contact without an email. */
  email?: string;
}

/** One message or event of a ticket (`ticket_part` in the spec). */
export interface TicketPart {
  type: 'ticket_part';
  id: string;
  part_type: string;
  body: string | null;
  previous_ticket_state?: TicketState['category'];
  ticket_state?: TicketState['category'];
  created_at: number;
  updated_at: number;
  assigned_to: Reference | null;
  author: TicketPartAuthor;
  attachments: unknown[];
  external_id: string | null;
  redacted: boolean;
}

/** A ticket as `POST /tickets/search` lists it and `GET /tickets/{id}` returns it (`ticket` in the spec). */
export interface Ticket {
  type: 'ticket';
  id: string;
  ticket_id: string;
  category: TicketCategory;
  ticket_attributes: Record<string, string | number | boolean | null>;
  ticket_state: TicketState;
  ticket_type: TicketType;
  contacts: { type: 'contact.list'; contacts: { type: 'contact'; id: string; external_id: string | null }[] };
  /** "0" when nobody is assigned, as the live API sends. */
  admin_assignee_id: string;
  team_assignee_id: string;
  created_at: number;
  updated_at: number;
  open: boolean;
  snoozed_until?: number;
  linked_objects: {
    type: 'list';
    data: { type: 'ticket' | 'conversation'; id: string; category: TicketCategory | null }[];
    total_count: number;
    has_more: boolean;
  };
  ticket_parts: { type: 'ticket_part.list'; ticket_parts: TicketPart[]; total_count: number };
  is_shared: boolean;
}
