/**
 * The warehouse tables the load writes, their shapes, and the names of their full-refresh twins.
 */
import {
  admin,
  company,
  contactCompany,
  contactTag,
  conversation,
  conversationContact,
  conversationPart,
  conversationTag,
  dataAttribute,
  quarantine,
  segment,
  tag,
  team,
  teamAdmin,
  ticket,
  ticketPart,
  users,
} from '../../drizzle/schema';
import { WAREHOUSE_TABLES, type WarehouseTable } from '../streams/types';
import { tableShape, type TableShape } from './rows';

/** The tables the load fills, in the order a batch writes them: the streams' tables, then the quarantine. */
export const LOAD_TABLES = [...WAREHOUSE_TABLES, 'quarantine'] as const;

/** A table the load fills. */
export type LoadTable = WarehouseTable | 'quarantine';

/**
 * The column order and key of each table a stream fills, taken from drizzle/schema.ts; a table
 * named in lib/streams without a shape here does not compile.
 */
const STREAM_SHAPES: Record<WarehouseTable, TableShape> = {
  users: tableShape(users, ['id']),
  conversation: tableShape(conversation, ['id']),
  conversation_part: tableShape(conversationPart, ['id']),
  conversation_contact: tableShape(conversationContact, ['conversation_id', 'contact_id']),
  contact_tag: tableShape(contactTag, ['contact_id', 'tag_id']),
  conversation_tag: tableShape(conversationTag, ['conversation_id', 'tag_id']),
  admin: tableShape(admin, ['id']),
  team: tableShape(team, ['id']),
  team_admin: tableShape(teamAdmin, ['team_id', 'admin_id']),
  tag: tableShape(tag, ['id']),
  segment: tableShape(segment, ['id']),
  data_attribute: tableShape(dataAttribute, ['model', 'name']),
  company: tableShape(company, ['id']),
  contact_company: tableShape(contactCompany, ['contact_id', 'company_id']),
  ticket: tableShape(ticket, ['id']),
  ticket_part: tableShape(ticketPart, ['id']),
};

/** The column order and key of each load table. */
export const SHAPES: Record<LoadTable, TableShape> = {
  ...STREAM_SHAPES,
  // The quarantine id is AUTO_INCREMENT: the insert leaves it out.
  quarantine: tableShape(quarantine, ['id'], ['id']),
};

/** Suffix of the tables a full refresh fills before the swap. */
export const SHADOW_SUFFIX = '__new';
/** Suffix the live tables get during the swap, dropped right after. */
export const OLD_SUFFIX = '__old';

/** Table names a load writes to: the live ones (upsert) or their shadows (full refresh). */
export type TargetNames = Record<LoadTable, string>;

/** `{ users: 'users', ... }`, or with `suffix` (`users__new`, ...). */
export function targetNames(suffix = ''): TargetNames {
  return Object.fromEntries(LOAD_TABLES.map((t) => [t, `${t}${suffix}`])) as TargetNames;
}
