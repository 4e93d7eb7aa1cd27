import { mapTeam } from '../records/map-team';
import { defineStream } from './types';

/**
 * Teams: `GET /teams` answers every team in one unpaged `team.list`, each with its members'
 * `admin_ids`. This stream fills `team_admin`: a team's record is where Intercom lists its
 * members, so an upsert of a changed team replaces exactly its links (the admins' `team_ids`
 * mirror the same pairs; filling the table from both would write each pair twice).
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/teams/listteams
 */
export const TEAMS = defineStream({
  name: 'teams',
  file: 'teams.json',
  label: 'teams',
  singular: 'team',
  primaryKey: 'id',
  source: { kind: 'list', path: '/teams', itemsKey: 'teams', paged: false },
  pageSize: 150,
  tables: ['team', 'team_admin'],
  replaceChildrenOf: { tables: ['team_admin'], column: 'team_id' },
  map: (record, raw) => {
    const mapped = mapTeam(record, raw);
    return { team: [mapped.team], team_admin: mapped.admins };
  },
});
