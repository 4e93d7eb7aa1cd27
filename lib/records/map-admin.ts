import { EMAIL_LENGTH, ID_LENGTH, type admin } from '../../drizzle/schema';
import { DataError } from '../errors';
import type { RowOf } from '../streams/types';
import { booleanField, idField, isObject, jsonText, stringField } from './fields';
import { idList } from './links';

/** An `admin` row. */
export type AdminRow = RowOf<typeof admin>;

/**
 * Map one admin from `data/admins.json` (a `GET /admins` item) to an `admin` row. `team_ids`
 * (integers in the 2.14 schema) is kept as strings, the way the `team_admin` links hold them;
 * the links themselves come from the teams' `admin_ids` (lib/streams/teams.ts).
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/admins/listadmins
 *
 * @throws DataError when the record is not an object, has no id, or a field has the wrong type.
 */
export function mapAdmin(record: unknown, raw?: string): AdminRow {
  if (!isObject(record)) throw new DataError('the admin record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the admin record has no id');
  return {
    id,
    name: stringField(record, 'name'),
    email: stringField(record, 'email', EMAIL_LENGTH),
    jobTitle: stringField(record, 'job_title'),
    awayModeEnabled: booleanField(record, 'away_mode_enabled'),
    awayModeReassign: booleanField(record, 'away_mode_reassign'),
    hasInboxSeat: booleanField(record, 'has_inbox_seat'),
    teamIds: jsonText(
      record.team_ids === undefined || record.team_ids === null ? null : idList(record, 'team_ids'),
    ),
    raw: raw ?? JSON.stringify(record),
  };
}
