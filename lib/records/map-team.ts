import { ID_LENGTH, type team, type teamAdmin } from '../../drizzle/schema';
import { DataError } from '../errors';
import type { RowOf } from '../streams/types';
import { idField, isObject, jsonText, stringField } from './fields';
import { idList } from './links';

/** A `team` row. */
export type TeamRow = RowOf<typeof team>;
/** A `team_admin` row. */
export type TeamAdminRow = RowOf<typeof teamAdmin>;

/**
 * Map one team from `data/teams.json` (a `GET /teams` item) to its `team` row and one `team_admin`
 * row per member in `admin_ids` (integers in the 2.14 schema, kept as strings).
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/teams/listteams
 *
 * @throws DataError when the record is not an object, has no id, or a field has the wrong type.
 */
export function mapTeam(record: unknown, raw?: string): { team: TeamRow; admins: TeamAdminRow[] } {
  if (!isObject(record)) throw new DataError('the team record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the team record has no id');
  const adminIds = idList(record, 'admin_ids');
  return {
    team: {
      id,
      name: stringField(record, 'name'),
      adminIds: jsonText(record.admin_ids === undefined || record.admin_ids === null ? null : adminIds),
      raw: raw ?? JSON.stringify(record),
    },
    admins: adminIds.map((adminId) => ({ teamId: id, adminId })),
  };
}
