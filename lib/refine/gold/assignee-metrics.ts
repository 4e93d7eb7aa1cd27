import type { Dialect } from '../dialect';
import type { GoldJob } from '../jobs/types';
import { conversationMetricsSql } from './conversation-metrics';

/** Who a conversation is counted for: its assigned admin or its assigned team. */
interface Assignee {
  job: string;
  table: string;
  /** conversation_metrics column holding the assignee's id. */
  column: string;
  /** Silver table naming the assignees. */
  names: string;
  idName: string;
  description: string;
}

/** Per assignee: conversations, closed, average and median minutes to first response and first close, parts, rating. */
function assigneeMetricsSql(assignee: Assignee, dialect: Dialect): string {
  return `SELECT m.${assignee.column} AS ${assignee.idName}, arbitrary(n.name) AS name,
      count(*) AS conversations,
      count(*) FILTER (WHERE m.state = 'closed') AS closed,
      round(avg(m.time_to_first_response_minutes), 2) AS avg_time_to_first_response_minutes,
      round(${dialect.median('m.time_to_first_response_minutes')}, 2) AS median_time_to_first_response_minutes,
      round(avg(m.time_to_first_close_minutes), 2) AS avg_time_to_first_close_minutes,
      round(${dialect.median('m.time_to_first_close_minutes')}, 2) AS median_time_to_first_close_minutes,
      round(avg(m.count_parts), 2) AS avg_parts,
      round(avg(m.rating), 2) AS avg_rating,
      count(m.rating) AS rated
    FROM (${conversationMetricsSql(dialect)}) AS m
    LEFT JOIN ${assignee.names} AS n ON n.id = m.${assignee.column}
    WHERE m.${assignee.column} IS NOT NULL
    GROUP BY m.${assignee.column}
    ORDER BY m.${assignee.column}`;
}

function assigneeJob(assignee: Assignee): GoldJob {
  return {
    name: assignee.job,
    description: assignee.description,
    reads: ['conversations', 'conversation_parts', assignee.names],
    tables: [{ name: assignee.table, sql: (dialect) => assigneeMetricsSql(assignee, dialect) }],
  };
}

/** `npm run refine -- admin-metrics`: per assigned admin. */
export const ADMIN_METRICS = assigneeJob({
  job: 'admin-metrics',
  table: 'admin_metrics',
  column: 'admin_assignee_id',
  names: 'admins',
  idName: 'admin_id',
  description: 'per assigned admin: conversations, closed, times to first response and close, parts, rating',
});

/** `npm run refine -- team-metrics`: per assigned team. */
export const TEAM_METRICS = assigneeJob({
  job: 'team-metrics',
  table: 'team_metrics',
  column: 'team_assignee_id',
  names: 'teams',
  idName: 'team_id',
  description: 'per assigned team: conversations, closed, times to first response and close, parts, rating',
});
