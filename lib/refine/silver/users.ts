import { defineSilverSource, ts } from './types';

/** Contacts (`data/users.json`): one row per contact, tags and companies as id lists. */
export const USERS_SILVER = defineSilverSource({
  stream: 'users',
  file: 'users.json',
  optional: false,
  primaryKey: ['id'],
  updatedAt: 'updated_at',
  columns: {
    id: 'VARCHAR',
    workspace_id: 'VARCHAR',
    external_id: 'VARCHAR',
    role: 'VARCHAR',
    email: 'VARCHAR',
    phone: 'VARCHAR',
    name: 'VARCHAR',
    owner_id: 'VARCHAR',
    has_hard_bounced: 'BOOLEAN',
    marked_email_as_spam: 'BOOLEAN',
    unsubscribed_from_emails: 'BOOLEAN',
    created_at: 'BIGINT',
    updated_at: 'BIGINT',
    signed_up_at: 'BIGINT',
    last_seen_at: 'BIGINT',
    last_replied_at: 'BIGINT',
    last_contacted_at: 'BIGINT',
    location: 'STRUCT(country VARCHAR, region VARCHAR, city VARCHAR)',
    custom_attributes: 'JSON',
    tags: 'STRUCT(data STRUCT(id VARCHAR)[])',
    companies: 'STRUCT(data STRUCT(id VARCHAR)[])',
  },
  tables: [
    {
      name: 'users',
      select: `SELECT id, workspace_id, external_id, role, email, phone, name, owner_id, has_hard_bounced,
        marked_email_as_spam, unsubscribed_from_emails, ${ts('created_at')} AS created_at,
        ${ts('updated_at')} AS updated_at, ${ts('signed_up_at')} AS signed_up_at,
        ${ts('last_seen_at')} AS last_seen_at, ${ts('last_replied_at')} AS last_replied_at,
        ${ts('last_contacted_at')} AS last_contacted_at, location.country AS location_country,
        location.region AS location_region, location.city AS location_city,
        custom_attributes::VARCHAR AS custom_attributes,
        coalesce(list_transform(tags.data, t -> t.id), []) AS tag_ids,
        coalesce(list_transform(companies.data, c -> c.id), []) AS company_ids
        FROM records`,
    },
  ],
});
