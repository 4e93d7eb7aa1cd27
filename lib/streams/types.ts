/**
 * What a stream declaration says, as data: where its records come from in the Intercom API, which
 * lake file holds them and which warehouse tables they fill. Every phase (extract, lake, load)
 * interprets these declarations; none names a stream. This folder imports neither the Intercom
 * client nor the warehouse, so both sides can read it (see eslint.config.mjs).
 */
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { JsonObject } from '../records/fields';

/** A value a warehouse row holds: JSON columns as JSON text, `DATETIME` as `YYYY-MM-DD HH:MM:SS`. */
export type SqlValue = string | number | boolean | null;

/** A warehouse row: one value per column key of its table (camelCase, as in drizzle/schema.ts). */
export type Row = Record<string, SqlValue>;

/** A full row of a drizzle table `T`: every column present (null where the record has nothing). */
export type RowOf<T extends MySqlTable> = { [K in keyof T['$inferSelect']]: SqlValue };

/**
 * The warehouse tables streams fill, in the order a batch writes them (a stream's main table
 * before its children). lib/warehouse/tables.ts gives each its drizzle shape; the compiler checks
 * that every name has one. The quarantine table belongs to the load, not to a stream.
 */
export const WAREHOUSE_TABLES = [
  'users',
  'conversation',
  'conversation_part',
  'conversation_contact',
  'contact_tag',
  'conversation_tag',
  'admin',
  'team',
  'team_admin',
  'tag',
  'segment',
  'data_attribute',
  'company',
  'contact_company',
  'ticket',
  'ticket_part',
] as const;

/** A table a stream fills. */
export type WarehouseTable = (typeof WAREHOUSE_TABLES)[number];

/**
 * A search query: one filter `{ field, operator, value }` or `{ operator: 'AND' | 'OR', value: [...] }`.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/contacts/searchcontacts
 */
export type SearchQuery =
  { field: string; operator: string; value: unknown } | { operator: 'AND' | 'OR'; value: SearchQuery[] };

/**
 * How a stream's records are listed.
 * - `list`: `GET path`; `paged` lists follow `pages.next` cursors (`per_page` 150), unpaged ones
 *   (`GET /admins`) answer whole in one response. `query` adds fixed parameters to every request
 *   (`GET /segments?include_count=true`).
 * - `search`: `POST path` with `query` and cursor pagination (`POST /tickets/search`).
 * - `scroll`: `GET path` with `scroll_param` (`GET /companies/scroll`).
 * - `per-model`: `GET path?<param>=<model>` once per model, unpaged (`GET /data_attributes?model=contact`).
 */
export type StreamSource =
  | { kind: 'list'; path: string; itemsKey: string; paged: boolean; query?: Readonly<Record<string, string>> }
  | { kind: 'search'; path: string; itemsKey: string; query: SearchQuery }
  | { kind: 'scroll'; path: string; itemsKey: string }
  | { kind: 'per-model'; path: string; itemsKey: string; param: string; models: readonly string[] };

/** A GET for one record, done for each listed item (the list gives a summary). */
export interface DetailSource {
  /** Path template with `{id}` (`/conversations/{id}`). */
  path: string;
  /** What a 404 means: the record was deleted between the list and the request. */
  notFound: 'vanished';
  /**
   * Whether a listed item needs the request; absent: every item does. A stream whose list already
   * holds the whole record for most items (tickets' search holds their parts) asks only for the rest.
   */
  when?(item: JsonObject): boolean;
}

/**
 * A list nested in each record that holds only its first items and says `has_more`; the rest is
 * at a sub-endpoint (`GET /contacts/{id}/tags`), and the extract fills the list from it.
 */
export interface NestedList {
  /** Field of the record holding the list (`tags`). */
  field: string;
  /** Path template with `{id}` (`/contacts/{id}/tags`). */
  path: string;
  /** Keys that may hold the sub-endpoint's items, first match wins. */
  itemsKeys: readonly string[];
  /** Whether the sub-endpoint pages (`pages.next` cursor or link); unpaged ones answer whole without `per_page`. */
  paged: boolean;
}

/**
 * How a search filter on the cursor field matches: `exact-second` compares timestamps (conversations),
 * `calendar-day` matches whole days in the workspace's time zone (contacts). See tasks/extract/catch-up.ts.
 */
export type CursorMatch = 'exact-second' | 'calendar-day';

/** How records changed since a moment are found again (the catch-up pass, incremental runs). */
export interface Incremental {
  /** Record field that grows on every change (Unix seconds). */
  cursorField: string;
  /** `POST path` with cursor pagination. */
  search: { path: string; itemsKey: string };
  match: CursorMatch;
}

/**
 * Children a record carries in itself (a conversation's parts) that the extract counts for the
 * manifest, and that may be cut short by the API.
 */
export interface ChildTally {
  /** What people call them (`parts`): the progress field and the manifest's figure. */
  label: string;
  /** How many the record holds. */
  count(record: JsonObject): number;
  /** Whether the record holds all of them (false: the API cut the list). */
  complete(record: JsonObject): boolean;
  /**
   * The child table and the main-table column that says how many rows each record gave it: a
   * full refresh checks the table holds exactly their sum.
   */
  rows?: { table: WarehouseTable; countColumn: string };
}

/**
 * Listing the stream through concurrent searches over day ranges of a date field instead of its
 * one-page-at-a-time `source` (see lib/intercom/partitions.ts). The records come ordered by that
 * field, ascending (ties in the API's order). The `source` stays the fallback when the search is
 * refused or gives no `total_count`.
 */
export interface PartitionedListing {
  /** `POST path` with `query`, `sort` and cursor pagination (`/contacts/search`). */
  search: { path: string; itemsKey: string };
  /** Date field the ranges cut (Unix seconds, never changes for a record: `created_at`). */
  field: string;
  /** Records a range should hold at most; a single day may hold more (it cannot be cut). */
  bound: number;
  /** Ranges listed at once. */
  window: number;
}

/** Rows per table that one record gives. */
export type TableRows = Partial<Record<WarehouseTable, Row[]>>;

/** One stream of the workspace, declared once; see docs/STREAMS.md. */
export interface StreamDeclaration<Name extends string = string> {
  /** Lake stream name (`users`), also the quarantine's `stream` value. */
  name: Name;
  /** Lake file name under `data/` and `runs/<id>/` (`users.json`). */
  file: string;
  /** What people call the records (`contacts`), in progress, logs and messages. */
  label: string;
  /** What one record is called in messages (`contact`: "tags of contact 12", "conversation 7"). */
  singular: string;
  /**
   * Record field that identifies a record, or the fields that do together (`['model', 'name']`: a
   * standard data attribute has no id). See lib/records/record-id.ts for the key as a string.
   */
  primaryKey: string | readonly [string, ...string[]];
  source: StreamSource;
  /** Items per page asked for (Intercom's largest is 150). */
  pageSize: number;
  detail?: DetailSource;
  partitions?: PartitionedListing;
  nested?: readonly NestedList[];
  incremental?: Incremental;
  children?: ChildTally;
  /** The tables it fills; the first is its main table (one row per record, `raw` is the record). */
  tables: readonly [WarehouseTable, ...WarehouseTable[]];
  /**
   * In an upsert, these child tables lose every row whose `column` is the record's id before its
   * rows are written again: a child deleted in Intercom goes from the warehouse too. Only for a
   * main table keyed by one column.
   */
  replaceChildrenOf?: { tables: readonly WarehouseTable[]; column: string };
  /**
   * The record's rows per table (`raw`: the record as JSON text when the caller has it).
   * @throws DataError when the record cannot be mapped; the load quarantines it.
   */
  map(record: unknown, raw?: string): TableRows;
}

/** `declaration` with its name kept as a literal type, so the registry knows every stream name. */
export function defineStream<const Name extends string>(
  declaration: StreamDeclaration<Name>,
): StreamDeclaration<Name> {
  return declaration;
}
