import type { Dialect } from '../dialect';
import type { GoldJob } from '../jobs/types';

/** Author types of a contact's parts (`user`, `lead`; `contact` in newer API versions). */
const CONTACT_AUTHOR = "author_type IN ('user', 'lead', 'contact')";
/** An admin's reply: a comment or an assignment with a body (dbt_intercom's first_admin_response). */
const ADMIN_RESPONSE =
  "part_type IN ('comment', 'assignment') AND author_type = 'admin' AND body IS NOT NULL AND body <> ''";
const ASSIGNMENT = "part_type LIKE '%assignment%'";

/** Minutes from `from` to `to`, two decimals; null when either is. */
function minutes(from: string, to: string): string {
  return `round(date_diff('second', ${from}, ${to}) / 60.0, 2)`;
}

/**
 * One row per conversation: its assignees, state, rating, part counts and the times of its first
 * contact reply, first admin response, assignments, closes and reopens, with the minutes from
 * creation to each. Definitions and a worked example: docs/METRICS.md. Other gold queries use it as
 * a subquery, so each job stays independent of the others.
 */
export function conversationMetricsSql(_dialect: Dialect): string {
  return `SELECT c.id AS conversation_id, c.created_at, c.updated_at, c.state, c.admin_assignee_id,
      c.team_assignee_id, c.rating, c.rating_remark, c.contact_ids, c.tag_ids,
      coalesce(p.count_parts, 0) AS count_parts,
      coalesce(p.count_comments, 0) AS count_comments,
      coalesce(p.count_assignments, 0) AS count_assignments,
      coalesce(p.count_reopens, 0) AS count_reopens,
      p.first_contact_reply_at, p.last_contact_reply_at,
      p.first_admin_response_at, p.first_admin_response_by_id, p.last_admin_response_at,
      p.first_assignment_at, p.last_assignment_at,
      p.first_close_at, p.first_close_by_id, p.last_close_at, p.last_close_by_id,
      p.first_reopen_at, p.last_reopen_at,
      ${minutes('c.created_at', 'p.first_admin_response_at')} AS time_to_first_response_minutes,
      ${minutes('c.created_at', 'p.first_assignment_at')} AS time_to_first_assignment_minutes,
      ${minutes('c.created_at', 'p.first_close_at')} AS time_to_first_close_minutes,
      ${minutes('c.created_at', 'p.last_close_at')} AS time_to_last_close_minutes,
      c.intercom_time_to_admin_reply_seconds, c.intercom_time_to_first_close_seconds,
      c.intercom_time_to_last_close_seconds, c.intercom_median_time_to_reply_seconds,
      c.intercom_count_reopens, c.intercom_count_assignments
    FROM conversations AS c
    LEFT JOIN (
      SELECT conversation_id,
        count(*) AS count_parts,
        count(*) FILTER (WHERE part_type = 'comment') AS count_comments,
        count(*) FILTER (WHERE ${ASSIGNMENT}) AS count_assignments,
        count(*) FILTER (WHERE part_type = 'open') AS count_reopens,
        min(created_at) FILTER (WHERE part_type = 'comment' AND ${CONTACT_AUTHOR}) AS first_contact_reply_at,
        max(created_at) FILTER (WHERE part_type = 'comment' AND ${CONTACT_AUTHOR}) AS last_contact_reply_at,
        min(created_at) FILTER (WHERE ${ADMIN_RESPONSE}) AS first_admin_response_at,
        min_by(author_id, created_at) FILTER (WHERE ${ADMIN_RESPONSE}) AS first_admin_response_by_id,
        max(created_at) FILTER (WHERE ${ADMIN_RESPONSE}) AS last_admin_response_at,
        min(created_at) FILTER (WHERE ${ASSIGNMENT}) AS first_assignment_at,
        max(created_at) FILTER (WHERE ${ASSIGNMENT}) AS last_assignment_at,
        min(created_at) FILTER (WHERE part_type = 'close') AS first_close_at,
        min_by(author_id, created_at) FILTER (WHERE part_type = 'close') AS first_close_by_id,
        max(created_at) FILTER (WHERE part_type = 'close') AS last_close_at,
        max_by(author_id, created_at) FILTER (WHERE part_type = 'close') AS last_close_by_id,
        min(created_at) FILTER (WHERE part_type = 'open') AS first_reopen_at,
        max(created_at) FILTER (WHERE part_type = 'open') AS last_reopen_at
      FROM conversation_parts
      GROUP BY conversation_id
    ) AS p ON p.conversation_id = c.id`;
}

/** `npm run refine -- conversation-metrics`. */
export const CONVERSATION_METRICS: GoldJob = {
  name: 'conversation-metrics',
  description: 'one row per conversation: responses, assignments, closes, reopens and their times',
  reads: ['conversations', 'conversation_parts'],
  tables: [
    {
      name: 'conversation_metrics',
      sql: (dialect) => `${conversationMetricsSql(dialect)} ORDER BY conversation_id`,
    },
  ],
};
