import type { Dialect } from '../dialect';
import type { GoldJob, RefineOptions } from '../jobs/types';
import { conversationMetricsSql } from './conversation-metrics';
import { windowCondition } from './window';

/** A day is flagged when its modified z-score is above this in absolute value (Iglewicz and Hoaglin). */
export const MODIFIED_Z_THRESHOLD = 3.5;
/** The modified z-score's constant: 0.6745 × (x − median) / MAD. */
const Z_CONSTANT = 0.6745;
/** Conversations without an assigned team are counted under this team id. */
export const UNASSIGNED_TEAM = 'unassigned';

/**
 * Per team and UTC day from the window's first to its last day (the first and last conversation's
 * days when open), days without conversations as 0: conversations created and the median minutes to
 * first response of that day's conversations (days without a response have none).
 */
function dailySql(dialect: Dialect, options: RefineOptions): string {
  const first = options.since ? dialect.date(options.since) : '(SELECT min(day) FROM m)';
  const last = options.until ? dialect.date(options.until) : '(SELECT max(day) FROM m)';
  return `WITH m AS (
      SELECT coalesce(team_assignee_id, '${UNASSIGNED_TEAM}') AS team_id, CAST(created_at AS DATE) AS day,
        time_to_first_response_minutes AS ttfr
      FROM (${conversationMetricsSql(dialect)}) AS cm
      WHERE ${windowCondition('created_at', dialect, options)}
    ),
    grid AS (
      SELECT t.team_id, d.day FROM (SELECT DISTINCT team_id FROM m) AS t CROSS JOIN ${dialect.days(first, last)} AS d
    )
    SELECT g.team_id, arbitrary(n.name) AS team_name, g.day, count(m.day) AS conversations,
      ${dialect.median('m.ttfr')} AS median_time_to_first_response_minutes
    FROM grid AS g
    LEFT JOIN m ON m.team_id = g.team_id AND m.day = g.day
    LEFT JOIN teams AS n ON n.id = g.team_id
    GROUP BY g.team_id, g.day`;
}

/**
 * The days of `dailySql` whose modified z-score over their team's series is above the threshold
 * in absolute value, for each of the two measures; a series whose MAD is 0 flags nothing.
 */
function anomaliesSql(dialect: Dialect, options: RefineOptions): string {
  return `WITH daily AS (${dailySql(dialect, options)}),
    series AS (
      SELECT team_id, team_name, day, 'conversations' AS metric, CAST(conversations AS DOUBLE) AS value FROM daily
      UNION ALL
      SELECT team_id, team_name, day, 'median_time_to_first_response_minutes' AS metric,
        CAST(median_time_to_first_response_minutes AS DOUBLE) AS value
      FROM daily WHERE median_time_to_first_response_minutes IS NOT NULL
    ),
    centre AS (
      SELECT team_id, metric, ${dialect.median('value')} AS median FROM series GROUP BY team_id, metric
    ),
    spread AS (
      SELECT s.team_id, s.metric, c.median, ${dialect.median('abs(s.value - c.median)')} AS mad
      FROM series AS s JOIN centre AS c ON c.team_id = s.team_id AND c.metric = s.metric
      GROUP BY s.team_id, s.metric, c.median
    ),
    scored AS (
      SELECT s.team_id, s.team_name, s.day, s.metric, s.value, sp.median, sp.mad,
        CASE WHEN sp.mad > 0 THEN ${Z_CONSTANT} * (s.value - sp.median) / sp.mad END AS score
      FROM series AS s JOIN spread AS sp ON sp.team_id = s.team_id AND sp.metric = s.metric
    )
    SELECT team_id, team_name, day, metric, value, median, mad, score FROM scored
    WHERE abs(score) > ${MODIFIED_Z_THRESHOLD}
    ORDER BY team_id, metric, day`;
}

/** `npm run refine -- anomalies [--since YYYY-MM-DD] [--until YYYY-MM-DD]`. */
export const ANOMALIES: GoldJob = {
  name: 'anomalies',
  description: 'per team and day: conversations and median time to first response, unusual days flagged',
  reads: ['conversations', 'conversation_parts', 'teams'],
  tables: [
    { name: 'anomalies', sql: anomaliesSql },
    { name: 'team_daily', sql: (dialect, options) => `${dailySql(dialect, options)} ORDER BY team_id, day` },
  ],
};
