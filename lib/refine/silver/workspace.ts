import { defineSilverSource, ts } from './types';

/*
 * The small streams a newer extract writes beside users and conversations. Each is optional: a
 * lake from before the stream existed gives an empty table, not an error.
 */

/** Admins (`data/admins.json`, `GET /admins`): one row per teammate. */
export const ADMINS_SILVER = defineSilverSource({
  stream: 'admins',
  file: 'admins.json',
  optional: true,
  primaryKey: ['id'],
  columns: {
    id: 'VARCHAR',
    name: 'VARCHAR',
    email: 'VARCHAR',
    job_title: 'VARCHAR',
    away_mode_enabled: 'BOOLEAN',
    away_mode_reassign: 'BOOLEAN',
    has_inbox_seat: 'BOOLEAN',
    team_ids: 'VARCHAR[]',
  },
  tables: [
    {
      name: 'admins',
      select: `SELECT id, name, email, job_title, away_mode_enabled, away_mode_reassign, has_inbox_seat,
        coalesce(team_ids, []) AS team_ids FROM records`,
    },
  ],
});

/** Teams (`data/teams.json`, `GET /teams`): one row per team, its admins as an id list. */
export const TEAMS_SILVER = defineSilverSource({
  stream: 'teams',
  file: 'teams.json',
  optional: true,
  primaryKey: ['id'],
  columns: { id: 'VARCHAR', name: 'VARCHAR', admin_ids: 'VARCHAR[]' },
  tables: [{ name: 'teams', select: 'SELECT id, name, coalesce(admin_ids, []) AS admin_ids FROM records' }],
});

/** Companies (`data/companies.json`, `GET /companies/scroll`). */
export const COMPANIES_SILVER = defineSilverSource({
  stream: 'companies',
  file: 'companies.json',
  optional: true,
  primaryKey: ['id'],
  updatedAt: 'updated_at',
  columns: {
    id: 'VARCHAR',
    company_id: 'VARCHAR',
    name: 'VARCHAR',
    created_at: 'BIGINT',
    updated_at: 'BIGINT',
    remote_created_at: 'BIGINT',
    last_request_at: 'BIGINT',
    size: 'BIGINT',
    website: 'VARCHAR',
    industry: 'VARCHAR',
    monthly_spend: 'DOUBLE',
    session_count: 'BIGINT',
    user_count: 'BIGINT',
    plan: 'STRUCT(id VARCHAR, name VARCHAR)',
    custom_attributes: 'JSON',
    tags: 'STRUCT(tags STRUCT(id VARCHAR)[])',
  },
  tables: [
    {
      name: 'companies',
      select: `SELECT id, company_id, name, ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at,
        ${ts('remote_created_at')} AS remote_created_at, ${ts('last_request_at')} AS last_request_at, size,
        website, industry, monthly_spend, session_count, user_count, plan.name AS plan_name,
        custom_attributes::VARCHAR AS custom_attributes,
        coalesce(list_transform(tags.tags, t -> t.id), []) AS tag_ids FROM records`,
    },
  ],
});

/** Tags (`data/tags.json`, `GET /tags`). */
export const TAGS_SILVER = defineSilverSource({
  stream: 'tags',
  file: 'tags.json',
  optional: true,
  primaryKey: ['id'],
  columns: { id: 'VARCHAR', name: 'VARCHAR' },
  tables: [{ name: 'tags', select: 'SELECT id, name FROM records' }],
});

/** Segments (`data/segments.json`, `GET /segments`). */
export const SEGMENTS_SILVER = defineSilverSource({
  stream: 'segments',
  file: 'segments.json',
  optional: true,
  primaryKey: ['id'],
  updatedAt: 'updated_at',
  columns: {
    id: 'VARCHAR',
    name: 'VARCHAR',
    created_at: 'BIGINT',
    updated_at: 'BIGINT',
    person_type: 'VARCHAR',
    count: 'BIGINT',
  },
  tables: [
    {
      name: 'segments',
      select: `SELECT id, name, ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at,
        person_type, count FROM records`,
    },
  ],
});

/** Data attribute definitions (`data/data_attributes.json`); standard attributes have no id. */
export const DATA_ATTRIBUTES_SILVER = defineSilverSource({
  stream: 'data_attributes',
  file: 'data_attributes.json',
  optional: true,
  primaryKey: ['model', 'name'],
  columns: {
    id: 'VARCHAR',
    model: 'VARCHAR',
    name: 'VARCHAR',
    full_name: 'VARCHAR',
    label: 'VARCHAR',
    description: 'VARCHAR',
    data_type: 'VARCHAR',
    options: 'JSON',
    api_writable: 'BOOLEAN',
    ui_writable: 'BOOLEAN',
    custom: 'BOOLEAN',
    archived: 'BOOLEAN',
    created_at: 'BIGINT',
    updated_at: 'BIGINT',
    admin_id: 'VARCHAR',
  },
  tables: [
    {
      name: 'data_attributes',
      select: `SELECT id, model, name, full_name, label, description, data_type, options::VARCHAR AS options,
        api_writable, ui_writable, custom, archived, ${ts('created_at')} AS created_at,
        ${ts('updated_at')} AS updated_at, admin_id FROM records`,
    },
  ],
});

/** Tickets (`data/tickets.json`, `POST /tickets/search`); attributes and parts kept as JSON text. */
export const TICKETS_SILVER = defineSilverSource({
  stream: 'tickets',
  file: 'tickets.json',
  optional: true,
  primaryKey: ['id'],
  updatedAt: 'updated_at',
  columns: {
    id: 'VARCHAR',
    ticket_id: 'VARCHAR',
    category: 'VARCHAR',
    created_at: 'BIGINT',
    updated_at: 'BIGINT',
    open: 'BOOLEAN',
    admin_assignee_id: 'VARCHAR',
    team_assignee_id: 'VARCHAR',
    ticket_state: 'JSON',
    ticket_type: 'STRUCT(id VARCHAR, name VARCHAR)',
    ticket_attributes: 'JSON',
    contacts: 'STRUCT(contacts STRUCT(id VARCHAR)[])',
    ticket_parts: 'JSON',
  },
  tables: [
    {
      name: 'tickets',
      select: `SELECT id, ticket_id, category, ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at,
        open, admin_assignee_id, team_assignee_id, ticket_state::VARCHAR AS ticket_state,
        ticket_type.id AS ticket_type_id, ticket_type.name AS ticket_type_name,
        ticket_attributes::VARCHAR AS ticket_attributes,
        coalesce(list_transform(contacts.contacts, c -> c.id), []) AS contact_ids,
        ticket_parts::VARCHAR AS ticket_parts FROM records`,
    },
  ],
});
