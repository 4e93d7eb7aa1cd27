import type { Dialect } from '../dialect';
import type { GoldJob, RefineOptions } from '../jobs/types';
import { windowCondition } from './window';

/** How many companies and tags the job keeps. */
export const TOP_N = 5;

/**
 * The companies and the tags with the most conversations created in the window, five of each,
 * ties broken by id. A conversation counts once for each company of any of its contacts and once
 * for each of its tags.
 */
function topVolumeSql(dialect: Dialect, options: RefineOptions): string {
  const since = options.since ? dialect.date(options.since) : 'CAST(NULL AS DATE)';
  const until = options.until ? dialect.date(options.until) : 'CAST(NULL AS DATE)';
  return `WITH windowed AS (
      SELECT id, contact_ids, tag_ids FROM conversations WHERE ${windowCondition('created_at', dialect, options)}
    ),
    contact_company AS (
      SELECT u.id AS contact_id, company_id FROM users AS u CROSS JOIN UNNEST(u.company_ids) AS x(company_id)
    ),
    by_company AS (
      SELECT cc.company_id AS id, count(DISTINCT w.id) AS conversations
      FROM windowed AS w CROSS JOIN UNNEST(w.contact_ids) AS x(contact_id)
      JOIN contact_company AS cc ON cc.contact_id = x.contact_id
      GROUP BY cc.company_id
    ),
    by_tag AS (
      SELECT x.tag_id AS id, count(DISTINCT w.id) AS conversations
      FROM windowed AS w CROSS JOIN UNNEST(w.tag_ids) AS x(tag_id)
      GROUP BY x.tag_id
    ),
    ranked AS (
      SELECT 'company' AS kind, id, conversations, row_number() OVER (ORDER BY conversations DESC, id) AS rank FROM by_company
      UNION ALL
      SELECT 'tag' AS kind, id, conversations, row_number() OVER (ORDER BY conversations DESC, id) AS rank FROM by_tag
    )
    SELECT r.kind, CAST(r.rank AS INTEGER) AS rank, r.id, coalesce(c.name, t.name) AS name, r.conversations,
      ${since} AS since, ${until} AS until
    FROM ranked AS r
    LEFT JOIN companies AS c ON r.kind = 'company' AND c.id = r.id
    LEFT JOIN tags AS t ON r.kind = 'tag' AND t.id = r.id
    WHERE r.rank <= ${TOP_N}
    ORDER BY r.kind, r.rank`;
}

/** `npm run refine -- top-volume [--since YYYY-MM-DD] [--until YYYY-MM-DD]`. */
export const TOP_VOLUME: GoldJob = {
  name: 'top-volume',
  description: 'the 5 companies and the 5 tags with the most conversations in --since/--until',
  reads: ['conversations', 'users', 'companies', 'tags'],
  tables: [{ name: 'top_volume', sql: topVolumeSql }],
};
