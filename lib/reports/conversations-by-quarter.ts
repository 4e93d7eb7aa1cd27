import type { ReportDeclaration } from './types';
import { yearBounds, YEAR_PARAM } from './year';

/**
 * Conversations per (team assignee, admin assignee) pair and quarter of one year (UTC), with the
 * team's and admin's names; pairs without a conversation that year are left out, an unassigned
 * side is an empty cell.
 */
export const conversationsByQuarter: ReportDeclaration = {
  name: 'conversations-by-quarter',
  description:
    'For each (team assignee, admin assignee) pair, the conversations created (UTC) in each quarter of the year; pairs with none that year are left out, unassigned is an empty cell.',
  params: [YEAR_PARAM],
  columns: ['team_id', 'team_name', 'admin_id', 'admin_name', 'q1', 'q2', 'q3', 'q4'],
  sql: `SELECT c.team_assignee_id AS team_id, t.name AS team_name,
       c.admin_assignee_id AS admin_id, a.name AS admin_name,
       SUM(QUARTER(c.created_at) = 1) AS q1, SUM(QUARTER(c.created_at) = 2) AS q2,
       SUM(QUARTER(c.created_at) = 3) AS q3, SUM(QUARTER(c.created_at) = 4) AS q4
  FROM conversation c
  LEFT JOIN team t ON t.id = c.team_assignee_id
  LEFT JOIN admin a ON a.id = c.admin_assignee_id
 WHERE c.created_at >= ? AND c.created_at < ?
 GROUP BY c.team_assignee_id, c.admin_assignee_id, t.name, a.name
 ORDER BY c.team_assignee_id IS NULL, c.team_assignee_id, c.admin_assignee_id IS NULL, c.admin_assignee_id`,
  values: (params) => yearBounds(params),
};
