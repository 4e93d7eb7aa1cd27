import type { ReportDeclaration } from './types';
import { yearBounds, YEAR_PARAM } from './year';

/**
 * Teams assigned more conversations created that year than the mean over every row of `team` (a
 * team with none counts 0), most first.
 */
export const teamsAboveMean: ReportDeclaration = {
  name: 'teams-above-mean',
  description:
    'Teams whose count of conversations created that year (UTC) with them as team assignee is above the mean of that count over all teams (a team with none counts 0), ordered by count descending.',
  params: [YEAR_PARAM],
  columns: ['team_id', 'team_name', 'conversations'],
  sql: `WITH counts AS (
  SELECT t.id AS team_id, t.name AS team_name, COUNT(c.id) AS conversations
    FROM team t
    LEFT JOIN conversation c
      ON c.team_assignee_id = t.id AND c.created_at >= ? AND c.created_at < ?
   GROUP BY t.id, t.name
)
SELECT team_id, team_name, conversations
  FROM counts
 WHERE conversations > (SELECT AVG(conversations) FROM counts)
 ORDER BY conversations DESC, team_id`,
  values: (params) => yearBounds(params),
};
